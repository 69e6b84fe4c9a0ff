import { adminAuth, bootApp, createTenant, resetDatabase, type TestApp } from '../support/app.js';
import { clerkUser, fakeClerk, listen } from '../support/clerk.js';
import { eventually } from '../support/smtp.js';

describe('Clerk backfill', () => {
  const secretKey = 'sk_test_clerkBackfillKey123';
  const users = Array.from({ length: 230 }, (_, i) => clerkUser(i));
  const clerk = fakeClerk(users, secretKey);
  let t: TestApp;
  let env: Record<string, string>;
  // Imports run on the job queue's workers; a failed page is retried a second later.
  const boot = (): Promise<TestApp> => bootApp(env);

  beforeAll(async () => {
    env = { CLERK_API_URL: await listen(clerk.server), PROCESS_ROLE: 'all', JOB_RETRY_DELAY_SECONDS: '1' };
    t = await boot();
  });
  afterAll(async () => {
    await t.close();
    await new Promise((r) => clerk.server.close(r));
  });
  beforeEach(async () => {
    await resetDatabase(t.db);
    clerk.requests.length = 0;
  });

  const waitDone = (tenantId: string, id: string): Promise<Record<string, unknown>> =>
    eventually(async () => {
      const res = await t.http().get(`/admin/tenants/${tenantId}/clerk/imports/${id}`).set(adminAuth).expect(200);
      return res.body.status !== 'running' ? (res.body as Record<string, unknown>) : null;
    }, 20_000, 'the import to finish');

  async function tenantWithKey(): Promise<string> {
    const { tenantId } = await createTenant(t);
    await t.http().put(`/admin/tenants/${tenantId}/clerk/backend-api-key`).set(adminAuth).send({ secret: secretKey }).expect(204);
    return tenantId;
  }
  // @clerk/backend leaves `offset=0` out of the query.
  const pageRequests = (offset: number): number =>
    clerk.requests.filter((r) => r.startsWith('/v1/users?') && (offset === 0 ? !r.includes('offset=') : r.includes(`offset=${offset}&`) || r.endsWith(`offset=${offset}`))).length;
  const complete = { status: 'completed', pages: 3, usersSeen: 230, contactsCreated: 230, error: null };

  it('imports every user once over several pages; a second run adds nothing', async () => {
    const { tenantId } = await createTenant(t);
    const missing = await t.http().post(`/admin/tenants/${tenantId}/clerk/imports`).set(adminAuth).expect(400);
    expect(missing.body.code).toBe('bad_request');

    await t.http().put(`/admin/tenants/${tenantId}/clerk/backend-api-key`).set(adminAuth).send({ secret: secretKey }).expect(204);
    const row = await t.http().get(`/admin/tenants/${tenantId}/integrations`).set(adminAuth).expect(200);
    expect(row.body.clerkBackendApiKeyConfigured).toBe(true);
    expect(JSON.stringify(row.body)).not.toContain(secretKey);
    const stored = await t.db.query("SELECT ciphertext FROM tenant_secrets WHERE kind = 'clerk_backend_api'");
    expect(stored).toHaveLength(1);
    expect(stored[0].ciphertext).not.toContain(secretKey);

    const started = await t.http().post(`/admin/tenants/${tenantId}/clerk/imports`).set(adminAuth).expect(202);
    expect(started.body).toMatchObject({ status: 'running' });
    const first = await waitDone(tenantId, started.body.id);
    expect(first).toMatchObject({ status: 'completed', pages: 3, usersSeen: 230, contactsCreated: 230, error: null });
    expect(clerk.requests.filter((r) => r.startsWith('/v1/users?')).length).toBe(3);

    const rows = await t.db.query('SELECT external_id, email, attributes FROM contacts ORDER BY external_id');
    expect(rows).toHaveLength(230);
    expect(new Set(rows.map((r: { external_id: string }) => r.external_id)).size).toBe(230);
    expect(rows[1]).toEqual({
      external_id: 'user_import_0001',
      email: 'user1@import.example',
      attributes: expect.objectContaining({ cohort: 'odd', username: 'user1' }),
    });
    expect(rows[1].attributes).not.toHaveProperty('secret_score');
    expect(rows[1].attributes).not.toHaveProperty('hacked');
    expect(await t.db.query('SELECT count(*)::int AS n FROM events')).toEqual([{ n: 0 }]);

    const again = await t.http().post(`/admin/tenants/${tenantId}/clerk/imports`).set(adminAuth).expect(202);
    expect(await waitDone(tenantId, again.body.id)).toMatchObject({ status: 'completed', usersSeen: 230, contactsCreated: 0 });
    expect(await t.db.query('SELECT count(*)::int AS n FROM contacts')).toEqual([{ n: 230 }]);
  });

  it('records a failed import when Clerk refuses the key', async () => {
    const { tenantId } = await createTenant(t);
    await t.http().put(`/admin/tenants/${tenantId}/clerk/backend-api-key`).set(adminAuth).send({ secret: 'sk_test_wrong' }).expect(204);
    const started = await t.http().post(`/admin/tenants/${tenantId}/clerk/imports`).set(adminAuth).expect(202);
    const done = await waitDone(tenantId, started.body.id);
    expect(done).toMatchObject({ status: 'failed', error: expect.any(String) });
    expect(JSON.stringify(done)).not.toContain('sk_test_wrong');
    expect(await t.db.query('SELECT count(*)::int AS n FROM contacts')).toEqual([{ n: 0 }]);
  });

  it('resumes an import interrupted by a shutdown in another process, with exact counts', async () => {
    const tenantId = await tenantWithKey();
    const page2 = clerk.hold(100);
    const started = await t.http().post(`/admin/tenants/${tenantId}/clerk/imports`).set(adminAuth).expect(202);
    await page2.requested;

    // The process goes away while page 2 is in flight (a deploy); its shutdown does not wait on Clerk.
    const closing = t.close();
    const closedInTime = await Promise.race([closing.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 15_000))]);
    page2.release();
    await closing;
    expect(closedInTime).toBe(true);

    // The cursor is in the import row: page 1 is done, page 2 is due.
    t = await boot();
    const done = await waitDone(tenantId, started.body.id);
    expect(done).toMatchObject(complete);
    expect(await t.db.query('SELECT count(*)::int AS n FROM contacts')).toEqual([{ n: 230 }]);
    expect(pageRequests(0)).toBe(1);
    expect(pageRequests(100)).toBeGreaterThanOrEqual(2);
  });

  it('retries a page Clerk fails to answer without counting anything twice', async () => {
    const tenantId = await tenantWithKey();
    clerk.failOnce(100);
    const started = await t.http().post(`/admin/tenants/${tenantId}/clerk/imports`).set(adminAuth).expect(202);
    expect(await waitDone(tenantId, started.body.id)).toMatchObject(complete);
    expect(pageRequests(100)).toBe(2);
    expect(await t.db.query('SELECT count(*)::int AS n FROM contacts')).toEqual([{ n: 230 }]);
  });

  it('runs one import at a time per tenant: a second start answers 409 while one runs', async () => {
    const tenantId = await tenantWithKey();
    const other = await tenantWithKey();
    const page1 = clerk.hold(0);
    const [a, b] = await Promise.all([
      t.http().post(`/admin/tenants/${tenantId}/clerk/imports`).set(adminAuth),
      t.http().post(`/admin/tenants/${tenantId}/clerk/imports`).set(adminAuth),
    ]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    const [ok, refused] = a.status === 202 ? [a, b] : [b, a];
    expect(refused.body).toEqual({ ok: false, code: 'conflict', message: `clerk import: ${ok.body.id} is already running for this tenant` });
    await page1.requested;
    // Another tenant is not held up.
    const elsewhere = await t.http().post(`/admin/tenants/${other}/clerk/imports`).set(adminAuth).expect(202);
    page1.release();
    expect(await waitDone(tenantId, ok.body.id)).toMatchObject(complete);
    expect(await waitDone(other, elsewhere.body.id)).toMatchObject(complete);
    expect(await t.db.query('SELECT count(*)::int AS n FROM clerk_imports WHERE tenant_id = $1', [tenantId])).toEqual([{ n: 1 }]);
    // Once it has finished, a new one may start.
    const next = await t.http().post(`/admin/tenants/${tenantId}/clerk/imports`).set(adminAuth).expect(202);
    expect(await waitDone(tenantId, next.body.id)).toMatchObject({ ...complete, contactsCreated: 0 });
  });

  it('counts the imported users in mara_ops_total, as every other source', async () => {
    const importOps = async (): Promise<number> => {
      const text = (await t.http().get('/metrics').expect(200)).text;
      return text
        .split('\n')
        .filter((l) => l.startsWith('mara_ops_total{connector="clerk",'))
        .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
    };
    const before = await importOps();
    const tenantId = await tenantWithKey();
    const started = await t.http().post(`/admin/tenants/${tenantId}/clerk/imports`).set(adminAuth).expect(202);
    expect(await waitDone(tenantId, started.body.id)).toMatchObject(complete);
    expect(await importOps()).toBe(before + users.length);
  });
});
