/**
 * The data-rights controls of the dashboard (docs/dashboard.md#contacts, docs/data-rights.md),
 * in headless Chromium against the real server on the suite's PostgreSQL: consent, export,
 * merge, suppressions and erase, each checked on the page and through the admin API. Controls
 * are found by role and accessible name only.
 */
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { ADMIN_TOKEN, bootApp, resetDatabase, type TestApp } from '../support/app.js';
import {
  createTenantInPage,
  generateKeyInPage,
  launchBrowser,
  PageWatch,
  postEvents,
  signIn,
  until,
  type Browser,
} from '../support/browser.js';
import { urlOf } from '../support/clerk.js';

async function admin(baseUrl: string, route: string): Promise<{ status: number; json: Record<string, unknown> | null }> {
  const res = await fetch(`${baseUrl}${route}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

describe('Data rights in the dashboard (Chromium)', () => {
  let t: TestApp;
  let maraUrl: string;
  let browser: Browser;
  const pages = new PageWatch(() => browser);

  const newPage = (): Promise<Page> => pages.open();

  beforeAll(async () => {
    t = await bootApp({ PROCESS_ROLE: 'all' }, { listen: true });
    maraUrl = urlOf(t.app.getHttpServer() as http.Server);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  beforeEach(async () => {
    await resetDatabase(t.db);
    await browser.context.clearCookies();
  });

  afterEach(async () => {
    const errors = await pages.closeAll();
    expect(errors).toEqual([]);
  });

  it('withdraws consent, exports, merges, suppresses and lifts an address, and erases a contact', async () => {
    const page = await newPage();
    await signIn(page, maraUrl, ADMIN_TOKEN);
    const tenantId = await createTenantInPage(page, 'Acme');
    const key = await generateKeyInPage(page);
    await page.getByRole('button', { name: 'I have copied it' }).click();
    const sent = await postEvents(maraUrl, tenantId, key, {
      batch: [
        { type: 'identify', userId: 'u_ada', email: 'ada@example.com', name: 'Ada', messageId: 'id-ada' },
        { type: 'track', event: 'plan.upgraded', userId: 'u_ada', messageId: 'ada-1', properties: { plan: 'pro' } },
        { type: 'identify', userId: 'u_bob', email: 'bob@example.com', name: 'Bob', messageId: 'id-bob' },
        { type: 'track', event: 'report.viewed', userId: 'u_bob', messageId: 'bob-1' },
      ],
    });
    expect(sent.status).toBe(200);
    const contacts = (await admin(maraUrl, `/admin/tenants/${tenantId}/contacts`)).json!.items as Array<{ id: string; email: string }>;
    const adaId = contacts.find((c) => c.email === 'ada@example.com')!.id;
    const bobId = contacts.find((c) => c.email === 'bob@example.com')!.id;

    // Consent: Bob withdraws; the page and the API say so.
    const tenantNav = page.getByRole('navigation', { name: 'Tenant' });
    await tenantNav.getByRole('link', { name: 'Contacts' }).click();
    await page.getByRole('link', { name: 'bob@example.com' }).click();
    await page.getByRole('heading', { name: 'Bob', level: 2 }).waitFor();
    expect(await page.getByLabel('Consent', { exact: true }).textContent()).toMatch(/^granted by events_api, /);
    await page.getByRole('button', { name: 'Withdraw consent' }).click();
    await page.getByRole('status').filter({ hasText: 'Consent withdrawn.' }).waitFor();
    expect(await page.getByLabel('Consent', { exact: true }).textContent()).toMatch(/^withdrawn by admin, /);
    expect(await page.getByRole('button', { name: 'Withdraw consent' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Grant consent' }).waitFor();
    const bob = await admin(maraUrl, `/admin/tenants/${tenantId}/contacts/${bobId}`);
    expect(bob.json!.consent).toMatchObject({ status: 'withdrawn', source: 'admin' });

    // Export: a JSON file through the session, holding the contact and its events.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export' }).click()]);
    expect(download.suggestedFilename()).toBe(`contact-${bobId}.json`);
    const exported = JSON.parse(await readFile((await download.path())!, 'utf8')) as {
      contact: { id: string; email: string; consent: { status: string } };
      events: Array<{ type: string; messageId: string }>;
      runs: unknown[];
      messages: unknown[];
    };
    expect(exported.contact).toMatchObject({ id: bobId, email: 'bob@example.com', consent: { status: 'withdrawn' } });
    expect(exported.events.map((e) => [e.type, e.messageId])).toEqual([['report.viewed', 'bob-1']]);
    expect(exported.runs).toEqual([]);
    await page.getByRole('status').filter({ hasText: `Exported as contact-${bobId}.json.` }).waitFor();

    // Merge: Bob into Ada, found by his email; Ada's timeline then holds Bob's event, Bob is gone.
    await tenantNav.getByRole('link', { name: 'Contacts' }).click();
    await page.getByRole('link', { name: 'ada@example.com' }).click();
    await page.getByRole('heading', { name: 'Ada', level: 2 }).waitFor();
    const timeline = page.getByRole('list', { name: 'Timeline' });
    await timeline.getByText('plan.upgraded').waitFor();
    expect(await timeline.getByText('report.viewed').count()).toBe(0);
    await page.getByLabel('Other contact’s email, external id or id').fill('bob@example.com');
    await page.getByRole('button', { name: 'Find contact to merge' }).click();
    const confirm = page.getByRole('group', { name: /^Merge bob@example\.com/ });
    await confirm.waitFor();
    expect(await confirm.textContent()).toContain(bobId);
    await confirm.getByRole('button', { name: 'Confirm merge' }).click();
    await page.getByRole('status').filter({ hasText: 'Merged bob@example.com into this contact.' }).waitFor();
    await timeline.getByText('report.viewed').waitFor();
    await timeline.getByText('plan.upgraded').waitFor();
    // An objection is never lost: Bob had withdrawn, so Ada has now.
    expect(await page.getByLabel('Consent', { exact: true }).textContent()).toMatch(/^withdrawn/);
    expect((await admin(maraUrl, `/admin/tenants/${tenantId}/contacts/${bobId}`)).status).toBe(404);
    const adaEvents = (await admin(maraUrl, `/admin/tenants/${tenantId}/contacts/${adaId}/events`)).json!.items as Array<{ type: string }>;
    expect(adaEvents.map((e) => e.type)).toEqual(expect.arrayContaining(['plan.upgraded', 'report.viewed']));

    // Suppressions: add an address with a reason, see its hash listed, lift it.
    await tenantNav.getByRole('link', { name: 'Suppressions' }).click();
    await page.getByRole('heading', { name: 'Suppressions', level: 2 }).waitFor();
    await page.getByText('No address is suppressed.').waitFor();
    await page.getByLabel('Email to suppress').fill('Carol@Example.com ');
    await page.getByLabel('Reason').fill('hard bounce');
    await page.getByRole('button', { name: 'Add suppression' }).click();
    const [{ hash }] = await suppressionRows(t, tenantId, 1);
    await page.getByRole('status').filter({ hasText: `Suppressed: hash ${hash}.` }).waitFor();
    const list = page.getByRole('table', { name: 'Suppressions' });
    await list.getByRole('row', { name: new RegExp(`^${hash} hard bounce `) }).waitFor();
    const listed = (await admin(maraUrl, `/admin/tenants/${tenantId}/suppressions`)).json!.items as Array<{ emailHash: string; reason: string }>;
    expect(listed).toEqual([expect.objectContaining({ emailHash: hash, reason: 'hard bounce' })]);
    await page.getByLabel('Email to lift').fill('carol@example.com');
    await page.getByRole('button', { name: 'Lift suppression' }).click();
    await page.getByRole('status').filter({ hasText: 'Lifted the suppression of carol@example.com.' }).waitFor();
    await page.getByText('No address is suppressed.').waitFor();
    expect((await admin(maraUrl, `/admin/tenants/${tenantId}/suppressions`)).json!.items).toEqual([]);

    // Erase Ada: a confirmation first; then back on the contacts, where a search finds nothing.
    await tenantNav.getByRole('link', { name: 'Contacts' }).click();
    await page.getByRole('link', { name: 'ada@example.com' }).click();
    await page.getByRole('heading', { name: 'Ada', level: 2 }).waitFor();
    await page.getByRole('button', { name: 'Erase contact' }).click();
    const dialog = page.getByRole('dialog', { name: 'Erase ada@example.com?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await dialog.count()).toBe(0);
    expect((await admin(maraUrl, `/admin/tenants/${tenantId}/contacts/${adaId}`)).status).toBe(200);
    await page.getByRole('button', { name: 'Erase contact' }).click();
    await dialog.getByRole('button', { name: 'Confirm erase' }).click();
    await page.getByRole('heading', { name: 'Contacts', level: 2 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/app/tenants/${tenantId}/contacts`);
    await page.getByRole('status').filter({ hasText: /^Erased ada@example\.com: / }).waitFor();
    await page.getByText('No contacts yet: send an identify or track op.').waitFor();
    await page.getByLabel('Email to find').fill('ada@example.com');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No contact matches.').waitFor();
    expect((await admin(maraUrl, `/admin/tenants/${tenantId}/contacts/${adaId}`)).status).toBe(404);
    expect((await admin(maraUrl, `/admin/tenants/${tenantId}/contacts?email=ada%40example.com`)).json!.items).toEqual([]);

    // Her addresses (her own and Bob's, an alias since the merge) are suppressed as `erased`.
    await tenantNav.getByRole('link', { name: 'Suppressions' }).click();
    await until(() => list.getByRole('row').count(), 3);
    expect(await list.getByRole('cell', { name: 'erased', exact: true }).count()).toBe(2);

    // The list pages with the API's cursor: 51 more entries make a second page.
    for (let i = 0; i < 51; i++) {
      const res = await fetch(`${maraUrl}/admin/tenants/${tenantId}/suppressions`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: `bounce${i}@example.com`, reason: 'hard bounce' }),
      });
      expect(res.status).toBe(201);
    }
    await page.reload();
    await until(() => list.getByRole('row').count(), 51);
    await page.getByRole('button', { name: 'Load more suppressions' }).click();
    await until(() => list.getByRole('row').count(), 54);
    expect(await page.getByRole('button', { name: 'Load more suppressions' }).count()).toBe(0);
    expect(await list.getByRole('cell', { name: 'hard bounce', exact: true }).count()).toBe(51);
  });
});

/** The tenant's suppression rows as the database holds them, once there are `n`. */
async function suppressionRows(t: TestApp, tenantId: string, n: number): Promise<Array<{ hash: string }>> {
  let rows: Array<{ hash: string }> = [];
  await until(async () => {
    rows = (await t.db.query('SELECT email_hash AS hash FROM suppressions WHERE tenant_id = $1', [tenantId])) as Array<{ hash: string }>;
    return rows.length;
  }, n);
  return rows;
}
