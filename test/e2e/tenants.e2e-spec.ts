import { adminAuth, bootApp, createTenant, resetDatabase, type TestApp } from '../support/app.js';

describe('tenants admin API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootApp();
  });
  afterAll(() => t.close());
  beforeEach(() => resetDatabase(t.db));

  it('creates, lists and gets tenants', async () => {
    const created = await t.http().post('/admin/tenants').set(adminAuth).send({ name: '  Acme  ' }).expect(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Acme',
      createdAt: expect.any(String),
      eventsUrl: `http://mara.test/api/tenants/${created.body.id}/events`,
    });
    const got = await t.http().get(`/admin/tenants/${created.body.id}`).set(adminAuth).expect(200);
    expect(got.body).toEqual(created.body);
    const rows = await t.db.query('SELECT name FROM tenants WHERE id = $1', [created.body.id]);
    expect(rows).toEqual([{ name: 'Acme' }]);
  });

  it('pages the tenant list with a cursor', async () => {
    for (const name of ['a', 'b', 'c']) await t.http().post('/admin/tenants').set(adminAuth).send({ name }).expect(201);
    const first = await t.http().get('/admin/tenants?limit=2').set(adminAuth).expect(200);
    expect(first.body.items.map((i: { name: string }) => i.name)).toEqual(['a', 'b']);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await t.http().get(`/admin/tenants?limit=2&cursor=${first.body.nextCursor}`).set(adminAuth).expect(200);
    expect(second.body).toEqual({ items: [expect.objectContaining({ name: 'c' })], nextCursor: null });
  });

  it('answers 404 for unknown tenants and 400 for bad bodies', async () => {
    const missing = await t.http().get('/admin/tenants/00000000-0000-4000-8000-000000000000').set(adminAuth).expect(404);
    expect(missing.body).toEqual({ ok: false, code: 'not_found', message: 'tenant not found' });
    await t.http().get('/admin/tenants/not-a-uuid').set(adminAuth).expect(404);
    const bad = await t.http().post('/admin/tenants').set(adminAuth).send({ name: 42 }).expect(400);
    expect(bad.body).toEqual({ ok: false, code: 'bad_request', message: expect.stringMatching(/^name: /) });
    const extra = await t.http().post('/admin/tenants').set(adminAuth).send({ name: 'x', id: 'mine' }).expect(400);
    expect(extra.body.message).toContain('id: should not exist');
    expect(await t.db.query('SELECT count(*)::int AS n FROM tenants')).toEqual([{ n: 0 }]);
  });

  it('refuses admin routes without the admin token, compared exactly', async () => {
    for (const auth of [{}, { Authorization: 'Bearer wrong' }, { Authorization: `Bearer ${adminAuth.Authorization.slice(7)}x` }]) {
      const res = await t.http().get('/admin/tenants').set(auth).expect(401);
      expect(res.body).toEqual({ ok: false, code: 'unauthorized', message: 'missing or invalid admin token' });
    }
  });

  it('generates an ingestion key stored only as a hash', async () => {
    const { tenantId, key } = await createTenant(t);
    expect(key).toMatch(/^mara_ing_[A-Za-z0-9_-]{43,}$/);
    const dump: Array<{ row: string }> = await t.db.query(
      `SELECT row_to_json(x)::text AS row FROM (SELECT * FROM tenants) x
       UNION ALL SELECT row_to_json(y)::text FROM (SELECT * FROM tenant_secrets) y
       UNION ALL SELECT row_to_json(z)::text FROM (SELECT * FROM tenant_rate_limits) z`,
    );
    expect(dump.length).toBeGreaterThan(0);
    for (const { row } of dump) expect(row).not.toContain(key);
    for (const { row } of dump) expect(row).not.toContain(key.slice(9));
    const integrations = await t.http().get(`/admin/tenants/${tenantId}/integrations`).set(adminAuth).expect(200);
    expect(integrations.body.ingestionKey).toEqual({
      configured: true,
      keyPrefix: key.slice(0, 17),
      createdAt: expect.any(String),
    });
    expect(JSON.stringify(integrations.body)).not.toContain(key);
  });

  it('reads the integrations row', async () => {
    const created = await t.http().post('/admin/tenants').set(adminAuth).send({ name: 'Acme' }).expect(201);
    const id = created.body.id;
    const res = await t.http().get(`/admin/tenants/${id}/integrations`).set(adminAuth).expect(200);
    expect(res.body).toEqual({
      eventsUrl: `http://mara.test/api/tenants/${id}/events`,
      ingestionKey: { configured: false, keyPrefix: null, createdAt: null },
      signupEventType: null,
      webhooks: {
        stripe: { webhookUrl: `http://mara.test/api/webhooks/stripe/${id}`, secretConfigured: false },
        polar: { webhookUrl: `http://mara.test/api/webhooks/polar/${id}`, secretConfigured: false },
        clerk: { webhookUrl: `http://mara.test/api/webhooks/clerk/${id}`, secretConfigured: false },
      },
      clerkBackendApiKeyConfigured: false,
      rateLimit: { requestsPerHour: 600, burst: 600 },
    });
  });

  it('stores the signup event type and validates it', async () => {
    const { tenantId } = await createTenant(t);
    await t.http().put(`/admin/tenants/${tenantId}/signup-event`).set(adminAuth).send({ eventType: 'user.signed_up' }).expect(200);
    const res = await t.http().get(`/admin/tenants/${tenantId}/integrations`).set(adminAuth).expect(200);
    expect(res.body.signupEventType).toBe('user.signed_up');
    const bad = await t.http().put(`/admin/tenants/${tenantId}/signup-event`).set(adminAuth).send({ eventType: 'bad|type' }).expect(400);
    expect(bad.body.message).toMatch(/^eventType: /);
  });

  it('sets the rate limit within bounds', async () => {
    const { tenantId } = await createTenant(t);
    await t.http().put(`/admin/tenants/${tenantId}/rate-limit`).set(adminAuth).send({ requestsPerHour: 60, burst: 5 }).expect(200);
    const rows = await t.db.query('SELECT requests_per_hour, burst, tokens FROM tenant_rate_limits WHERE tenant_id = $1', [tenantId]);
    expect(rows).toEqual([{ requests_per_hour: 60, burst: 5, tokens: 5 }]);
    const bad = await t.http().put(`/admin/tenants/${tenantId}/rate-limit`).set(adminAuth).send({ requestsPerHour: 0, burst: 5 }).expect(400);
    expect(bad.body.message).toMatch(/^requestsPerHour: /);
  });
});
