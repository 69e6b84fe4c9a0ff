import { adminAuth, bootApp, createTenant, resetDatabase, type TestApp } from '../support/app.js';
import { eventsRequest, sendEvents } from '../support/api.js';

describe('rate limit (docs/api.md#rate-limit)', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await bootApp();
    b = await bootApp();
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });
  beforeEach(() => resetDatabase(a.db));

  const track = (app: TestApp, tenantId: string, key: string, n: number) =>
    sendEvents(app, { tenantId, key }, { type: 'track', event: 'e', userId: 'u', messageId: `m-${n}` });

  it('with burst 3, the 4th request is 429 with Retry-After and writes nothing', async () => {
    const { tenantId, key } = await createTenant(a);
    await a.http().put(`/admin/tenants/${tenantId}/rate-limit`).set(adminAuth).send({ requestsPerHour: 3600, burst: 3 }).expect(200);
    const first = await track(a, tenantId, key, 1).expect(200);
    expect(first.headers['ratelimit-limit']).toBe('3');
    expect(first.headers['ratelimit-remaining']).toBe('2');
    expect(Number(first.headers['ratelimit-reset'])).toBeGreaterThanOrEqual(1);
    await track(a, tenantId, key, 2).expect(200);
    await track(a, tenantId, key, 3).expect(200);
    const limited = await track(a, tenantId, key, 4).expect(429);
    expect(limited.body).toEqual({ ok: false, code: 'rate_limited', message: expect.any(String) });
    expect(limited.headers['retry-after']).toBe('1');
    expect(limited.headers['ratelimit-remaining']).toBe('0');
    expect(await a.db.query("SELECT count(*)::int AS n FROM events WHERE message_id = 'm-4'")).toEqual([{ n: 0 }]);
  });

  it('is one bucket for two app instances on one database', async () => {
    const { tenantId, key } = await createTenant(a);
    await a.http().put(`/admin/tenants/${tenantId}/rate-limit`).set(adminAuth).send({ requestsPerHour: 1, burst: 3 }).expect(200);
    await track(a, tenantId, key, 1).expect(200);
    await track(b, tenantId, key, 2).expect(200);
    await track(a, tenantId, key, 3).expect(200);
    const limited = await track(b, tenantId, key, 4).expect(429);
    // One token an hour: the next one is about an hour away.
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(3000);
    await track(a, tenantId, key, 5).expect(429);
  });

  it('does not drain the bucket for requests with a bad key', async () => {
    const { tenantId, key } = await createTenant(a);
    await a.http().put(`/admin/tenants/${tenantId}/rate-limit`).set(adminAuth).send({ requestsPerHour: 1, burst: 2 }).expect(200);
    for (let i = 0; i < 5; i++) {
      await eventsRequest(a, tenantId, 'Bearer mara_ing_bad').send({}).expect(401);
    }
    await track(a, tenantId, key, 1).expect(200);
    await track(b, tenantId, key, 2).expect(200);
    await track(a, tenantId, key, 3).expect(429);
  });

  it('caps the current tokens at a lowered burst', async () => {
    const { tenantId, key } = await createTenant(a);
    await a.http().put(`/admin/tenants/${tenantId}/rate-limit`).set(adminAuth).send({ requestsPerHour: 1, burst: 1 }).expect(200);
    await track(a, tenantId, key, 1).expect(200);
    await track(a, tenantId, key, 2).expect(429);
  });
});
