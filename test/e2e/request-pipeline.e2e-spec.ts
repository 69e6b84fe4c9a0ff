import { gzipSync } from 'node:zlib';
import { adminAuth, bootApp, createTenant, resetDatabase, type TestApp } from '../support/app.js';
import { eventually } from '../support/smtp.js';

/** The steps every request passes before its handler: id, access line, body reader and policy. */
describe('request pipeline', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootApp();
  });
  afterAll(() => t.close());
  beforeEach(() => resetDatabase(t.db));

  const accessLine = (requestId: string): Promise<Record<string, unknown>> =>
    eventually(
      () => {
        const line = t.logs.find((l) => l.includes('"msg":"request"') && l.includes(`"requestId":"${requestId}"`));
        return line ? (JSON.parse(line) as Record<string, unknown>) : null;
      },
      5000,
      `the access line of ${requestId}`,
    );

  it('writes the domain reason of an error answer on its access line, not on the wire', async () => {
    const { tenantId } = await createTenant(t);
    const base = `/admin/tenants/${tenantId}/journeys`;
    const definition = { name: 'J', trigger: { type: 'event', eventType: 'e' }, steps: [{ type: 'wait', seconds: 1 }] };
    const { body: journey } = await t.http().post(base).set(adminAuth).send(definition).expect(201);
    await t.http().post(`${base}/${journey.id}/approve`).set(adminAuth).expect(200);
    const refused = await t.http().patch(`${base}/${journey.id}`).set(adminAuth).set('X-Request-Id', 'req-409').send({ name: 'x' }).expect(409);
    expect(Object.keys(refused.body).sort()).toEqual(['code', 'message', 'ok']);
    expect(await accessLine('req-409')).toMatchObject({ status: 409, error: 'journey.active_not_editable', method: 'PATCH' });

    const big = JSON.stringify({ name: 'x'.repeat(1024 * 1024) });
    const tooLarge = await t.http().post('/admin/tenants').set(adminAuth).set('X-Request-Id', 'req-413').set('Content-Type', 'application/json').send(big);
    expect([tooLarge.status, tooLarge.body]).toEqual([413, { ok: false, code: 'payload_too_large', message: 'body: exceeds 1048576 bytes' }]);
    expect(await accessLine('req-413')).toMatchObject({ status: 413, error: 'request.body_too_large' });

    const ok = await t.http().get(`/admin/tenants/${tenantId}`).set(adminAuth).set('X-Request-Id', 'req-200').expect(200);
    expect(ok.headers['x-request-id']).toBe('req-200');
    expect(await accessLine('req-200')).not.toHaveProperty('error');
  });

  it('refuses a compressed body (415) rather than reading it as text', async () => {
    const res = await t
      .http()
      .post('/admin/tenants')
      .set(adminAuth)
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .send(gzipSync(JSON.stringify({ name: 'Zipped' })));
    expect([res.status, res.body.code]).toEqual([415, 'unsupported_media_type']);
    expect(await t.db.query('SELECT count(*)::int AS n FROM tenants')).toEqual([{ n: 0 }]);
  });

  it('answers 404 for an unknown route whatever body it carries, and gives every answer a request id', async () => {
    const res = await t.http().post('/no/such/route').set('Content-Type', 'text/plain').send('hello').expect(404);
    expect(res.body).toEqual({ ok: false, code: 'not_found', message: 'no route for POST /no/such/route' });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    // Swagger's routes sit outside Nest's router, and pass through the same first steps.
    const doc = await t.http().get('/openapi.json').set('X-Request-Id', 'req-doc').expect(200);
    expect(doc.headers['x-request-id']).toBe('req-doc');
  });
});
