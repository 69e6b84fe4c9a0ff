import { EmailOutbox } from '../../src/journeys/email-outbox.service.js';
import { bootApp, createTenant, resetDatabase, type TestApp } from '../support/app.js';
import { sendEvents } from '../support/api.js';
import { eventually } from '../support/smtp.js';

/** What reaches the log: errors with their message, and no unsubscribe token whatever its case. */
describe('log lines', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootApp({ PROCESS_ROLE: 'all' });
  });
  afterAll(() => t.close());
  beforeEach(() => resetDatabase(t.db));

  it('redacts unsubscribe tokens in the access log in any letter case of the route', async () => {
    const tenant = await createTenant(t);
    const res = await sendEvents(t, tenant, { type: 'identify', userId: 'u1', email: 'u1@example.com' })
      .expect(200);
    const url = t.app.get(EmailOutbox).unsubscribeUrl(tenant.tenantId, res.body.results[0].contactId);
    const token = new URL(url).pathname.split('/')[2];
    expect(token.length).toBeGreaterThan(40);

    // Routing ignores case, so these reach the unsubscribe route too.
    await t.http().get(`/U/${token}`).expect(200);
    await t.http().head(`/U/${token}?x=1`).expect(200);
    await t.http().get(`/u/${token}`).expect(200);
    await eventually(() => t.logs.filter((l) => l.includes('"msg":"request"')).length >= 4, 5000, 'the access log lines');

    const lines = t.logs.join('\n');
    expect(lines).not.toContain(token);
    expect(lines).not.toContain(token.slice(0, 24));
    expect(t.logs.filter((l) => /"path":"\/u\/\[redacted\]"/i.test(l)).length).toBeGreaterThanOrEqual(3);
  });

  it('logs job queue errors as errors with their message, never as [object Object]', async () => {
    // A real fault under pg-boss: the server drops the queue's idle connections.
    await t.db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'mara-jobs' AND datname = current_database()`);
    const isQueueError = (l: string): boolean => l.includes('"level":50') && l.includes('job queue error');
    await eventually(() => t.logs.some(isQueueError), 10_000, 'the queue error line');
    const line = JSON.parse(t.logs.find(isQueueError)!);
    expect(line.err.message).toMatch(/terminating connection due to administrator command/);
    expect(typeof line.err.stack).toBe('string');
    expect(line.err.code).toBe('57P01');
    expect(t.logs.join('\n')).not.toContain('[object Object]');
  });
});
