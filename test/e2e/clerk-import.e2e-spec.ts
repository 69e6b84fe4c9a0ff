import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { adminAuth, bootApp, createTenant, resetDatabase, type TestApp } from '../support/app.js';

/** Clerk's Backend API users list, as documented (GET /v1/users, /v1/users/count), on loopback. */
function fakeClerk(users: Array<Record<string, unknown>>, secretKey: string) {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://localhost');
    requests.push(url.pathname + url.search);
    res.setHeader('content-type', 'application/json');
    if (req.headers.authorization !== `Bearer ${secretKey}`) {
      res.statusCode = 401;
      res.end(JSON.stringify({ errors: [{ code: 'authentication_invalid', message: 'Unauthorized' }] }));
      return;
    }
    if (url.pathname === '/v1/users/count') {
      res.end(JSON.stringify({ object: 'total_count', total_count: users.length }));
    } else if (url.pathname === '/v1/users') {
      const limit = Number(url.searchParams.get('limit') ?? 10);
      const offset = Number(url.searchParams.get('offset') ?? 0);
      res.end(JSON.stringify(users.slice(offset, offset + limit)));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  return { server, requests };
}

const clerkUser = (i: number): Record<string, unknown> => ({
  id: `user_import_${String(i).padStart(4, '0')}`,
  object: 'user',
  username: `user${i}`,
  first_name: 'User',
  last_name: String(i),
  image_url: `https://img.clerk.com/${i}`,
  has_image: true,
  primary_email_address_id: `idn_${i}`,
  email_addresses: [
    { id: `idn_${i}`, object: 'email_address', email_address: `user${i}@import.example`, verification: { status: 'verified', strategy: 'email_code' }, linked_to: [] },
  ],
  phone_numbers: [],
  public_metadata: { cohort: i % 2 ? 'odd' : 'even' },
  private_metadata: { secret_score: i },
  unsafe_metadata: { hacked: true },
  external_id: null,
  created_at: 1767000000000 + i,
  updated_at: 1767000000000 + i,
});

describe('Clerk backfill', () => {
  const secretKey = 'sk_test_clerkBackfillKey123';
  const users = Array.from({ length: 230 }, (_, i) => clerkUser(i));
  const clerk = fakeClerk(users, secretKey);
  let t: TestApp;

  beforeAll(async () => {
    await new Promise<void>((r) => clerk.server.listen(0, '127.0.0.1', () => r()));
    const { port } = clerk.server.address() as AddressInfo;
    t = await bootApp({ CLERK_API_URL: `http://127.0.0.1:${port}` });
  });
  afterAll(async () => {
    await t.close();
    await new Promise((r) => clerk.server.close(r));
  });
  beforeEach(() => resetDatabase(t.db));

  const waitDone = async (tenantId: string, id: string): Promise<Record<string, unknown>> => {
    for (let i = 0; i < 200; i++) {
      const res = await t.http().get(`/admin/tenants/${tenantId}/clerk/imports/${id}`).set(adminAuth).expect(200);
      if (res.body.status !== 'running') return res.body;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('import did not finish');
  };

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
});
