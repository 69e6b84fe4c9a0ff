/**
 * The webhook delivery log (docs/webhooks.md, "Delivery log and replay"): deliveries signed with
 * each provider's own library from the real-shaped fixtures, then read, replayed and expired
 * through the admin API, and checked in the database.
 */
import { DeliveryRetention } from '../../src/webhooks/delivery-retention.service.js';
import { adminAuth, bootApp, createTenant, resetDatabase, type TenantFixture, type TestApp } from '../support/app.js';
import { eventually } from '../support/smtp.js';
import {
  configureSecrets,
  deliver,
  fixture,
  installMappingFault,
  type Provider,
  removeMappingFault,
  signedHeaders,
} from '../support/webhooks.js';

interface Delivered {
  provider: Provider;
  payload: Record<string, unknown>;
  id: string;
}

/** A mapped fixture per provider, with its delivery id (Stripe: the event's `id`; else the header's). */
function mapped(provider: Provider, id: string, marker = ''): Delivered {
  const payload =
    provider === 'stripe'
      ? { ...fixture('stripe', 'customer.subscription.created'), id }
      : provider === 'polar'
        ? fixture('polar', 'subscription.created')
        : fixture('clerk', 'user.created');
  if (marker) (payload.data as Record<string, unknown>).marker = marker;
  return { provider, payload, id };
}

const EVENT_OF: Record<Provider, string> = { stripe: 'subscription-started', polar: 'subscription-started', clerk: 'user.created' };
const PROVIDERS: Provider[] = ['stripe', 'polar', 'clerk'];

describe('webhook delivery log', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  const count = async (sql: string, params: unknown[] = []): Promise<number> =>
    (await t.db.query(`SELECT count(*)::int AS n FROM ${sql}`, params))[0].n;
  const base = (): string => `/admin/tenants/${tenant.tenantId}/webhook-deliveries`;
  const list = async (query = ''): Promise<{ items: Array<Record<string, unknown>>; nextCursor: string | null }> =>
    (await t.http().get(`${base()}${query}`).set(adminAuth).expect(200)).body;
  const send = (d: Delivered) => deliver(t, d.provider, tenant.tenantId, d.payload, { id: d.id });
  const entryOf = async (provider: Provider, id: string): Promise<Record<string, unknown>> => {
    const [row] = await t.db.query(
      `SELECT id, status, error, attempts, event_type, contact_id FROM webhook_deliveries
        WHERE tenant_id = $1 AND provider = $2 AND delivery_id = $3 AND status <> 'duplicate'`,
      [tenant.tenantId, provider, id],
    );
    return row;
  };

  beforeAll(async () => {
    t = await bootApp();
  });
  afterAll(async () => {
    await removeMappingFault(t.db);
    await t.close();
  });
  beforeEach(async () => {
    await removeMappingFault(t.db);
    await resetDatabase(t.db);
    tenant = await createTenant(t);
    await configureSecrets(t, tenant.tenantId);
  });

  it('keeps every verified delivery with its outcome, newest first, filtered by provider and status', async () => {
    const sent: Array<[Delivered, string]> = [
      [mapped('stripe', 'evt_log_1'), 'ok'],
      [{ provider: 'stripe', payload: fixture('stripe', 'unknown'), id: String(fixture('stripe', 'unknown').id) }, 'ignored'],
      [mapped('stripe', 'evt_log_1'), 'duplicate'],
      [mapped('polar', 'msg_log_polar'), 'ok'],
      [mapped('clerk', 'msg_log_clerk'), 'ok'],
      [{ provider: 'clerk', payload: fixture('clerk', 'session.created'), id: 'msg_log_session' }, 'ignored'],
    ];
    for (const [d, status] of sent) expect((await send(d).expect(200)).body.status).toBe(status);
    // Unverified bodies are never stored.
    const body = JSON.stringify(mapped('stripe', 'evt_log_unsigned').payload);
    await deliver(t, 'stripe', tenant.tenantId, body, { headers: signedHeaders('stripe', body, { secret: 'whsec_wrong' }) }).expect(401);

    const all = await list();
    expect(all.nextCursor).toBeNull();
    expect(all.items.map((i) => [i.provider, i.providerEventId, i.status])).toEqual(
      [...sent].reverse().map(([d, status]) => [d.provider, d.id, status]),
    );
    const times = all.items.map((i) => Date.parse(i.receivedAt as string));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const ok = all.items.find((i) => i.provider === 'polar')!;
    expect(ok).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      provider: 'polar',
      providerEventId: 'msg_log_polar',
      type: 'subscription.created',
      status: 'ok',
      eventType: 'subscription-started',
      contactId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      error: null,
      attempts: 1,
      receivedAt: expect.any(String),
    });
    const duplicate = all.items.find((i) => i.status === 'duplicate')!;
    expect(duplicate).toMatchObject({ provider: 'stripe', type: 'customer.subscription.created', eventType: null, contactId: null });

    const stripe = await list('?provider=stripe');
    expect(stripe.items.map((i) => i.status)).toEqual(['duplicate', 'ignored', 'ok']);
    const ignored = await list('?status=ignored');
    expect(ignored.items.map((i) => [i.provider, i.type])).toEqual([
      ['clerk', 'session.created'],
      ['stripe', String(fixture('stripe', 'unknown').type)],
    ]);
    expect((await list('?provider=clerk&status=ok')).items.map((i) => i.providerEventId)).toEqual(['msg_log_clerk']);
    expect((await list('?provider=polar&status=failed')).items).toEqual([]);

    const bad = await t.http().get(`${base()}?status=lost`).set(adminAuth).expect(400);
    expect(bad.body).toEqual({ ok: false, code: 'bad_request', message: 'status: must be one of ok, ignored, duplicate, failed' });
    expect((await t.http().get(`${base()}?provider=paypal`).set(adminAuth).expect(400)).body.message).toBe(
      'provider: must be one of stripe, polar, clerk',
    );
    await t.http().get(base()).expect(401);
  });

  it('pages newest first with cursors, each cursor bound to its filters', async () => {
    for (let i = 0; i < 5; i++) await send(mapped('stripe', `evt_page_${i}`)).expect(200);
    await send(mapped('polar', 'msg_page_polar')).expect(200);
    const all = (await list()).items.map((i) => i.id);
    expect(all).toHaveLength(6);

    const seen: unknown[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(`?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(all);

    const first = await list('?provider=stripe&limit=3');
    expect(first.items.map((i) => i.providerEventId)).toEqual(['evt_page_4', 'evt_page_3', 'evt_page_2']);
    const next = await list(`?provider=stripe&limit=3&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(next.items.map((i) => i.providerEventId)).toEqual(['evt_page_1', 'evt_page_0']);
    expect(next.nextCursor).toBeNull();
    // A cursor of the stripe list does not page another list.
    const other = await t.http().get(`${base()}?provider=polar&cursor=${encodeURIComponent(first.nextCursor!)}`).set(adminAuth).expect(400);
    expect(other.body.message).toBe('cursor: is not a cursor this API returned');
  });

  it.each(PROVIDERS)('%s: the detail holds the payload exactly as sent', async (provider) => {
    const d = mapped(provider, `evt_detail_${provider}`, `marker-${provider}-ü-✓`);
    await send(d).expect(200);
    const [item] = (await list()).items;
    const res = await t.http().get(`${base()}/${item.id as string}`).set(adminAuth).expect(200);
    expect(res.body).toEqual({ ...item, payload: d.payload });
    expect(res.body.payload).toEqual(JSON.parse(JSON.stringify(d.payload)));
  });

  it('stores payloads encrypted: the plaintext is in no column, and a sealed payload moved to another row does not open', async () => {
    const marker = `unique-marker-${Date.now()}`;
    for (const provider of PROVIDERS) await send(mapped(provider, `evt_sealed_${provider}`, marker)).expect(200);
    const rows: Array<{ id: string; payload: string; whole: string }> = await t.db.query(
      'SELECT id, payload, d::text AS whole FROM webhook_deliveries d WHERE tenant_id = $1 ORDER BY received_at',
      [tenant.tenantId],
    );
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row.whole).not.toContain(marker);
      expect(row.payload).toMatch(/^v1\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+$/);
    }
    // A fresh nonce per payload: the same body again is sealed under another IV.
    await send(mapped('stripe', 'evt_sealed_stripe', marker)).expect(200);
    const [moved] = await t.db.query(`SELECT id, payload FROM webhook_deliveries WHERE status = 'duplicate'`);
    const ivs = new Set([...rows.map((r) => r.payload), moved.payload].map((p: string) => p.split('.')[1]));
    expect(ivs.size).toBe(4);
    // The additional data binds a payload to its row: a copied one fails authentication.
    await t.db.query('UPDATE webhook_deliveries SET payload = $1 WHERE id = $2', [rows[1].payload, moved.id]);
    const res = await t.http().get(`${base()}/${moved.id}`).set(adminAuth).expect(500);
    expect(res.body.code).toBe('infra');
    expect(res.text).not.toContain(marker);
  });

  it.each(PROVIDERS)('%s: replaying an ok delivery answers duplicate and writes nothing', async (provider) => {
    const d = mapped(provider, `evt_replay_ok_${provider}`);
    const first = await send(d).expect(200);
    expect(first.body).toMatchObject({ status: 'ok', eventType: EVENT_OF[provider] });
    const [item] = (await list()).items;
    const snapshot = async (): Promise<number[]> =>
      Promise.all(['events', 'contacts', 'webhook_deliveries', 'provider_state', 'provider_customers'].map((table) => count(table)));
    const before = await snapshot();

    for (let i = 0; i < 2; i++) {
      const replay = await t.http().post(`${base()}/${item.id as string}/replay`).set(adminAuth).expect(200);
      expect(replay.body).toEqual({ status: 'duplicate', eventType: null, contactId: null });
    }
    expect(await snapshot()).toEqual(before);
    expect(await entryOf(provider, d.id)).toMatchObject({ status: 'ok', attempts: 1, event_type: EVENT_OF[provider] });
    expect(await count('events WHERE message_id = $1', [`${provider}:${d.id}`])).toBe(1);
  });

  it.each(PROVIDERS)(
    '%s: a delivery that fails inside the mapping is logged failed with its error and answered 500; replayed after the fix it records its event',
    async (provider) => {
      const d = mapped(provider, `evt_fault_${provider}`);
      await installMappingFault(t.db);
      const res = await send(d).expect(500);
      expect(res.body).toEqual({ ok: false, code: 'infra', message: expect.stringMatching(/^internal error \(request .+\); safe to retry$/) });
      // The failed transaction rolled back: only the log entry remains.
      expect([await count('events'), await count('contacts'), await count('provider_state'), await count('provider_customers')]).toEqual([0, 0, 0, 0]);
      const failed = await list('?status=failed');
      expect(failed.items).toEqual([
        expect.objectContaining({
          provider,
          providerEventId: d.id,
          status: 'failed',
          error: `refused by the test trigger: ${provider}:${d.id}`,
          eventType: null,
          contactId: null,
          attempts: 1,
        }),
      ]);
      const id = failed.items[0].id as string;
      // The payload was kept, so the fix can be tried on it.
      expect((await t.http().get(`${base()}/${id}`).set(adminAuth).expect(200)).body.payload).toEqual(d.payload);

      // Still broken: the replay fails the same way, and the entry says so.
      await t.http().post(`${base()}/${id}/replay`).set(adminAuth).expect(500);
      expect(await entryOf(provider, d.id)).toMatchObject({ status: 'failed', attempts: 2 });

      await removeMappingFault(t.db);
      const replay = await t.http().post(`${base()}/${id}/replay`).set(adminAuth).expect(200);
      expect(replay.body).toEqual({ status: 'ok', eventType: EVENT_OF[provider], contactId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      const [event] = await t.db.query('SELECT type, contact_id, source FROM events WHERE message_id = $1', [`${provider}:${d.id}`]);
      expect(event).toEqual({ type: EVENT_OF[provider], contact_id: replay.body.contactId, source: provider });
      const detail = (await t.http().get(`${base()}/${id}`).set(adminAuth).expect(200)).body;
      expect(detail).toMatchObject({ id, status: 'ok', error: null, eventType: EVENT_OF[provider], contactId: replay.body.contactId, attempts: 3 });
      expect(await count('webhook_deliveries')).toBe(1);

      // Idempotent from now on: another replay, or the provider's own retry, adds no event.
      expect((await t.http().post(`${base()}/${id}/replay`).set(adminAuth).expect(200)).body.status).toBe('duplicate');
      expect((await send(d).expect(200)).body).toEqual({ status: 'duplicate' });
      expect(await count('events')).toBe(1);
    },
  );

  it("the provider's retry after a failure processes the same entry and turns it ok", async () => {
    const d = mapped('stripe', 'evt_fault_retried');
    await installMappingFault(t.db);
    await send(d).expect(500);
    await send(d).expect(500);
    expect(await entryOf('stripe', d.id)).toMatchObject({ status: 'failed', attempts: 2 });
    await removeMappingFault(t.db);
    const retried = await send(d).expect(200);
    expect(retried.body).toMatchObject({ status: 'ok', eventType: 'subscription-started' });
    expect(await entryOf('stripe', d.id)).toMatchObject({ status: 'ok', error: null, attempts: 3, contact_id: retried.body.contactId });
    expect([await count('webhook_deliveries'), await count('events')]).toEqual([1, 1]);
  });

  it('replaying an ignored delivery maps it again, without rewriting the provider state it stored', async () => {
    const polar = { provider: 'polar' as const, payload: fixture('polar', 'subscription.updated.no-change'), id: 'msg_ignored_polar' };
    await send({ provider: 'polar', payload: fixture('polar', 'subscription.created.basic'), id: 'msg_basic' }).expect(200);
    expect((await send(polar).expect(200)).body.status).toBe('ignored');
    const state = await t.db.query('SELECT key, state, updated_at FROM provider_state ORDER BY key');
    const [item] = (await list('?status=ignored')).items;
    const replay = await t.http().post(`${base()}/${item.id as string}/replay`).set(adminAuth).expect(200);
    expect(replay.body).toEqual({ status: 'ignored', eventType: null, contactId: null });
    expect(await t.db.query('SELECT key, state, updated_at FROM provider_state ORDER BY key')).toEqual(state);
    expect(await entryOf('polar', polar.id)).toMatchObject({ status: 'ignored', attempts: 2 });
    expect(await count('events')).toBe(1);
  });

  it('finds ids per tenant only: another tenant, an unknown or malformed id answer 404', async () => {
    await send(mapped('stripe', 'evt_isolated')).expect(200);
    const [item] = (await list()).items;
    const other = await createTenant(t, 'Other');
    const elsewhere = `/admin/tenants/${other.tenantId}/webhook-deliveries`;
    expect((await t.http().get(`${elsewhere}/${item.id as string}`).set(adminAuth).expect(404)).body).toEqual({
      ok: false,
      code: 'not_found',
      message: 'webhook delivery not found',
    });
    await t.http().post(`${elsewhere}/${item.id as string}/replay`).set(adminAuth).expect(404);
    expect((await t.http().get(elsewhere).set(adminAuth).expect(200)).body).toEqual({ items: [], nextCursor: null });
    await t.http().get(`${base()}/00000000-0000-4000-8000-000000000000`).set(adminAuth).expect(404);
    await t.http().get(`${base()}/not-a-uuid`).set(adminAuth).expect(404);
    await t.http().get('/admin/tenants/00000000-0000-4000-8000-000000000000/webhook-deliveries').set(adminAuth).expect(404);
    // The id also opens under its own tenant spelled in capitals.
    await t.http().get(`/admin/tenants/${tenant.tenantId.toUpperCase()}/webhook-deliveries/${(item.id as string).toUpperCase()}`).set(adminAuth).expect(200);
    expect(await count('events')).toBe(1);
  });

  it('an entry from before the log kept payloads shows none and cannot be replayed (409)', async () => {
    await send(mapped('stripe', 'evt_legacy')).expect(200);
    await t.db.query('UPDATE webhook_deliveries SET payload = NULL');
    const [item] = (await list()).items;
    expect((await t.http().get(`${base()}/${item.id as string}`).set(adminAuth).expect(200)).body.payload).toBeNull();
    const res = await t.http().post(`${base()}/${item.id as string}/replay`).set(adminAuth).expect(409);
    expect(res.body.code).toBe('conflict');
  });

  it('a provider event is one entry even when its deliveries race; the others are logged duplicate', async () => {
    const d = mapped('stripe', 'evt_race');
    const answers = await Promise.all(Array.from({ length: 5 }, () => send(d)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.map((a) => a.body.status).sort()).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate', 'ok']);
    expect(await count(`webhook_deliveries WHERE status = 'ok'`)).toBe(1);
    expect(await count(`webhook_deliveries WHERE status = 'duplicate'`)).toBe(4);
    expect(await count('events')).toBe(1);
  });
});

describe('webhook delivery log retention', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  const days = (n: number): string => `now() - interval '${n} days'`;

  beforeAll(async () => {
    t = await bootApp({ PROCESS_ROLE: 'all', DELIVERY_RETENTION_DAYS: '30' });
  });
  afterAll(() => t.close());

  it('a worker starts the hourly chain at boot: one run queued an hour ahead', async () => {
    const next = await eventually(
      async () => {
        const rows: Array<{ n: number }> = await t.db.query(
          `SELECT count(*)::int AS n FROM pgboss.job
            WHERE name = 'webhook-delivery-retention' AND state = 'created' AND singleton_key = 'hourly'
              AND start_after > now() + interval '50 minutes'`,
        );
        return rows[0].n > 0 ? rows[0].n : null;
      },
      15_000,
      'the next hourly retention run',
    );
    expect(next).toBe(1);
  });

  it('deletes deliveries older than DELIVERY_RETENTION_DAYS in bounded batches, for every tenant, and keeps the rest', async () => {
    await resetDatabase(t.db);
    tenant = await createTenant(t);
    await configureSecrets(t, tenant.tenantId);
    const second = await createTenant(t, 'Second');
    await configureSecrets(t, second.tenantId);
    for (let i = 0; i < 4; i++) await deliver(t, 'stripe', tenant.tenantId, mapped('stripe', `evt_old_${i}`).payload).expect(200);
    await deliver(t, 'stripe', second.tenantId, mapped('stripe', 'evt_old_second').payload).expect(200);
    await deliver(t, 'stripe', tenant.tenantId, mapped('stripe', 'evt_recent_29').payload).expect(200);
    await deliver(t, 'stripe', tenant.tenantId, mapped('stripe', 'evt_recent_now').payload).expect(200);
    await t.db.query(`UPDATE webhook_deliveries SET received_at = ${days(31)} WHERE delivery_id LIKE 'evt_old_%'`);
    await t.db.query(`UPDATE webhook_deliveries SET received_at = ${days(29)} WHERE delivery_id = 'evt_recent_29'`);
    const logged = t.logs.length;

    await t.app.get(DeliveryRetention).runNow(2);
    await eventually(
      async () => (await t.db.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE delivery_id LIKE 'evt_old_%'`))[0].n === 0,
      20_000,
      'the expired deliveries to be deleted',
    );
    const left: Array<{ delivery_id: string }> = await t.db.query('SELECT delivery_id FROM webhook_deliveries ORDER BY delivery_id');
    expect(left.map((r) => r.delivery_id)).toEqual(['evt_recent_29', 'evt_recent_now']);
    // Five expired rows in batches of two: three DELETEs.
    const line = await eventually(
      () => t.logs.slice(logged).find((l) => l.includes('deleted expired deliveries')),
      10_000,
      'the retention log line',
    );
    expect(JSON.parse(line)).toMatchObject({ deleted: 5, batches: 3, retentionDays: 30 });
    // What it deleted was the log only: the events they recorded stay.
    expect((await t.db.query('SELECT count(*)::int AS n FROM events'))[0].n).toBe(7);
  });
});
