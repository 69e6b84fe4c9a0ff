import { decryptSecret } from '../../src/tenants/secret-box.js';
import { TenantsService } from '../../src/tenants/tenants.service.js';
import { adminAuth, bootApp, createTenant, resetDatabase, type TestApp } from '../support/app.js';

describe('provider secrets', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootApp();
  });
  afterAll(() => t.close());
  beforeEach(() => resetDatabase(t.db));

  it('are encrypted at rest, never returned, and decrypt to the original', async () => {
    const { tenantId } = await createTenant(t);
    const secret = 'whsec_' + 'S3cr3tValue'.repeat(3);
    const put = await t.http().put(`/admin/tenants/${tenantId}/webhook-secrets/stripe`).set(adminAuth).send({ secret }).expect(204);
    expect(put.text).toBe('');

    const rows: Array<{ kind: string; ciphertext: string }> = await t.db.query(
      'SELECT kind, ciphertext FROM tenant_secrets WHERE tenant_id = $1',
      [tenantId],
    );
    expect(rows).toHaveLength(1);
    const dump: Array<{ all: string }> = await t.db.query(
      `SELECT string_agg(row_to_json(s)::text, '') AS all FROM tenant_secrets s`,
    );
    expect(dump[0].all).not.toContain(secret);
    expect(dump[0].all).not.toContain('S3cr3tValue');
    expect(decryptSecret(t.config.secretsKey, rows[0].ciphertext, `${tenantId}:stripe`)).toBe(secret);
    expect(await t.app.get(TenantsService).readSecret(tenantId, 'stripe')).toBe(secret);
    // Bound to its tenant: the same ciphertext does not open under another tenant's context.
    expect(() => decryptSecret(t.config.secretsKey, rows[0].ciphertext, `other:stripe`)).toThrow();

    const responses = [
      await t.http().get(`/admin/tenants/${tenantId}/integrations`).set(adminAuth).expect(200),
      await t.http().get(`/admin/tenants/${tenantId}`).set(adminAuth).expect(200),
      await t.http().get('/admin/tenants').set(adminAuth).expect(200),
    ];
    for (const res of responses) expect(res.text).not.toContain('S3cr3tValue');
    expect(responses[0].body.webhooks.stripe.secretConfigured).toBe(true);
    expect(t.logs.join('\n')).not.toContain('S3cr3tValue');

    await t.http().delete(`/admin/tenants/${tenantId}/webhook-secrets/stripe`).set(adminAuth).expect(204);
    expect(await t.db.query('SELECT count(*)::int AS n FROM tenant_secrets')).toEqual([{ n: 0 }]);
    const after = await t.http().get(`/admin/tenants/${tenantId}/integrations`).set(adminAuth).expect(200);
    expect(after.body.webhooks.stripe.secretConfigured).toBe(false);
  });

  it('rejects unknown providers and empty secrets', async () => {
    const { tenantId } = await createTenant(t);
    const res = await t.http().put(`/admin/tenants/${tenantId}/webhook-secrets/paypal`).set(adminAuth).send({ secret: 'x' }).expect(400);
    expect(res.body).toEqual({ ok: false, code: 'bad_request', message: expect.stringMatching(/^provider: /) });
    const empty = await t.http().put(`/admin/tenants/${tenantId}/webhook-secrets/polar`).set(adminAuth).send({ secret: '' }).expect(400);
    expect(empty.body.message).toMatch(/^secret: /);
    expect(await t.db.query('SELECT count(*)::int AS n FROM tenant_secrets')).toEqual([{ n: 0 }]);
  });
});
