import { bootApp, createTenant, resetDatabase, type TestApp } from '../support/app.js';
import { sendEvents, tenantAdmin } from '../support/api.js';
import { eventually, sleep } from '../support/smtp.js';

/** API-only and worker-only processes on one database: the API schedules, the worker runs. */
describe('PROCESS_ROLE: api and worker processes scale separately', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await bootApp({ PROCESS_ROLE: 'api' });
  });
  afterAll(() => api.close());
  beforeEach(() => resetDatabase(api.db));

  it('an api process runs no step; a worker process started later runs the run', async () => {
    const tenant = await createTenant(api);
    const admin = (method: 'post', path: string) => tenantAdmin(api, tenant.tenantId, method, path);
    const journey = await admin('post', '/journeys')
      .send({ name: 'Hello', trigger: { type: 'event', eventType: 'hello' }, steps: [{ type: 'send_email', subject: 'Hi {{contact.name}}', text: 'x' }] })
      .expect(201);
    await admin('post', `/journeys/${journey.body.id}/approve`).expect(200);
    await sendEvents(api, tenant, { batch: [{ type: 'identify', userId: 'u', email: 'u@example.com', name: 'Uma' }, { type: 'track', event: 'hello', userId: 'u' }] })
      .expect(200);
    expect(await api.db.query('SELECT count(*)::int AS n FROM journey_runs')).toEqual([{ n: 1 }]);
    await sleep(1500);
    expect(await api.db.query('SELECT count(*)::int AS n FROM messages')).toEqual([{ n: 0 }]);

    const worker = await bootApp({ PROCESS_ROLE: 'worker' });
    try {
      const [message] = await eventually(async () => {
        const rows = await api.db.query('SELECT "to", subject, status FROM messages');
        return rows.length ? rows : null;
      }, 15_000, 'the worker to send');
      expect(message).toEqual({ to: 'u@example.com', subject: 'Hi Uma', status: 'captured' });
    } finally {
      await worker.close();
    }
  });
});
