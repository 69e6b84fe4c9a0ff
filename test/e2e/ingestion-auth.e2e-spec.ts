import { adminAuth, bootApp, createTenant, resetDatabase, type TestApp } from '../support/app.js';
import { eventsRequest, sendEvents } from '../support/api.js';

describe('ingestion-key guard', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootApp();
  });
  afterAll(() => t.close());
  beforeEach(() => resetDatabase(t.db));

  const op = { type: 'track', event: 'a.b', userId: 'u1' };
  const post = (tenantId: string, auth?: string) => eventsRequest(t, tenantId, auth ?? null).send(op);
  const unauthorized = { ok: false, code: 'unauthorized', message: expect.any(String) };

  it('answers 412 no_ingestion_key for a tenant that never generated one', async () => {
    const created = await t.http().post('/admin/tenants').set(adminAuth).send({ name: 'NoKey' }).expect(201);
    const res = await post(created.body.id, 'Bearer mara_ing_whatever').expect(412);
    expect(res.body).toEqual({ ok: false, code: 'no_ingestion_key', message: expect.any(String) });
    expect(await t.db.query('SELECT count(*)::int AS n FROM events')).toEqual([{ n: 0 }]);
  });

  it('answers 401 for a missing, wrong or foreign key and an unknown tenant', async () => {
    const a = await createTenant(t, 'A');
    const b = await createTenant(t, 'B');
    expect((await post(a.tenantId).expect(401)).body).toEqual(unauthorized);
    expect((await post(a.tenantId, 'Bearer mara_ing_wrong').expect(401)).body).toEqual(unauthorized);
    expect((await post(a.tenantId, `Basic ${a.key}`).expect(401)).body).toEqual(unauthorized);
    expect((await post(a.tenantId, `Bearer ${b.key}`).expect(401)).body).toEqual(unauthorized);
    expect((await post('00000000-0000-4000-8000-000000000000', `Bearer ${a.key}`).expect(401)).body).toEqual(unauthorized);
    expect((await post('not-a-tenant', `Bearer ${a.key}`).expect(401)).body).toEqual(unauthorized);
    expect(await t.db.query('SELECT count(*)::int AS n FROM events')).toEqual([{ n: 0 }]);
    await post(a.tenantId, `Bearer ${a.key}`).expect(200);
  });

  it('revokes the old key at once when a new one is generated', async () => {
    const { tenantId, key: oldKey } = await createTenant(t);
    await post(tenantId, `Bearer ${oldKey}`).expect(200);
    const rotated = await t.http().post(`/admin/tenants/${tenantId}/ingestion-key`).set(adminAuth).expect(201);
    const newKey: string = rotated.body.key;
    expect(newKey).not.toBe(oldKey);
    expect(rotated.body).toEqual({ key: newKey, keyPrefix: newKey.slice(0, 17), createdAt: expect.any(String) });
    expect((await post(tenantId, `Bearer ${oldKey}`).expect(401)).body).toEqual(unauthorized);
    await post(tenantId, `Bearer ${newKey}`).expect(200);
    const rows: Array<{ row: string }> = await t.db.query('SELECT row_to_json(t)::text AS row FROM tenants t');
    for (const { row } of rows) {
      expect(row).not.toContain(newKey);
      expect(row).not.toContain(oldKey);
    }
  });

  it('revokes the old key on every instance: rotated through one, refused by another', async () => {
    const other = await bootApp();
    try {
      const { tenantId, key: oldKey } = await createTenant(t);
      const postTo = (app: TestApp, key: string) => sendEvents(app, { tenantId, key }, op);
      await postTo(other, oldKey).expect(200);
      const rotated = await t.http().post(`/admin/tenants/${tenantId}/ingestion-key`).set(adminAuth).expect(201);
      await postTo(other, oldKey).expect(401);
      await postTo(other, rotated.body.key).expect(200);
    } finally {
      await other.close();
    }
  });

  it('keeps keys, secrets and the admin token out of the logs', async () => {
    const { tenantId, key } = await createTenant(t);
    await post(tenantId, `Bearer ${key}`).expect(200);
    await t.http().put(`/admin/tenants/${tenantId}/webhook-secrets/polar`).set(adminAuth).send({ secret: 'whsec_logcheck123' }).expect(204);
    const all = t.logs.join('\n');
    expect(all).toContain(`/api/tenants/${tenantId}/events`);
    expect(all).not.toContain(key);
    expect(all).not.toContain(key.slice(9));
    expect(all).not.toContain('whsec_logcheck123');
    expect(all).not.toContain(adminAuth.Authorization.slice(7));
  });
});
