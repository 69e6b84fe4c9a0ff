import PgBoss from 'pg-boss';
import { adminAuth, bootApp, createTenant, resetDatabase, type TenantFixture, type TestApp } from '../support/app.js';
import { sendEvents, specApi } from '../support/api.js';
import { eventually, startSmtp, type TestSmtp } from '../support/smtp.js';

type Row = Record<string, unknown>;

/**
 * Email delivery when the SMTP server falters, against a real SMTP server that refuses, hangs,
 * greylists (4xx) or rejects (5xx). Timeouts and retry schedules are shortened through their
 * settings; the defaults are asserted in src/config/app-config.spec.ts.
 */
describe('journey email when SMTP falters', () => {
  let smtp: TestSmtp;
  let t: TestApp;
  let tenant: TenantFixture;
  // Five attempts: the first and four retries a second apart.
  const env = (): Record<string, string> => ({
    PROCESS_ROLE: 'all',
    SMTP_URL: smtp.url,
    SMTP_TIMEOUT_SECONDS: '1',
    SMTP_RETRY_SCHEDULE: '1s,1s,1s,1s',
    JOB_RETRY_LIMIT: '1',
    JOB_RETRY_DELAY_SECONDS: '1',
  });
  const { rows } = specApi(() => t, () => tenant);
  const message = async (): Promise<Row | undefined> =>
    (await rows('SELECT id, status, reason, attempts FROM messages ORDER BY created_at DESC LIMIT 1'))[0];
  const run = async (): Promise<Row | undefined> => (await rows('SELECT id, status, history FROM journey_runs ORDER BY created_at DESC LIMIT 1'))[0];
  const settledRun = (): Promise<Row> =>
    eventually(async () => {
      const r = await run();
      return r && r.status !== 'active' && r.status !== 'waiting' ? r : null;
    }, 30_000, 'the run to settle');

  /** One live journey emailing on `ping`, and one contact that triggers it. */
  async function startRun(email = 'ada@example.com'): Promise<void> {
    const journey = await t
      .http()
      .post(`/admin/tenants/${tenant.tenantId}/journeys`)
      .set(adminAuth)
      .send({ name: 'Ping', trigger: { type: 'event', eventType: 'ping' }, steps: [{ type: 'send_email', subject: 'Hi {{contact.name}}', text: 'Pong.' }] })
      .expect(201);
    await t.http().post(`/admin/tenants/${tenant.tenantId}/journeys/${journey.body.id}/approve`).set(adminAuth).expect(200);
    await sendEvents(t, tenant, { batch: [{ type: 'identify', userId: 'u1', email, name: 'Ada' }, { type: 'track', event: 'ping', userId: 'u1' }] })
      .expect(200);
  }

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await bootApp(env());
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });
  beforeEach(async () => {
    await resetDatabase(t.db);
    smtp.setMode('accept');
    smtp.reset();
    tenant = await createTenant(t);
  });

  it('retries a greylisted (4xx) send and delivers it exactly once when the server accepts', async () => {
    smtp.setMode('greylist');
    await startRun();
    const deferred = await eventually(async () => {
      const m = await message();
      return m?.status === 'deferred' ? m : null;
    }, 10_000, 'the deferred message');
    expect(deferred.reason).toMatch(/451/);
    expect((await run())!.status).toBe('active');
    await eventually(() => smtp.rcptAttempts >= 2, 10_000, 'a retry');

    smtp.setMode('accept');
    const done = await settledRun();
    expect(done.status).toBe('completed');
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0].to).toEqual(['ada@example.com']);
    const sent = await message();
    expect(sent).toMatchObject({ status: 'sent', reason: null });
    expect(sent!.attempts).toBeGreaterThanOrEqual(3);
    expect(done.history).toEqual([expect.objectContaining({ type: 'send_email', status: 'sent', messageId: sent!.id, reason: null })]);
  });

  it('fails a send the server rejects with 5xx at once, with its reason, and tries no more', async () => {
    smtp.setMode('reject');
    await startRun();
    const done = await settledRun();
    expect(done.status).toBe('failed');
    const failed = await message();
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed!.reason).toMatch(/550/);
    expect(done.history).toEqual([expect.objectContaining({ type: 'send_email', status: 'failed', reason: failed!.reason })]);
    expect(smtp.rcptAttempts).toBe(1);
    expect(smtp.received).toHaveLength(0);
  });

  it('retries while the server refuses connections, and delivers once it is back', async () => {
    const port = smtp.port;
    await smtp.close();
    try {
      await startRun();
      const deferred = await eventually(async () => {
        const m = await message();
        return m?.status === 'deferred' ? m : null;
      }, 10_000, 'the deferred message');
      expect(deferred.reason).toMatch(/ECONNREFUSED|connect/i);
    } finally {
      smtp = await startSmtp({ port });
    }
    const done = await settledRun();
    expect(done.status).toBe('completed');
    expect(smtp.received).toHaveLength(1);
    expect(await message()).toMatchObject({ status: 'sent', reason: null });
  });

  it('retries when the server hangs until the client times out, and delivers once it answers', async () => {
    smtp.setMode('hang');
    await startRun();
    const deferred = await eventually(async () => {
      const m = await message();
      return m?.status === 'deferred' ? m : null;
    }, 10_000, 'the deferred message');
    expect(deferred.reason).toMatch(/^ETIMEDOUT: /);
    smtp.setMode('accept');
    const done = await settledRun();
    expect(done.status).toBe('completed');
    expect(smtp.received).toHaveLength(1);
  });

  it('fails the run, not leaves it active, once the retries are used up', async () => {
    smtp.setMode('greylist');
    await startRun();
    const done = await settledRun();
    expect(done.status).toBe('failed');
    const failed = await message();
    expect(failed).toMatchObject({ status: 'failed', attempts: 5 });
    expect(failed!.reason).toMatch(/^gave up after 5 attempts: .*451/);
    expect(smtp.rcptAttempts).toBe(5);
    expect(smtp.received).toHaveLength(0);
  });

  it('fails the run once a step has failed every attempt for another reason (a database fault)', async () => {
    await t.db.query(`CREATE FUNCTION refuse_messages() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'could not extend file: No space left on device'; END $$`);
    await t.db.query('CREATE TRIGGER refuse_messages BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse_messages()');
    try {
      await startRun();
      const done = await settledRun();
      expect(done.status).toBe('failed');
      expect(done.history).toEqual([
        expect.objectContaining({ path: '0', type: 'send_email', status: 'failed', messageId: null, reason: expect.stringMatching(/^gave up after 2 attempts: .*No space left on device/) }),
      ]);
    } finally {
      await t.db.query('DROP TRIGGER refuse_messages ON messages');
      await t.db.query('DROP FUNCTION refuse_messages()');
    }
    expect(await rows('SELECT count(*)::int AS n FROM messages')).toEqual([{ n: 0 }]);
    expect(smtp.received).toHaveLength(0);
  });

  it('fails the run when the worker holding its last attempt died (the job expired)', async () => {
    // An API-only process enrolls; a worker takes the job and dies; a live worker expires it.
    const jobs = { ...t.config.jobs, retryLimit: 0, expireSeconds: 2, maintenanceIntervalSeconds: 1 };
    await t.close();
    t = await bootApp({ ...env(), PROCESS_ROLE: 'api' }, { config: { jobs } });
    await startRun();
    const dead = new PgBoss({ connectionString: t.config.databaseUrl, application_name: 'test-dead-worker', supervise: false, schedule: false, migrate: false });
    await dead.start();
    const [taken] = await dead.fetch('journey-step');
    expect(taken).toBeDefined();
    await dead.stop({ graceful: false, wait: true });

    await t.close();
    t = await bootApp(env(), { config: { jobs } });
    try {
      const done = await settledRun();
      expect(done.status).toBe('failed');
      expect(done.history).toEqual([
        expect.objectContaining({ type: 'send_email', status: 'failed', messageId: null, reason: expect.stringMatching(/^gave up after 1 attempt: .*timeout/) }),
      ]);
      expect(smtp.received).toHaveLength(0);
    } finally {
      await t.close();
      t = await bootApp(env());
    }
  });
});
