import { randomUUID } from 'node:crypto';
import { ContactsRepository } from '../../src/contacts/contacts.repository.js';
import { JourneysRepository } from '../../src/journeys/journeys.repository.js';
import { JobQueue } from '../../src/jobs/job-queue.service.js';
import { STEP_QUEUE } from '../../src/journeys/journey-jobs.service.js';
import { hashIngestionKey } from '../../src/tenants/ingestion-key.js';
import { DEFAULT_RATE_LIMIT, RateLimitsRepository } from '../../src/tenants/rate-limits.repository.js';
import { TenantsRepository } from '../../src/tenants/tenants.repository.js';
import { ClerkImportsRepository } from '../../src/webhooks/clerk-imports.repository.js';
import { specApi } from '../support/api.js';
import { bootApp, createTenant, resetDatabase, type TenantFixture, type TestApp } from '../support/app.js';

/**
 * What the repositories promise on their own, against the real database: the behaviour that
 * was implicit in statements spread over services and guards before each table got one owner.
 */
describe('repositories', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  const { events, admin, rows } = specApi(() => t, () => tenant);
  const unknownTenant = '00000000-0000-4000-8000-000000000000';

  beforeAll(async () => {
    t = await bootApp();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await resetDatabase(t.db);
    tenant = await createTenant(t);
  });

  describe('RateLimitsRepository', () => {
    const buckets = (): RateLimitsRepository => t.app.get(RateLimitsRepository);
    const tokens = async (): Promise<number> =>
      (await rows<{ tokens: number }>('SELECT tokens FROM tenant_rate_limits WHERE tenant_id = $1', [tenant.tenantId]))[0].tokens;

    it('takes one token from a full bucket; a tenant without a bucket row gets a full default one', async () => {
      const first = await buckets().take(tenant.tenantId);
      expect(first).toMatchObject({ allowed: true, ...DEFAULT_RATE_LIMIT });
      expect(first.tokens).toBeCloseTo(DEFAULT_RATE_LIMIT.burst - 1, 1);
      await t.db.query('DELETE FROM tenant_rate_limits WHERE tenant_id = $1', [tenant.tenantId]);
      const again = await buckets().take(tenant.tenantId);
      expect(again).toMatchObject({ allowed: true, ...DEFAULT_RATE_LIMIT });
      expect(again.tokens).toBeCloseTo(DEFAULT_RATE_LIMIT.burst - 1, 1);
    });

    it('refills from the last change at requests_per_hour, on the database clock, capped at the burst', async () => {
      await buckets().configure(tenant.tenantId, { requestsPerHour: 3600, burst: 20 });
      for (let i = 0; i < 20; i++) await buckets().take(tenant.tenantId);
      const drained = await buckets().take(tenant.tenantId);
      expect(drained.allowed).toBe(false);
      // Ten seconds ago, at one token a second: ten tokens are back (one of them taken now).
      await t.db.query(`UPDATE tenant_rate_limits SET updated_at = clock_timestamp() - interval '10 seconds' WHERE tenant_id = $1`, [
        tenant.tenantId,
      ]);
      const refilled = await buckets().take(tenant.tenantId);
      expect(refilled.allowed).toBe(true);
      expect(refilled.tokens).toBeGreaterThanOrEqual(drained.tokens + 9);
      expect(refilled.tokens).toBeLessThan(drained.tokens + 9.5);
      // A long pause never fills beyond the burst.
      await t.db.query(`UPDATE tenant_rate_limits SET updated_at = clock_timestamp() - interval '1 day' WHERE tenant_id = $1`, [
        tenant.tenantId,
      ]);
      expect((await buckets().take(tenant.tenantId)).tokens).toBeCloseTo(19, 1);
    });

    it('configure keeps what the bucket holds, capped at the new burst, and creates a missing bucket full', async () => {
      for (let i = 0; i < 5; i++) await buckets().take(tenant.tenantId);
      await buckets().configure(tenant.tenantId, { requestsPerHour: 36, burst: 1000 });
      expect(await tokens()).toBeCloseTo(595, 0);
      await buckets().configure(tenant.tenantId, { requestsPerHour: 36, burst: 3 });
      expect(await tokens()).toBe(3);
      expect(await buckets().findSettings(tenant.tenantId)).toEqual({ requestsPerHour: 36, burst: 3 });
      await t.db.query('DELETE FROM tenant_rate_limits WHERE tenant_id = $1', [tenant.tenantId]);
      expect(await buckets().findSettings(tenant.tenantId)).toBeNull();
      await buckets().configure(tenant.tenantId, { requestsPerHour: 7200, burst: 50 });
      expect(await tokens()).toBe(50);
    });
  });

  describe('TenantsRepository', () => {
    const tenants = (): TenantsRepository => t.app.get(TenantsRepository);

    it("reads a tenant's key hash (undefined: no tenant; null: no key) and finds the tenant by it", async () => {
      expect(await tenants().findIngestionKeyHash(unknownTenant)).toBeUndefined();
      const bare = (await t.http().post('/admin/tenants').set('Authorization', `Bearer ${t.config.adminApiToken}`).send({ name: 'Bare' }).expect(201))
        .body.id as string;
      expect(await tenants().findIngestionKeyHash(bare)).toBeNull();
      expect(await tenants().findIngestionKeyHash(tenant.tenantId)).toBe(hashIngestionKey(tenant.key));
      expect(await tenants().findByKeyHash(hashIngestionKey(tenant.key))).toBe(tenant.tenantId);
      expect(await tenants().findByKeyHash(hashIngestionKey('mara_ing_unknown'))).toBeNull();
    });

    it('moves only ciphertext; a secret of an unknown tenant is undefined, a missing one null', async () => {
      expect(await tenants().findSecretIfTenant(unknownTenant, 'stripe')).toBeUndefined();
      expect(await tenants().findSecretIfTenant(tenant.tenantId, 'stripe')).toBeNull();
      await admin('put', '/webhook-secrets/stripe').send({ secret: 'whsec_repository_test' }).expect(204);
      const stored = await tenants().findSecretIfTenant(tenant.tenantId, 'stripe');
      expect(stored).toEqual(await tenants().findSecret(tenant.tenantId, 'stripe'));
      expect(stored).not.toContain('whsec_repository_test');
      expect(await tenants().secretKinds(tenant.tenantId)).toEqual(['stripe']);
      await tenants().deleteSecret(tenant.tenantId, 'stripe');
      expect(await tenants().findSecret(tenant.tenantId, 'stripe')).toBeNull();
    });
  });

  describe('ContactsRepository', () => {
    const contacts = (): ContactsRepository => t.app.get(ContactsRepository);
    const contactOf = async (userId: string): Promise<string> =>
      (await events({ type: 'identify', userId, email: `${userId}@example.com` }).expect(200)).body.results[0].contactId;
    const stamps = async (id: string) =>
      (await rows<{ deactivated_at: Date | null; unsubscribed_at: Date | null; updated_at: Date }>(
        'SELECT deactivated_at, unsubscribed_at, updated_at FROM contacts WHERE id = $1',
        [id],
      ))[0];

    it('deactivate keeps the first time and moves updated_at; the recipient then reads deactivated', async () => {
      const id = await contactOf('u1');
      const first = new Date('2026-02-01T10:00:00Z');
      await contacts().deactivate(t.db.manager, tenant.tenantId, id, first);
      await contacts().deactivate(t.db.manager, tenant.tenantId, id, new Date('2026-02-02T10:00:00Z'));
      const row = await stamps(id);
      expect(row.deactivated_at).toEqual(first);
      expect(row.updated_at).toEqual(new Date('2026-02-02T10:00:00Z'));
      expect(await contacts().findRecipient(t.db.manager, tenant.tenantId, id)).toEqual({
        name: null,
        email: 'u1@example.com',
        attributes: {},
        hasConsent: true,
        unsubscribed: false,
        deactivated: true,
      });
    });

    it('markUnsubscribed keeps the first time, leaves updated_at, and is false for an unknown contact', async () => {
      const id = await contactOf('u2');
      expect(await contacts().isUnsubscribed(tenant.tenantId, id)).toBe(false);
      const before = await stamps(id);
      expect(await contacts().markUnsubscribed(tenant.tenantId, id)).toBe(true);
      const once = await stamps(id);
      expect(await contacts().markUnsubscribed(tenant.tenantId, id)).toBe(true);
      expect((await stamps(id)).unsubscribed_at).toEqual(once.unsubscribed_at);
      expect(once.updated_at).toEqual(before.updated_at);
      expect(await contacts().isUnsubscribed(tenant.tenantId, id)).toBe(true);
      expect(await contacts().markUnsubscribed(tenant.tenantId, randomUUID())).toBe(false);
      expect(await contacts().isUnsubscribed(tenant.tenantId, randomUUID())).toBeNull();
      expect(await contacts().markUnsubscribed(unknownTenant, id)).toBe(false);
    });

    it("counts the external ids that already have a contact, in the tenant's own contacts only", async () => {
      await contactOf('a');
      await contactOf('b');
      const other = await createTenant(t, 'Other');
      await events({ type: 'identify', userId: 'c' }, other).expect(200);
      expect(await contacts().countWithExternalIds(t.db.manager, tenant.tenantId, ['a', 'b', 'c', 'd'])).toBe(2);
      expect(await contacts().countWithExternalIds(t.db.manager, tenant.tenantId, [])).toBe(0);
    });
  });

  describe('JourneysRepository', () => {
    it('seedDraft answers the existing journey on a repeat instead of adding one', async () => {
      const journeys = t.app.get(JourneysRepository);
      const draft = { tenantId: tenant.tenantId, seedKey: 'welcome:x', name: 'W', triggerEventType: 'x', steps: [] };
      const first = await journeys.seedDraft(t.db.manager, { ...draft, id: randomUUID() });
      expect(await journeys.seedDraft(t.db.manager, { ...draft, id: randomUUID() })).toBe(first);
      expect(await rows('SELECT id, status FROM journeys')).toEqual([{ id: first, status: 'draft' }]);
      expect(await journeys.transition(tenant.tenantId, first, ['active'], 'paused', new Date())).toBe(false);
      expect(await journeys.transition(tenant.tenantId, first, ['draft'], 'active', new Date())).toBe(true);
    });
  });

  describe('ClerkImportsRepository', () => {
    it('starts one running import per tenant, and fails it only at the cursor it is at', async () => {
      const imports = t.app.get(ClerkImportsRepository);
      const id = randomUUID();
      expect(await imports.startIfNoneRunning(t.db.manager, tenant.tenantId, id)).toBe(true);
      expect(await imports.startIfNoneRunning(t.db.manager, tenant.tenantId, randomUUID())).toBe(false);
      expect(await imports.findRunningId(t.db.manager, tenant.tenantId)).toBe(id);
      await imports.recordPage(t.db.manager, tenant.tenantId, id, { seen: 100, contactsCreated: 90, nextOffset: 100, last: false });
      await imports.fail(tenant.tenantId, id, 0, 'a stale page gave up');
      expect(await imports.findById(tenant.tenantId, id)).toMatchObject({ status: 'running', pages: 1, usersSeen: 100, contactsCreated: 90, nextOffset: 100 });
      await imports.fail(tenant.tenantId, id, 100, `clerk API 401: ${'x'.repeat(600)}`);
      const failed = await imports.findById(tenant.tenantId, id);
      expect(failed).toMatchObject({ status: 'failed', finishedAt: expect.any(Date) });
      expect(failed!.error).toHaveLength(500);
      expect(await imports.findRunningId(t.db.manager, tenant.tenantId)).toBeNull();
    });
  });
  describe('JobQueue', () => {
    it("writes a job through insertSql (a CTE on another statement) as pg-boss's own insert writes it", async () => {
      const queue = t.app.get(JobQueue);
      const columns = `name, data, priority, state, retry_limit, retry_count, retry_delay, retry_backoff, singleton_key, singleton_on,
                       dead_letter, expire_in, policy, round(extract(epoch FROM start_after - created_on)) AS delay,
                       keep_until - start_after AS kept`;
      await t.db.transaction(async (em) => {
        await queue.insertIn(em, [{ name: STEP_QUEUE, data: { via: 'pg-boss', n: 1 }, delaySeconds: 90 }]);
        await em.query(`WITH j AS (${queue.insertSql(STEP_QUEUE, `SELECT '{"via": "cte", "n": 1}'::jsonb AS data, 90 AS delay_seconds`)}) SELECT 1`);
      });
      const jobs = await rows<Record<string, unknown>>(`SELECT ${columns} FROM pgboss.job WHERE name = $1 ORDER BY data->>'via' DESC`, [STEP_QUEUE]);
      expect(jobs).toHaveLength(2);
      const [boss, cte] = jobs;
      expect(boss.data).toEqual({ via: 'pg-boss', n: 1 });
      expect(cte.data).toEqual({ via: 'cte', n: 1 });
      expect({ ...cte, data: null }).toEqual({ ...boss, data: null });
      expect(Number(cte.delay)).toBe(90);
      expect(() => queue.insertSql("x'; DROP TABLE contacts; --", 'SELECT 1')).toThrow('not a queue name');
    });
  });
});
