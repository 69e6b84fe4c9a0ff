/**
 * Journeys in the dashboard, in headless Chromium against the real server, its workers and a
 * real SMTP server (docs/dashboard.md#journeys): a draft built in the structured form, edited in
 * the raw JSON view, approved; an event from the Events API enrolls a contact; the run's step
 * history, the email preview and the contact's timeline show what happened. Controls are found
 * by role and accessible name only.
 */
import http from 'node:http';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
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
import { startSmtp, type TestSmtp } from '../support/smtp.js';

const SCREENSHOTS = process.env.MARA_SCREENSHOTS_DIR ? path.resolve(process.env.MARA_SCREENSHOTS_DIR) : null;

const TEAM_HTML = '<p>Hi <b>{{contact.name}}</b>, your team has {{contact.attributes.seats}} seats.</p>';

/** What the structured form below must produce: every field of a journey. */
const FORM_BODY = {
  name: 'Trial nudge',
  trigger: { type: 'event', eventType: 'trial.started', where: [{ field: 'event.properties.plan', op: 'eq', value: 'pro' }] },
  reentry: 'once',
  exitOn: ['trial.cancelled'],
  maxEventAgeSeconds: 86400,
  steps: [
    { type: 'send_email', subject: 'Your trial, {{contact.name}}', text: 'Your {{event.properties.plan}} trial started.' },
    {
      type: 'branch',
      if: [{ field: 'contact.attributes.seats', op: 'gte', value: 3 }],
      then: [{ type: 'send_email', subject: 'A team plan for {{contact.name}}', text: 'Teams save with the team plan.', html: TEAM_HTML }],
      else: [{ type: 'update_contact', attributes: { nudge: 'solo' } }],
    },
    { type: 'wait', seconds: 3600 },
    { type: 'send_email', subject: 'Trial check-in', text: 'How is it going?' },
  ],
};

/** Clicks the page's refresh button until `target` shows (or fails after the deadline). */
async function refreshUntil(page: Page, button: string, target: Locator, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await target.count()) === 0) {
    if (Date.now() > deadline) throw new Error(`still not shown after refreshing with "${button}" for ${timeoutMs} ms`);
    await page.getByRole('button', { name: button }).click();
    await page.getByRole('button', { name: button, disabled: false }).waitFor();
    await page.waitForTimeout(100); // the poll's interval
  }
}

const REFUSED_SAVE =
  /^console: Failed to load resource: the server responded with a status of 400 \(Bad Request\) \(http:\/\/127\.0\.0\.1:\d+\/admin\/tenants\/[0-9a-f-]{36}\/journeys\)$/;

async function admin(baseUrl: string, route: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${baseUrl}${route}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

describe('Journeys in the dashboard (Chromium)', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  let maraUrl: string;
  let browser: Browser;
  const pages = new PageWatch(() => browser);
  /** How many 400 answers to a journey save the test provoked (each shows as a console error). */
  let refusalsProvoked = 0;

  const newPage = (): Promise<Page> => pages.open();

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await bootApp({ PROCESS_ROLE: 'all', SMTP_URL: smtp.url, SMTP_FROM: 'Mara <hello@mara.test>' }, { listen: true });
    maraUrl = urlOf(t.app.getHttpServer() as http.Server);
    browser = await launchBrowser();
    if (SCREENSHOTS) await mkdir(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await smtp?.close();
  });

  beforeEach(async () => {
    await resetDatabase(t.db);
    await browser.context.clearCookies();
    smtp.received.length = 0;
  });

  afterEach(async () => {
    const errors = await pages.closeAll();
    // Chromium logs every 4xx answer; the refusals a test provokes on purpose are counted, not ignored.
    const refused = errors.filter((e) => REFUSED_SAVE.test(e));
    expect(refused).toHaveLength(refusalsProvoked);
    expect(errors.filter((e) => !REFUSED_SAVE.test(e))).toEqual([]);
    refusalsProvoked = 0;
  });

  it('builds a draft in the form (a filter, a branch), edits it as raw JSON, approves it; an event enrolls a contact whose run, preview and timeline show', async () => {
    const page = await newPage();
    await signIn(page, maraUrl, ADMIN_TOKEN);
    const tenantId = await createTenantInPage(page, 'Acme');
    const key = await generateKeyInPage(page);
    await page.getByRole('button', { name: 'I have copied it' }).click();
    const identified = await postEvents(maraUrl, tenantId, key, {
      batch: [
        { type: 'identify', userId: 'u_ada', email: 'ada@example.com', name: 'Ada', traits: { seats: 5 } },
        { type: 'identify', userId: 'u_bob', email: 'bob@example.com', name: 'Bob', traits: { seats: 1 } },
      ],
    });
    expect(identified.status).toBe(200);

    // The structured form: every field of a journey.
    await page.getByRole('navigation', { name: 'Tenant' }).getByRole('link', { name: 'Journeys' }).click();
    await page.getByRole('link', { name: 'New journey' }).click();
    await page.getByRole('heading', { name: 'New journey', level: 2 }).waitFor();
    await page.getByLabel('Journey name').fill('Trial nudge');
    await page.getByLabel('Trigger event type').fill('trial.started');
    await page.getByRole('button', { name: 'Add trigger filter' }).click();
    // A field the API does not know: the server's refusal names its path.
    await page.getByLabel('Trigger filter 1 field').fill('plan');
    await page.getByLabel('Trigger filter 1 value', { exact: true }).fill('pro');
    await page.getByLabel('Exit on event types').fill('trial.cancelled');
    await page.getByLabel('Step 1 subject').fill('Your trial, {{contact.name}}');
    await page.getByLabel('Step 1 text').fill('Your {{event.properties.plan}} trial started.');

    await page.getByRole('button', { name: 'Add branch step to the journey' }).click();
    await page.getByLabel('Step 2 condition 1 field').fill('contact.attributes.seats');
    await page.getByLabel('Step 2 condition 1 operator').selectOption({ label: 'at least' });
    await page.getByLabel('Step 2 condition 1 value type').selectOption({ label: 'number' });
    await page.getByLabel('Step 2 condition 1 value', { exact: true }).fill('3');
    await page.getByRole('button', { name: 'Add email step to step 2 then' }).click();
    await page.getByLabel('Step 2 then 1 subject').fill('A team plan for {{contact.name}}');
    await page.getByLabel('Step 2 then 1 text').fill('Teams save with the team plan.');
    await page.getByLabel('Step 2 then 1 HTML').fill(TEAM_HTML);
    await page.getByRole('button', { name: 'Add update contact step to step 2 else' }).click();
    await page.getByRole('button', { name: 'Add attribute to step 2 else 1' }).click();
    await page.getByLabel('Step 2 else 1 attribute 1 name').fill('nudge');
    await page.getByLabel('Step 2 else 1 attribute 1 value', { exact: true }).fill('solo');
    await page.getByRole('button', { name: 'Add wait step to the journey' }).click();
    await page.getByLabel('Step 3 wait seconds').fill('3600');
    await page.getByRole('button', { name: 'Add email step to the journey' }).click();
    await page.getByLabel('Step 4 subject').fill('Trial check-in');
    await page.getByLabel('Step 4 text').fill('How is it going?');

    await page.getByRole('button', { name: 'Create draft' }).click();
    refusalsProvoked += 1;
    const refusal = page.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/^Not saved: trigger\.where\[0\]\.field: /);
    expect(await t.db.query('SELECT count(*)::int AS n FROM journeys')).toEqual([{ n: 0 }]);

    await page.getByLabel('Trigger filter 1 field').fill('event.properties.plan');
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'journey-editor.png'), fullPage: true });
    await page.getByRole('button', { name: 'Create draft' }).click();
    await page.getByRole('heading', { name: 'Trial nudge', level: 2 }).waitFor();
    const journeyId = /\/journeys\/([0-9a-f-]{36})$/.exec(page.url())![1];
    const created = await admin(maraUrl, `/admin/tenants/${tenantId}/journeys/${journeyId}`);
    expect(created).toMatchObject({ ...FORM_BODY, status: 'draft' });
    expect(await page.getByRole('list', { name: 'Trigger filters' }).textContent()).toBe('event.properties.plan equals "pro"');

    // The raw JSON view shows the exact body, and takes an edited one.
    await page.getByRole('link', { name: 'Edit journey' }).click();
    await page.getByRole('button', { name: 'Raw JSON' }).click();
    const json = page.getByLabel('Journey JSON');
    expect(JSON.parse(await json.inputValue())).toEqual(FORM_BODY);
    const edited = { ...FORM_BODY, name: 'Trial nudge v2', maxEventAgeSeconds: 3600 };
    await json.fill('{ "name": ');
    expect(await page.getByRole('alert').textContent()).toMatch(/^Not valid JSON: /);
    expect(await page.getByRole('button', { name: 'Save draft' }).isDisabled()).toBe(true);
    await json.fill(JSON.stringify(edited, null, 2));
    // The form shows what the JSON says.
    await page.getByRole('button', { name: 'Form', exact: true }).click();
    expect(await page.getByLabel('Journey name').inputValue()).toBe('Trial nudge v2');
    expect(await page.getByLabel('Max event age (seconds)').inputValue()).toBe('3600');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByRole('heading', { name: 'Trial nudge v2', level: 2 }).waitFor();
    expect(await admin(maraUrl, `/admin/tenants/${tenantId}/journeys/${journeyId}`)).toMatchObject({ ...edited, status: 'draft' });

    await page.getByRole('button', { name: 'Approve Trial nudge v2' }).click();
    await page.getByRole('button', { name: 'Pause Trial nudge v2' }).waitFor();
    expect(await page.getByRole('link', { name: 'Edit journey' }).count()).toBe(0);

    // Events: Ada's matches the filter and enrolls her; Bob's plan does not.
    const sent = await postEvents(maraUrl, tenantId, key, {
      batch: [
        { type: 'track', event: 'trial.started', userId: 'u_ada', messageId: 'trial-ada', properties: { plan: 'pro' } },
        { type: 'track', event: 'trial.started', userId: 'u_bob', messageId: 'trial-bob', properties: { plan: 'free' } },
      ],
    });
    expect(sent.status).toBe(200);
    // Enrollment happens in the transaction that writes the event: the run is there already.
    const runs: Array<{ id: string }> = await t.db.query('SELECT id FROM journey_runs WHERE journey_id = $1', [journeyId]);
    expect(runs).toHaveLength(1);
    const runId = runs[0].id;
    const runsTable = page.getByRole('table', { name: 'Runs' });
    await refreshUntil(page, 'Refresh runs', runsTable.getByRole('link', { name: `Run ${runId}` }));
    await runsTable.getByRole('link', { name: `Run ${runId}` }).click();
    await page.getByRole('heading', { name: `Run ${runId.slice(0, 8)}`, level: 2 }).waitFor();

    // The step history: the first email, the branch (then, with its condition), its email, the wait.
    const history = page.getByRole('table', { name: 'Step history' });
    await refreshUntil(page, 'Refresh run', history.getByRole('row', { name: /^2 wait scheduled / }));
    for (const row of [/^0 send_email sent /, /^1 branch then /, /^1\.then\.0 send_email sent /, /^2 wait scheduled \S.* until \d/]) {
      expect(await history.getByRole('row', { name: row }).count()).toBe(1);
    }
    expect(await history.getByRole('row').count()).toBe(5);
    expect(await page.getByRole('list', { name: 'Step 2 branch outcome' }).textContent()).toBe('contact.attributes.seats at least 3: true');
    expect(await page.getByLabel('Exit reason').textContent()).toBe('none');
    expect(smtp.received.map((m) => m.headers.subject)).toEqual(['Your trial, Ada', 'A team plan for Ada']);

    // An exit event ends the waiting run at once; the run says why.
    const cancelled = await postEvents(maraUrl, tenantId, key, { type: 'track', event: 'trial.cancelled', userId: 'u_ada', messageId: 'cancel-ada' });
    expect(cancelled.status).toBe(200);
    const exitReason = page.getByLabel('Exit reason').filter({ hasText: /^exited on trial\.cancelled \(event [0-9a-f-]{36}\)$/ });
    await refreshUntil(page, 'Refresh run', exitReason);
    expect(await page.getByText('exited', { exact: true }).count()).toBe(1);
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'journey-run.png'), fullPage: true });

    // The email preview of the branch's email, for Ada: rendered, sent nowhere.
    await page.getByRole('link', { name: 'Back to the journey' }).click();
    await page.getByLabel('Email step').selectOption({ label: 'Step 2 then 1: A team plan for {{contact.name}}' });
    await page.getByLabel('Contact email, external id or id').fill('ada@example.com');
    await page.getByRole('button', { name: 'Preview email' }).click();
    const preview = page.getByRole('region', { name: 'Email preview' });
    await preview.waitFor();
    expect(await preview.getByLabel('Preview subject').textContent()).toBe('A team plan for Ada');
    expect(await preview.getByLabel('Preview text').textContent()).toBe('Teams save with the team plan.');
    const frame = preview.getByTitle('Preview HTML').contentFrame();
    await frame.getByText('your team has 5 seats.').waitFor();
    expect(await frame.getByRole('paragraph').innerHTML()).toBe('Hi <b>Ada</b>, your team has 5 seats.');
    expect(smtp.received).toHaveLength(2);
    expect(await t.db.query('SELECT count(*)::int AS n FROM messages')).toEqual([{ n: 2 }]);

    // Ada's page: events and messages newest first, and her run.
    await page.getByRole('navigation', { name: 'Tenant' }).getByRole('link', { name: 'Contacts' }).click();
    await page.getByRole('link', { name: 'ada@example.com' }).click();
    await page.getByRole('heading', { name: 'Ada', level: 2 }).waitFor();
    const timeline = page.getByRole('list', { name: 'Timeline' });
    await until(() => timeline.getByRole('listitem').count(), 4);
    const entries = (await timeline.getByRole('listitem').allTextContents()).map((text) => /^(event|email) (\S+(?: \S+)*?) \d/.exec(text)?.slice(1, 3).join(' '));
    expect(entries).toEqual([
      'event trial.cancelled',
      'email A team plan for Ada',
      'email Your trial, Ada',
      'event trial.started',
    ]);
    const contactRuns = page.getByRole('table', { name: 'Journey runs' });
    await contactRuns.getByRole('row', { name: new RegExp(`^Run ${runId} exited `) }).waitFor();
    expect(await contactRuns.getByRole('row').count()).toBe(2);
    // The run names its journey (looked up by the journey id the run holds), linking to it.
    await contactRuns.getByRole('row', { name: new RegExp(`^Run ${runId} exited Trial nudge v2 trial\\.started `) }).waitFor();
    await contactRuns.getByRole('link', { name: 'Trial nudge v2', exact: true }).click();
    await page.getByRole('heading', { name: 'Trial nudge v2', level: 2 }).waitFor();
    expect(new URL(page.url()).pathname).toMatch(new RegExp(`^/app/tenants/${tenantId}/journeys/[0-9a-f-]{36}$`));
  });
});
