import pg from 'pg';
import { adminAuth, bootApp, createTenant, resetDatabase, type TenantFixture, type TestApp, testDatabaseUrl } from '../support/app.js';
import { specApi } from '../support/api.js';
import { eventually } from '../support/smtp.js';

/**
 * Concurrent requests over the same contacts: every multi-row write takes its row locks in one
 * stable order, so two transactions never wait on each other in a cycle; and a deadlock that
 * happens anyway (another writer locking rows in its own order) is retried, not answered 500.
 */
describe('concurrent writes to the same contacts', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  const { events } = specApi(() => t, () => tenant);

  beforeAll(async () => {
    t = await bootApp({}, { listen: true });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await resetDatabase(t.db);
    tenant = await createTenant(t);
    await t.http().put(`/admin/tenants/${tenant.tenantId}/rate-limit`).set(adminAuth).send({ requestsPerHour: 1_000_000, burst: 100_000 }).expect(200);
  });

  it('answers 200 to 300 concurrent batches over the same known users, half of them in reverse order', async () => {
    const USERS = 30;
    const BATCHES = 300;
    const users = Array.from({ length: USERS }, (_, i) => `u${String(i).padStart(2, '0')}`);
    await events({ batch: users.map((u) => ({ type: 'identify', userId: u, email: `${u}@example.com` })) }).expect(200);
    // A `once` journey on the tracked event: every batch tries to start a run for every user.
    const journey = await t.http().post(`/admin/tenants/${tenant.tenantId}/journeys`).set(adminAuth).send({
      name: 'once',
      trigger: { type: 'event', eventType: 'seen' },
      steps: [{ type: 'wait', seconds: 86_400 }],
    }).expect(201);
    await t.http().post(`/admin/tenants/${tenant.tenantId}/journeys/${journey.body.id}/approve`).set(adminAuth).expect(200);

    const batch = (b: number) => {
      const order = b % 2 === 0 ? users : [...users].reverse();
      return {
        batch: order.flatMap((u) => [
          { type: 'identify', userId: u, traits: { [`b${b}`]: b, last: b } },
          { type: 'track', event: 'seen', userId: u, messageId: `m-${b}-${u}`, properties: { b } },
        ]),
      };
    };
    const answers = await Promise.all(Array.from({ length: BATCHES }, (_, b) => events(batch(b))));
    const statuses = answers.map((a) => a.status);
    // On a failure, the answers and the app's error lines say what went wrong.
    const failed = answers.filter((a) => a.status !== 200).map((a) => `${a.status} ${JSON.stringify(a.body)}`);
    const errors = failed.length === 0 ? [] : t.logs.filter((l) => /"level":(40|50)/.test(l)).slice(0, 5);
    expect({ failed: failed.slice(0, 3), errors }).toEqual({ failed: [], errors: [] });
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    for (const a of answers) expect(a.body.results.every((r: { status: string }) => r.status === 'ok')).toBe(true);

    // Every batch's traits were merged into every contact: no update was lost.
    const contacts: Array<{ external_id: string; keys: number }> = await t.db.query(
      `SELECT external_id, (SELECT count(*)::int FROM jsonb_object_keys(attributes) k WHERE k LIKE 'b%') AS keys
         FROM contacts WHERE tenant_id = $1 ORDER BY external_id`,
      [tenant.tenantId],
    );
    expect(contacts).toEqual(users.map((u) => ({ external_id: u, keys: BATCHES })));
    const [counts] = await t.db.query(
      `SELECT (SELECT count(*)::int FROM events WHERE tenant_id = $1) AS events,
              (SELECT count(*)::int FROM journey_runs WHERE tenant_id = $1) AS runs,
              (SELECT count(*)::int FROM contact_connectors WHERE tenant_id = $1) AS connectors`,
      [tenant.tenantId],
    );
    expect(counts).toEqual({ events: USERS * BATCHES, runs: USERS, connectors: USERS });
    // The stable lock order, not the retry, is what kept them apart.
    expect(t.logs.filter((l) => l.includes('40P01'))).toEqual([]);
  }, 120_000);

  it('retries a request whose transaction PostgreSQL aborted to break a deadlock, and answers 200', async () => {
    const created = await events({ batch: [
      { type: 'identify', userId: 'a', email: 'a@example.com' },
      { type: 'identify', userId: 'b', email: 'b@example.com' },
    ] }).expect(200);
    const ids: string[] = created.body.results.map((r: { contactId: string }) => r.contactId).sort();
    const [first, last] = ids;

    // Another writer holds the row the request locks last, then asks for the one it locks first:
    // a cycle. Its own deadlock_timeout is long, so the request's backend is the one that notices
    // and is aborted (SQLSTATE 40P01).
    const other = new pg.Client({ connectionString: testDatabaseUrl() });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query("SET LOCAL deadlock_timeout = '60s'");
      await other.query('SELECT 1 FROM contacts WHERE tenant_id = $1 AND id = $2 FOR UPDATE', [tenant.tenantId, last]);
      const otherPid: number = (await other.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;

      const answer = events({ batch: [
        { type: 'identify', userId: 'a', traits: { plan: 'pro' } },
        { type: 'identify', userId: 'b', traits: { plan: 'pro' } },
      ] }).then((r) => r);
      await eventually(async () => {
        const [row] = await t.db.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [otherPid]);
        return row.n > 0;
      }, 10_000, 'the request to wait for the other writer');
      // Granted once PostgreSQL aborts the request's first attempt.
      await other.query('SELECT 1 FROM contacts WHERE tenant_id = $1 AND id = $2 FOR UPDATE', [tenant.tenantId, first]);
      await other.query('COMMIT');

      const res = await answer;
      expect(res.status).toBe(200);
      expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['ok', 'ok']);
    } finally {
      await other.end();
    }
    const rows: Array<{ plan: string }> = await t.db.query(
      "SELECT attributes->>'plan' AS plan FROM contacts WHERE tenant_id = $1 ORDER BY external_id",
      [tenant.tenantId],
    );
    expect(rows).toEqual([{ plan: 'pro' }, { plan: 'pro' }]);
    expect(t.logs.some((l) => l.includes('40P01'))).toBe(true);
  });

  it('ends a run committed while an exit event waited for its contact: enrollment reads after the write', async () => {
    const created = await events({ type: 'identify', userId: 'x', email: 'x@example.com' }).expect(200);
    const contactId: string = created.body.results[0].contactId;
    const journey = await t.http().post(`/admin/tenants/${tenant.tenantId}/journeys`).set(adminAuth).send({
      name: 'dunning',
      trigger: { type: 'event', eventType: 'payment.failed' },
      exitOn: ['payment.recovered'],
      steps: [{ type: 'wait', seconds: 86_400 }, { type: 'send_email', subject: 'Pay', text: 'Please pay' }],
    }).expect(201);
    await t.http().post(`/admin/tenants/${tenant.tenantId}/journeys/${journey.body.id}/approve`).set(adminAuth).expect(200);

    // Another writer holds the contact's row (as a concurrent change of it would), so the exit
    // request, which also changes the contact, waits in its write.
    const other = new pg.Client({ connectionString: testDatabaseUrl() });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT 1 FROM contacts WHERE tenant_id = $1 AND id = $2 FOR NO KEY UPDATE', [tenant.tenantId, contactId]);
      const otherPid: number = (await other.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const exit = events({ batch: [
        { type: 'identify', userId: 'x', traits: { paid: true } },
        { type: 'track', event: 'payment.recovered', userId: 'x', messageId: 'recovered' },
      ] }).then((r) => r);
      await eventually(async () => {
        const [row] = await t.db.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [otherPid]);
        return row.n > 0;
      }, 10_000, 'the exit request to wait for the contact');
      // Meanwhile a track on the contact (which changes no contact row) starts the run, and commits.
      await events({ type: 'track', event: 'payment.failed', userId: 'x', messageId: 'failed' }).expect(200);
      const [run] = await t.db.query('SELECT id, status FROM journey_runs WHERE tenant_id = $1', [tenant.tenantId]);
      expect(run.status).toBe('waiting');
      await other.query('COMMIT');

      const res = await exit;
      expect(res.status).toBe(200);
      const [ended] = await t.db.query('SELECT status, exit_reason FROM journey_runs WHERE id = $1', [run.id]);
      const [recovered] = await t.db.query(`SELECT id FROM events WHERE tenant_id = $1 AND message_id = 'recovered'`, [tenant.tenantId]);
      expect(ended).toEqual({ status: 'exited', exit_reason: { eventType: 'payment.recovered', eventId: recovered.id } });
    } finally {
      await other.end();
    }
  });
});
