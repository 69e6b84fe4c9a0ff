/**
 * The dashboard in headless Chromium, against the real server (listening on a free port) on
 * the suite's PostgreSQL. Controls are found by role and accessible name only.
 */
import http from 'node:http';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ADMIN_TOKEN, bootApp, resetDatabase, type TestApp } from '../support/app.js';
import { configureSecrets, deliver, fixture, installMappingFault, removeMappingFault } from '../support/webhooks.js';
import { accessibleDescription, launchBrowser, PageWatch, until, type Browser } from '../support/browser.js';
import { clerkUser, fakeClerk, listen, urlOf } from '../support/clerk.js';

// Browser globals used inside page.evaluate (the tests are type-checked without the DOM library).
declare const document: { cookie: string; querySelectorAll(selector: string): ArrayLike<{ value: string }> };
declare const localStorage: Record<string, string>;
declare const sessionStorage: Record<string, string>;
declare const navigator: { clipboard: { readText(): Promise<string> } };

const SCREENSHOTS = process.env.MARA_SCREENSHOTS_DIR ? path.resolve(process.env.MARA_SCREENSHOTS_DIR) : null;

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Clerk's Backend API users list on loopback, for the import. */
const clerkUsers = (count: number): Array<Record<string, unknown>> =>
  Array.from({ length: count }, (_, i) =>
    clerkUser(i, {
      id: `user_${String(i).padStart(4, '0')}`,
      image_url: undefined,
      has_image: undefined,
      email_addresses: [{ id: `idn_${i}`, object: 'email_address', email_address: `user${i}@clerk.example`, verification: { status: 'verified' }, linked_to: [] }],
      public_metadata: {},
      private_metadata: {},
      unsafe_metadata: {},
    }),
  );

/** The attacker: a page on another origin of the same site (same host, another port). */
function evilSite(maraUrl: string): http.Server {
  return http.createServer((req, res) => {
    res.setHeader('content-type', 'text/html');
    if (req.url === '/form') {
      res.end(`<!doctype html><form method="POST" action="${maraUrl}/admin/tenants" enctype="text/plain">
        <input name='{"name":"Evil form","x":"' value='"}'><button>Win a prize</button></form>`);
      return;
    }
    res.end('<!doctype html><title>Evil</title>');
  });
}

async function events(maraUrl: string, tenantId: string, key: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${maraUrl}/api/tenants/${tenantId}/events`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('Dashboard in Chromium', () => {
  const clerkKey = 'sk_test_dashboardImportKey1';
  let t: TestApp;
  let maraUrl: string;
  let browser: Browser;
  let clerk: http.Server;
  let evil: http.Server;
  let evilUrl: string;
  const pages = new PageWatch(() => browser);
  /** What reached the server: each request's method, path and whether it carried the session cookie. */
  const received: Array<{ method: string; path: string; withCookie: boolean }> = [];

  const newPage = (): Promise<Page> => pages.open();

  async function signIn(page: Page): Promise<void> {
    await page.goto(`${maraUrl}/app`);
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Tenants', level: 1 }).waitFor();
  }

  /** Creates a tenant through the form; answers its id, with its Integrations page open. */
  async function createTenant(page: Page, name: string): Promise<string> {
    await page.getByRole('link', { name: 'Tenants' }).click();
    await page.getByLabel('Tenant name').fill(name);
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await page.getByRole('heading', { name: 'Settings · Integrations' }).waitFor();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    return /\/app\/tenants\/([0-9a-f-]{36})\/integrations$/.exec(page.url())![1];
  }

  async function generateKey(page: Page): Promise<string> {
    await page.getByRole('button', { name: 'Generate key' }).click();
    const field = page.getByRole('textbox', { name: 'New ingestion key' });
    await field.waitFor();
    return field.inputValue();
  }

  beforeAll(async () => {
    clerk = fakeClerk(clerkUsers(120), clerkKey).server;
    const clerkUrl = await listen(clerk);
    t = await bootApp({ CLERK_API_URL: clerkUrl, PROCESS_ROLE: 'all' }, { listen: true });
    const server = t.app.getHttpServer() as http.Server;
    maraUrl = urlOf(server);
    server.prependListener('request', (req: http.IncomingMessage) => {
      received.push({ method: req.method!, path: req.url!, withCookie: /(^|;\s*)mara_session=/.test(req.headers.cookie ?? '') });
    });
    evil = evilSite(maraUrl);
    evilUrl = await listen(evil);
    browser = await launchBrowser();
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: maraUrl });
    if (SCREENSHOTS) await mkdir(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await new Promise((r) => clerk?.close(r));
    await new Promise((r) => evil?.close(r));
  });

  beforeEach(async () => {
    await resetDatabase(t.db);
    await browser.context.clearCookies();
  });

  afterEach(async () => {
    const errors = await pages.closeAll();
    expect(errors).toEqual([]);
  });

  it('signs in with the admin token (HttpOnly, SameSite=Strict cookie; the token kept nowhere) and out again', async () => {
    const page = await newPage();
    await page.goto(`${maraUrl}/`);
    expect(new URL(page.url()).pathname).toBe('/app');
    await page.getByRole('heading', { name: 'Sign in to Mara' }).waitFor();

    await page.getByLabel('Admin token').fill('not-the-admin-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByRole('alert').textContent()).toBe('Wrong admin token.');

    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Tenants', level: 1 }).waitFor();

    const cookies = await browser.context.cookies(maraUrl);
    expect(cookies).toEqual([
      expect.objectContaining({ name: 'mara_session', path: '/', httpOnly: true, sameSite: 'Strict', secure: false }),
    ]);
    expect(cookies[0].value).not.toContain(ADMIN_TOKEN);
    // Nothing script-readable holds the token or the session.
    const stored = await page.evaluate(() => ({
      cookie: document.cookie,
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
      inputs: Array.from(document.querySelectorAll('input'), (i) => i.value),
    }));
    expect(stored).toEqual({ cookie: '', local: '{}', session: '{}', inputs: [''] });
    expect(await page.content()).not.toContain(ADMIN_TOKEN);

    // The session survives a reload; the dashboard's data requests need it.
    await page.reload();
    await page.getByRole('heading', { name: 'Tenants', level: 1 }).waitFor();
    expect(await t.db.query('SELECT count(*)::int AS n FROM dashboard_sessions')).toEqual([{ n: 1 }]);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Mara' }).waitFor();
    expect(await browser.context.cookies(maraUrl)).toEqual([]);
    expect(await t.db.query('SELECT count(*)::int AS n FROM dashboard_sessions')).toEqual([{ n: 0 }]);
    const data = await browser.context.request.get(`${maraUrl}/admin/tenants`);
    expect(data.status()).toBe(401);
    await page.goto(`${maraUrl}/app/tenants`);
    await page.getByRole('heading', { name: 'Sign in to Mara' }).waitFor();
  });

  it('marks the session cookie Secure when PUBLIC_BASE_URL is https', async () => {
    const secure = await bootApp({ PUBLIC_BASE_URL: 'https://mara.example.com' }, { listen: true });
    try {
      const url = urlOf(secure.app.getHttpServer() as http.Server);
      const page = await newPage();
      await page.goto(`${url}/app`);
      await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
      const answer = page.waitForResponse((r) => r.url() === `${url}/app/api/session` && r.request().method() === 'POST');
      // The signed-in page then lists the tenants: that answer too, before this server closes.
      const tenants = page.waitForResponse((r) => r.url().startsWith(`${url}/admin/tenants`));
      await page.getByRole('button', { name: 'Sign in' }).click();
      const setCookie = (await (await answer).headerValue('set-cookie')) ?? '';
      expect(setCookie.split('; ')).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/', 'Secure']));
      await tenants;
      await page.close();
    } finally {
      await secure.close();
    }
  });

  it('generates a key shown once that works against the Events API; a new key revokes it', async () => {
    const page = await newPage();
    await signIn(page);
    const tenantId = await createTenant(page, 'Acme');

    const eventsUrl = await page.getByRole('textbox', { name: 'Events API URL' }).inputValue();
    expect(eventsUrl).toBe(`http://mara.test/api/tenants/${tenantId}/events`);
    await page.getByRole('button', { name: 'Copy Events API URL' }).click();
    await until(() => page.evaluate(() => navigator.clipboard.readText()), eventsUrl);
    expect(await page.getByText('No ingestion key yet', { exact: false }).count()).toBe(1);

    const key = await generateKey(page);
    expect(key).toMatch(/^mara_ing_[A-Za-z0-9_-]{43,}$/);
    await page.getByRole('button', { name: 'Copy key' }).click();
    await until(() => page.evaluate(() => navigator.clipboard.readText()), key);
    const prefix = (await page.getByLabel('Key prefix').textContent())!.replace(/…$/, '');
    expect(key.startsWith(prefix)).toBe(true);
    expect(prefix).toMatch(/^mara_ing_.{1,8}$/);

    const sent = await events(maraUrl, tenantId, key, { type: 'track', event: 'user.signed_up', userId: 'u_1', messageId: 'm-1' });
    expect(sent.status).toBe(200);
    expect(sent.json).toMatchObject({ ok: true, results: [{ index: 0, status: 'ok' }] });

    // Shown once: after a reload only the prefix is left.
    await page.reload();
    await page.getByRole('heading', { name: 'Settings · Integrations' }).waitFor();
    await page.getByLabel('Key prefix').waitFor();
    expect(await page.getByRole('textbox', { name: 'New ingestion key' }).count()).toBe(0);
    expect(await page.content()).not.toContain(key);

    const second = await generateKey(page);
    expect(second).not.toBe(key);
    const old = await events(maraUrl, tenantId, key, { type: 'track', event: 'user.signed_up', userId: 'u_1', messageId: 'm-2' });
    expect(old.status).toBe(401);
    expect(old.json).toMatchObject({ ok: false, code: 'unauthorized' });
    expect((await events(maraUrl, tenantId, second, { type: 'track', event: 'x.y', userId: 'u_1', messageId: 'm-3' })).status).toBe(200);
    await page.getByRole('button', { name: 'I have copied it' }).click();
    expect(await page.getByRole('textbox', { name: 'New ingestion key' }).count()).toBe(0);
  });

  it('saves write-only secrets: the field shows "configured", never the value', async () => {
    const page = await newPage();
    await signIn(page);
    const tenantId = await createTenant(page, 'Acme');
    const secret = 'whsec_dashboardTestSecret_0123456789';

    const field = page.getByLabel('Stripe signing secret', { exact: true });
    expect(await accessibleDescription(field)).toBe('not configured');
    await field.fill(secret);
    await page.getByRole('button', { name: 'Save Stripe signing secret' }).click();
    await page.getByRole('status').filter({ hasText: 'Stripe signing secret saved.' }).waitFor();
    await until(() => accessibleDescription(field), 'configured');
    expect(await field.inputValue()).toBe('');
    expect(await accessibleDescription(page.getByLabel('Polar signing secret', { exact: true }))).toBe('not configured');

    const row = page.waitForResponse((r) => r.url().endsWith(`/admin/tenants/${tenantId}/integrations`));
    await page.reload();
    const body = await (await row).text();
    expect(body).toContain('"secretConfigured":true');
    expect(body).not.toContain(secret);
    await until(() => accessibleDescription(page.getByLabel('Stripe signing secret', { exact: true })), 'configured');
    expect(await page.getByLabel('Stripe signing secret', { exact: true }).inputValue()).toBe('');
    expect(await page.content()).not.toContain(secret);
    const [stored] = await t.db.query(`SELECT ciphertext FROM tenant_secrets WHERE tenant_id = $1 AND kind = 'stripe'`, [tenantId]);
    expect(stored.ciphertext).not.toContain(secret);

    await page.getByRole('button', { name: 'Remove Stripe signing secret' }).click();
    await until(() => accessibleDescription(page.getByLabel('Stripe signing secret', { exact: true })), 'not configured');
    expect(await t.db.query('SELECT count(*)::int AS n FROM tenant_secrets')).toEqual([{ n: 0 }]);
  });

  it('the signup event seeds a draft welcome journey, approved and paused from the dashboard', async () => {
    const page = await newPage();
    await signIn(page);
    const tenantId = await createTenant(page, 'Acme');
    await page.getByLabel('Signup event').fill('user.signed_up');
    await page.getByRole('button', { name: 'Save signup event' }).click();
    await page.getByRole('link', { name: 'Open the welcome journey' }).click();

    const [journey] = await t.db.query('SELECT id, name, status FROM journeys WHERE tenant_id = $1', [tenantId]);
    expect(journey.status).toBe('draft');
    await page.getByRole('heading', { name: journey.name, level: 2 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/app/tenants/${tenantId}/journeys/${journey.id}`);
    expect(await page.getByText('draft', { exact: true }).count()).toBe(1);
    expect(await page.getByRole('button', { name: `Pause ${journey.name}` }).count()).toBe(0);

    await page.getByRole('button', { name: `Approve ${journey.name}` }).click();
    await page.getByRole('button', { name: `Pause ${journey.name}` }).waitFor();
    expect(await t.db.query('SELECT status FROM journeys WHERE id = $1', [journey.id])).toEqual([{ status: 'active' }]);

    // The list shows the status, and pauses.
    await page.getByRole('link', { name: 'All journeys' }).click();
    const name = escapeRegExp(journey.name);
    const listRow = page.getByRole('row', { name: new RegExp(`^${name} active user\\.signed_up`) });
    await listRow.waitFor();
    await listRow.getByRole('button', { name: `Pause ${journey.name}` }).click();
    await page.getByRole('row', { name: new RegExp(`^${name} paused`) }).waitFor();
    expect(await t.db.query('SELECT status FROM journeys WHERE id = $1', [journey.id])).toEqual([{ status: 'paused' }]);
    // The integrations row remembers the signup event.
    await page.getByRole('link', { name: 'Integrations' }).click();
    await until(() => page.getByLabel('Signup event').inputValue(), 'user.signed_up');
  });

  it('the health strip counts real events per connector; the Clerk import shows its progress', async () => {
    const page = await newPage();
    await signIn(page);
    const tenantId = await createTenant(page, 'Acme');
    const key = await generateKey(page);
    await page.getByRole('button', { name: 'I have copied it' }).click();

    const sent = await events(maraUrl, tenantId, key, {
      batch: [
        { type: 'identify', userId: 'u_1', email: 'ada@example.com', name: 'Ada' },
        { type: 'track', event: 'user.signed_up', userId: 'u_1', messageId: 'h-1' },
        { type: 'track', event: 'project.created', userId: 'u_2', email: 'bob@example.com', messageId: 'h-2' },
        { type: 'track', event: 'project.created', userId: 'u_2', messageId: 'h-3' },
      ],
    });
    expect(sent.status).toBe(200);
    await page.getByRole('button', { name: 'Refresh health' }).click();
    const eventsRow = page.getByRole('row', { name: /^Events API 2 3 / });
    await eventsRow.waitFor();
    expect(await eventsRow.getByRole('cell').allTextContents()).toEqual(['2', '3', expect.stringMatching(/\d/)]);
    expect(await page.getByRole('row', { name: 'Stripe 0 0 never' }).count()).toBe(1);
    for (const label of ['Events API', 'Stripe', 'Polar', 'Clerk', 'Usermaven', 'Event Intake', 'Segment']) {
      expect(await page.getByRole('rowheader', { name: label, exact: true }).count()).toBe(1);
    }
    expect(await page.getByText(/^Refreshed \d/).count()).toBe(1);

    // Clerk: the Backend API key (write-only), then the import with its live progress.
    expect(await page.getByRole('button', { name: 'Import users' }).isDisabled()).toBe(true);
    await page.getByLabel('Clerk Backend API key', { exact: true }).fill(clerkKey);
    await page.getByRole('button', { name: 'Save Clerk Backend API key' }).click();
    await until(() => accessibleDescription(page.getByLabel('Clerk Backend API key', { exact: true })), 'configured');
    await page.getByRole('button', { name: 'Import users' }).click();
    const progress = page.getByRole('status', { name: 'Import progress' });
    await progress.filter({ hasText: 'Import completed' }).waitFor();
    expect(await progress.textContent()).toMatch(/^Import completed: \d+ pages read, 120 users seen, 120 contacts created\.$/);
    await page.getByRole('button', { name: 'Refresh health' }).click();
    await page.getByRole('row', { name: /^Clerk 120 0 / }).waitFor();

    if (SCREENSHOTS) {
      await page.getByLabel('Stripe signing secret', { exact: true }).fill('whsec_screenshot');
      await page.getByRole('button', { name: 'Save Stripe signing secret' }).click();
      await until(() => accessibleDescription(page.getByLabel('Stripe signing secret', { exact: true })), 'configured');
      const delivered = { ...fixture('stripe', 'customer.subscription.created'), id: 'evt_screenshot' };
      await deliver(t, 'stripe', tenantId, delivered, { secret: 'whsec_screenshot' }).expect(200);
      await page.getByRole('button', { name: 'Refresh Stripe deliveries' }).click();
      await page.getByRole('table', { name: 'Recent Stripe deliveries' }).getByRole('row', { name: /^customer\.subscription\.created ok/ }).waitFor();
      await page.getByRole('button', { name: 'Refresh health' }).click();
      await page.getByRole('row', { name: /^Clerk 120 0 / }).waitFor();
      await page.screenshot({ path: path.join(SCREENSHOTS, 'integrations.png'), fullPage: true });
    }
  });

  it("shows each provider's last deliveries; a failed one, replayed after the fix, turns ok", async () => {
    const page = await newPage();
    await signIn(page);
    const tenantId = await createTenant(page, 'Acme');
    await configureSecrets(t, tenantId);
    const deliveries = page.getByRole('table', { name: 'Recent Stripe deliveries' });
    // The deliveries load after the page: wait for them rather than count at once.
    await page.getByText('No verified Stripe delivery yet.').waitFor();

    const subscription = (id: string): Record<string, unknown> => ({ ...fixture('stripe', 'customer.subscription.created'), id });
    expect((await deliver(t, 'stripe', tenantId, subscription('evt_browser_ok')).expect(200)).body.status).toBe('ok');
    await page.getByRole('button', { name: 'Refresh Stripe deliveries' }).click();
    await deliveries.getByRole('row', { name: /^customer\.subscription\.created ok subscription-started \d/ }).waitFor();
    expect(await page.getByText('No verified Polar delivery yet.').count()).toBe(1);

    await installMappingFault(t.db);
    try {
      await deliver(t, 'stripe', tenantId, subscription('evt_browser_fault')).expect(500);
    } finally {
      await removeMappingFault(t.db);
    }
    await page.getByRole('button', { name: 'Refresh Stripe deliveries' }).click();
    const failed = deliveries.getByRole('row', { name: /^customer\.subscription\.created failed refused by the test trigger: stripe:evt_browser_fault — / });
    await failed.waitFor();
    expect(await deliveries.getByRole('row').count()).toBe(3);
    expect(await deliveries.getByRole('button', { name: /^Replay / }).count()).toBe(1);
    expect(await t.db.query(`SELECT count(*)::int AS n FROM events WHERE message_id = 'stripe:evt_browser_fault'`)).toEqual([{ n: 0 }]);

    await failed.getByRole('button', { name: 'Replay customer.subscription.created evt_browser_fault' }).click();
    await page.getByRole('status', { name: 'Stripe replay' }).filter({ hasText: 'Replayed evt_browser_fault: ok (subscription-started).' }).waitFor();
    await until(
      () => deliveries.getByRole('row').allTextContents().then((rows) => rows.slice(1).map((r) => /(ok|failed)/.exec(r)?.[1])),
      ['ok', 'ok'],
    );
    expect(await deliveries.getByRole('button', { name: /^Replay / }).count()).toBe(0);
    expect(await t.db.query(`SELECT count(*)::int AS n FROM events WHERE message_id = 'stripe:evt_browser_fault'`)).toEqual([{ n: 1 }]);
    expect(await t.db.query(`SELECT status, attempts FROM webhook_deliveries WHERE delivery_id = 'evt_browser_fault'`)).toEqual([
      { status: 'ok', attempts: 2 },
    ]);
  });

  it('finds contacts by email or external id; a contact shows attributes, consent and its timeline newest first, paged', async () => {
    const page = await newPage();
    await signIn(page);
    const tenantId = await createTenant(page, 'Acme');
    const key = await generateKey(page);
    await page.getByRole('button', { name: 'I have copied it' }).click();
    const at = (i: number): string => new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString();
    const sent = await events(maraUrl, tenantId, key, {
      batch: [
        { type: 'identify', userId: 'u_1', email: 'ada@example.com', name: 'Ada', traits: { plan: 'starter', seats: 3 } },
        { type: 'identify', userId: 'u_2', email: 'bob@example.com', name: 'Bob' },
        ...Array.from({ length: 60 }, (_, i) => ({
          type: 'track',
          event: i === 59 ? 'report.exported' : 'page.viewed',
          userId: 'u_1',
          timestamp: at(i),
          messageId: `ada-${i}`,
          properties: { n: i },
        })),
      ],
    });
    expect(sent.status).toBe(200);

    await page.getByRole('link', { name: 'Contacts' }).click();
    await page.getByRole('link', { name: 'bob@example.com' }).waitFor();
    await page.getByLabel('Search by').selectOption({ label: 'Email' });
    await page.getByLabel('Email to find').fill('ADA@example.com');
    await page.getByRole('button', { name: 'Search' }).click();
    await until(() => page.getByRole('table', { name: 'Contacts' }).getByRole('link').allTextContents(), ['ada@example.com']);

    await page.getByLabel('Search by').selectOption({ label: 'External id' });
    await page.getByLabel('External id to find').fill('u_2');
    await page.getByRole('button', { name: 'Search' }).click();
    await until(() => page.getByRole('table', { name: 'Contacts' }).getByRole('link').allTextContents(), ['bob@example.com']);
    await page.getByLabel('External id to find').fill('nobody');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No contact matches.').waitFor();
    await page.getByRole('button', { name: 'Show all contacts' }).click();
    await page.getByRole('link', { name: 'ada@example.com' }).click();

    await page.getByRole('heading', { name: 'Ada', level: 2 }).waitFor();
    const attributes = page.getByRole('table', { name: 'Attributes' });
    expect(await attributes.getByRole('row', { name: 'plan starter' }).count()).toBe(1);
    expect(await attributes.getByRole('row', { name: 'seats 3' }).count()).toBe(1);
    expect(await page.getByText(/^granted by events_api, /).count()).toBe(1);

    const timeline = page.getByRole('list', { name: 'Timeline' });
    await until(() => timeline.getByRole('listitem').count(), 50);
    const first = await timeline.getByRole('listitem').first().textContent();
    expect(first).toContain('report.exported');
    expect(first).toContain('messageId ada-59');
    await page.getByRole('button', { name: 'Load more of the timeline' }).click();
    await until(() => timeline.getByRole('listitem').count(), 60);
    expect(await page.getByRole('button', { name: 'Load more of the timeline' }).count()).toBe(0);
    const last = await timeline.getByRole('listitem').last().textContent();
    expect(last).toContain('messageId ada-0');
    // Newest first, throughout both pages.
    const ids = (await timeline.getByRole('listitem').allTextContents()).map((text) => Number(/messageId ada-(\d+)/.exec(text)![1]));
    expect(ids).toEqual(Array.from({ length: 60 }, (_, i) => 59 - i));
  });

  it('refuses a cross-origin POST that carries the session cookie (403), and writes nothing', async () => {
    const page = await newPage();
    await signIn(page);

    // Same site (same host), another origin (another port): the browser sends the cookie.
    const attacker = await browser.context.newPage();
    try {
      await attacker.goto(`${evilUrl}/`);
      received.length = 0;
      const answer = attacker.waitForResponse((r) => r.url() === `${maraUrl}/admin/tenants`);
      await attacker.evaluate(async (target) => {
        await fetch(`${target}/admin/tenants`, {
          method: 'POST',
          mode: 'no-cors',
          credentials: 'include',
          headers: { 'Content-Type': 'text/plain' },
          body: JSON.stringify({ name: 'Evil fetch' }),
        });
      }, maraUrl);
      const refused = await answer;
      expect(refused.status()).toBe(403);

      await attacker.goto(`${evilUrl}/form`);
      const formAnswer = attacker.waitForResponse((r) => r.url() === `${maraUrl}/admin/tenants`);
      await attacker.getByRole('button', { name: 'Win a prize' }).click();
      const form = await formAnswer;
      expect(form.status()).toBe(403);
      expect(await form.json()).toEqual({ ok: false, code: 'forbidden', message: 'request from another site (Sec-Fetch-Site: same-site)' });
      // Both posts reached the server with the session cookie, and were refused all the same.
      expect(received.filter((r) => r.path === '/admin/tenants')).toEqual([
        { method: 'POST', path: '/admin/tenants', withCookie: true },
        { method: 'POST', path: '/admin/tenants', withCookie: true },
      ]);
    } finally {
      await attacker.close();
    }
    expect(await t.db.query('SELECT count(*)::int AS n FROM tenants')).toEqual([{ n: 0 }]);

    // The dashboard itself, same origin, still works with the same cookie.
    await createTenant(page, 'Legit');
    expect(await t.db.query('SELECT name FROM tenants')).toEqual([{ name: 'Legit' }]);
  });
});
