import type { AddressInfo } from 'node:net';
import { adminAuth, bootApp, createTenant, resetDatabase, type TenantFixture, type TestApp } from '../support/app.js';
import { specApi } from '../support/api.js';
import { configureSecrets, deliver, fixture } from '../support/webhooks.js';

/** Sends bytes exactly as given (supertest would re-encode them). */
async function rawPost(
  app: TestApp,
  path: string,
  body: Buffer,
  headers: Record<string, string>,
): Promise<{ status: number; body: unknown }> {
  const server = app.app.getHttpServer();
  if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: res.status, body: await res.json() };
}

describe('error envelope (docs/api.md#errors)', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  const { eventsRequest: events, count } = specApi(() => t, () => tenant);
  const eventCount = (): Promise<number> => count('events');

  beforeAll(async () => {
    t = await bootApp();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await resetDatabase(t.db);
    tenant = await createTenant(t);
  });

  it('answers malformed JSON with 400', async () => {
    const res = await events().set('Content-Type', 'application/json').send('{"type": "track",').expect(400);
    expect(res.body).toEqual({ ok: false, code: 'bad_request', message: expect.stringMatching(/^body: is not valid JSON/) });
  });

  it('answers invalid UTF-8 with 400', async () => {
    const bytes = Buffer.concat([Buffer.from('{"type":"track","event":"a","userId":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const res = await rawPost(t, `/api/tenants/${tenant.tenantId}/events`, bytes, { authorization: `Bearer ${tenant.key}` });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ ok: false, code: 'bad_request', message: 'body: is not valid UTF-8' });
  });

  it('answers the NUL character with 400 naming the field', async () => {
    const res = await events().send({ batch: [{ type: 'identify', userId: 'u', traits: { bad: 'a\u0000b' } }] }).expect(400);
    expect(res.body).toEqual({ ok: false, code: 'bad_request', message: 'batch[0].traits.bad: must not contain the NUL character' });
  });

  it('answers nesting deeper than 32 levels with 400', async () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 40; i++) deep = { d: deep };
    const res = await events().send({ type: 'identify', userId: 'u', traits: deep as object }).expect(400);
    expect(res.body.code).toBe('bad_request');
    expect(res.body.message).toMatch(/nests deeper than 32 levels$/);
  });

  it('answers bodies over 1 MB with 413', async () => {
    const body = JSON.stringify({ batch: [{ type: 'identify', userId: 'u', traits: { a: 'x'.repeat(1024 * 1024) } }] });
    const res = await events().set('Content-Type', 'application/json').send(body).expect(413);
    expect(res.body).toEqual({ ok: false, code: 'payload_too_large', message: expect.any(String) });
    expect(await eventCount()).toBe(0);
  });

  it('answers non-JSON content types with 415', async () => {
    const res = await events().set('Content-Type', 'text/plain').send('type=track').expect(415);
    expect(res.body).toEqual({ ok: false, code: 'unsupported_media_type', message: 'Content-Type must be application/json' });
    await events().set('Content-Type', 'application/json; charset=utf-8').send('{"type":"track","event":"a","userId":"u"}').expect(200);
  });

  it('answers unknown routes with 404', async () => {
    const res = await t.http().get('/no/such/route').expect(404);
    expect(res.body).toEqual({ ok: false, code: 'not_found', message: 'no route for GET /no/such/route' });
    const admin = await t.http().get('/admin/tenants/x/y/z').set(adminAuth).expect(404);
    expect(admin.body.code).toBe('not_found');
  });

  it('answers health routes', async () => {
    expect((await t.http().get('/health').expect(200)).body).toEqual({ status: 'ok' });
    expect((await t.http().get('/health/ready').expect(200)).body).toEqual({ status: 'ok', database: 'ok' });
  });

  it('serves Prometheus metrics by route pattern, without ids or keys', async () => {
    await events().send({ type: 'track', event: 'a', userId: 'u' }).expect(200);
    const res = await t.http().get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/^http_requests_total\{method="POST",route="\/api\/tenants\/:tenantId\/events",status="200"\} \d+$/m);
    expect(res.text).toMatch(/^mara_ops_total\{connector="events_api",status="ok"\} \d+$/m);
    expect(res.text).not.toContain(tenant.tenantId);
    expect(res.text).not.toContain(tenant.key);
  });

  it('has a real duration histogram per route, and the default process metrics', async () => {
    await events().send({ type: 'track', event: 'a', userId: 'u' }).expect(200);
    const text = (await t.http().get('/metrics').expect(200)).text;
    const labels = 'method="POST",route="/api/tenants/:tenantId/events",status="200"';
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    const series = (suffix: string, le = ''): number => {
      const line = text.split('\n').find((l) => l.startsWith(`http_request_duration_seconds_${suffix}{${le}${labels}}`));
      if (!line) throw new Error(`no ${suffix} ${le} line in:\n${text}`);
      return Number(line.split(' ').pop());
    };
    const count = series('count');
    expect(count).toBeGreaterThanOrEqual(1);
    expect(series('bucket', 'le="+Inf",')).toBe(count);
    expect(series('bucket', 'le="0.005",')).toBeLessThanOrEqual(series('bucket', 'le="10",'));
    expect(series('sum')).toBeGreaterThan(0);
    // A request no route matched is one series, not one per path.
    await t.http().get(`/no/such/${tenant.tenantId}`).expect(404);
    const after = (await t.http().get('/metrics').expect(200)).text;
    expect(after).toMatch(/^http_requests_total\{method="GET",route="unmatched",status="404"\} \d+$/m);
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'process_uptime_seconds']) {
      expect(after).toMatch(new RegExp(`^${name} [\\d.e+-]+$`, 'm'));
    }
  });

  it('counts webhook ops at the one recording path, once the delivery commits', async () => {
    const opsOf = async (connector: string, status: string): Promise<number> => {
      const text = (await t.http().get('/metrics').expect(200)).text;
      const line = text.split('\n').find((l) => l.startsWith(`mara_ops_total{connector="${connector}",status="${status}"}`));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    await configureSecrets(t, tenant.tenantId);
    const before = await opsOf('stripe', 'ok');
    const payload = fixture('stripe', 'customer.subscription.created');
    await deliver(t, 'stripe', tenant.tenantId, payload).expect(200);
    const recorded = (await t.db.query('SELECT count(*)::int AS n FROM events WHERE source = $1', ['stripe']))[0].n;
    expect(recorded).toBeGreaterThan(0);
    // At least its events (a delivery may also identify the contact: one more op).
    const counted = await opsOf('stripe', 'ok');
    expect(counted).toBeGreaterThanOrEqual(before + recorded);
    // A redelivery records nothing, and counts nothing.
    expect((await deliver(t, 'stripe', tenant.tenantId, payload).expect(200)).body.status).toBe('duplicate');
    expect(await opsOf('stripe', 'ok')).toBe(counted);
  });

  describe('a failure after the first write of a batch', () => {
    afterEach(() => t.db.query('ALTER TABLE events DROP CONSTRAINT IF EXISTS test_injected_failure'));

    it('answers 500 infra, leaves no row behind, and a retry writes each op once', async () => {
      await t.db.query(`ALTER TABLE events ADD CONSTRAINT test_injected_failure CHECK (type <> 'boom')`);
      const body = {
        batch: [
          { type: 'identify', userId: 'u_1', email: 'a@x.io', traits: { plan: 'pro' } },
          { type: 'track', event: 'fine', userId: 'u_1', messageId: 'm-1' },
          { type: 'track', event: 'boom', userId: 'u_2', messageId: 'm-2' },
        ],
      };
      const res = await events().send(body).expect(500);
      expect(res.body).toEqual({ ok: false, code: 'infra', message: expect.stringMatching(/^internal error/) });
      expect(res.body.message).not.toMatch(/constraint|test_injected_failure|events/);
      expect(await t.db.query('SELECT count(*)::int AS n FROM contacts')).toEqual([{ n: 0 }]);
      expect(await eventCount()).toBe(0);
      const requestId = res.headers['x-request-id'];
      const logged = t.logs.find((l) => l.includes(requestId) && l.includes('unhandled error'));
      expect(logged).toContain('test_injected_failure');
      // The failed query's parameters (message ids, properties) stay out of the log.
      expect(logged).not.toContain('m-2');

      await t.db.query('ALTER TABLE events DROP CONSTRAINT test_injected_failure');
      const retry = await events().send(body).expect(200);
      expect(retry.body.results.map((r: { status: string }) => r.status)).toEqual(['ok', 'ok', 'ok']);
      const again = await events().send(body).expect(200);
      expect(again.body.results.map((r: { status: string }) => r.status)).toEqual(['ok', 'duplicate', 'duplicate']);
      expect(await t.db.query('SELECT message_id FROM events ORDER BY message_id')).toEqual([
        { message_id: 'm-1' },
        { message_id: 'm-2' },
      ]);
    });
  });
});
