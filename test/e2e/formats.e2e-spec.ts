import { Analytics } from '@segment/analytics-node';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { usermavenSeedEvent, usermavenSeedIdentify } from '../../src/ingestion/formats/usermaven.seed.js';
import { adminAuth, bootApp, createTenant, resetDatabase, type TenantFixture, type TestApp } from '../support/app.js';
import { sendEvents, specApi } from '../support/api.js';

const usermavenIdentify = usermavenSeedIdentify();
const usermavenCustom = usermavenSeedEvent();

describe('other intake formats (docs/formats.md)', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  let port: number;
  const { count, contactByExternalId } = specApi(() => t, () => tenant);
  const timelineOf = async (contactId: string) =>
    (await t.http().get(`/admin/tenants/${tenant.tenantId}/contacts/${contactId}/events`).set(adminAuth).expect(200)).body.items;

  beforeAll(async () => {
    t = await bootApp({}, { listen: true });
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await resetDatabase(t.db);
    tenant = await createTenant(t);
  });

  describe('Usermaven', () => {
    const post = (body: unknown, token = `API_KEY.${tenant.key}`) =>
      t.http().post(`/api/v1/s2s/event?token=${encodeURIComponent(token)}`).send(body as object);

    it('accepts the documented identify and custom event, and a bulk array', async () => {
      expect((await post(usermavenIdentify).expect(200)).body).toEqual({ status: 'ok' });
      expect((await post(usermavenCustom).expect(200)).body).toEqual({ status: 'ok' });
      const bulk = [
        { ...usermavenCustom, event_id: 'bulk-1', _timestamp: 1632150122000 },
        { ...usermavenCustom, event_id: 'bulk-2', _timestamp: 1632150123000, event_attributes: { amount: 25, currency: 'USD' } },
      ];
      expect((await post(bulk).expect(200)).body).toEqual({ status: 'ok' });

      const contact = await contactByExternalId('lzL24K3kYw');
      expect(contact).toMatchObject({ email: 'user@domain.com', name: 'John Smith' });
      expect(contact.attributes).toMatchObject({
        plan_name: 'premium',
        created_at: '2021-01-20T09:55:35',
        company_id: '65f02acc-e104-45d9-8199-1491332d8454',
        company_name: 'azhar',
        company_created_at: '2022-02-15T17:25:08',
        company_plan: 'premium',
      });
      const events = await timelineOf(contact.id);
      expect(events).toHaveLength(3);
      expect(events.map((e: { properties: { amount: number } }) => e.properties.amount).sort()).toEqual([100, 100, 25]);
      expect(events[0]).toMatchObject({
        type: 'plan_upgraded',
        source: 'usermaven',
        properties: expect.objectContaining({ currency: 'USD', context_url: 'http://localhost:3000/example', context_page_title: 'Your Page Title' }),
      });
      expect(events.find((e: { messageId: string }) => e.messageId === 'bulk-1').occurredAt).toBe('2021-09-20T15:02:02.000Z');
    });

    it('writes a repeated event_id once', async () => {
      const event = { ...usermavenCustom, event_id: 'um-evt-1' };
      await post(event).expect(200);
      await post([event, event]).expect(200);
      expect(await count("events WHERE message_id = 'um-evt-1'")).toBe(1);
    });

    it('authenticates by the last part of ?token= or by bearer, else 401', async () => {
      await post(usermavenCustom, tenant.key).expect(200);
      await t.http().post('/api/v1/s2s/event').set('Authorization', `Bearer ${tenant.key}`).send(usermavenCustom).expect(200);
      const bad = await post(usermavenCustom, 'API_KEY.mara_ing_wrong').expect(401);
      expect(bad.body).toEqual({ ok: false, code: 'unauthorized', message: expect.any(String) });
    });

    it('answers malformed bodies with 400 and writes nothing', async () => {
      for (const body of [{ event_type: 42, user: usermavenIdentify.user }, [], [{ ...usermavenCustom, event_type: 'bad|type' }], { ...usermavenCustom, user: { id: 'x', email: 'nope' } }]) {
        const res = await post(body).expect(400);
        expect(res.body).toEqual({ ok: false, code: 'bad_request', message: expect.any(String) });
      }
      expect([await count('events'), await count('contacts')]).toEqual([0, 0]);
    });
  });

  describe('Event Intake', () => {
    const post = (body: unknown) => t.http().post('/v1/events').set('Authorization', `Bearer ${tenant.key}`).send(body as object);
    const walkthrough = {
      event_type: 'user.created',
      occurred_at: '2025-12-22T10:30:00Z',
      idempotency_key: '0f3f6f9b-9f0b-4c8d-9f18-5b6a9d9d2d41',
      data: { user_id: 'u_12345', plan: 'pro' },
    };

    it('holds the walk-through step by step, including the deduplicated repeat', async () => {
      const first = await post(walkthrough).expect(200);
      expect(first.body).toEqual({ status: 'ok', event_id: expect.any(String), received_at: expect.any(String) });
      const contact = await contactByExternalId('u_12345');
      const [event] = await timelineOf(contact.id);
      expect(event).toMatchObject({
        id: first.body.event_id,
        type: 'user.created',
        occurredAt: '2025-12-22T10:30:00.000Z',
        messageId: walkthrough.idempotency_key,
        source: 'intake',
        properties: { plan: 'pro' },
      });
      const again = await post(walkthrough).expect(200);
      expect(again.body).toEqual({ status: 'ok', event_id: first.body.event_id, deduplicated: true, received_at: expect.any(String) });
      expect(await count('events')).toBe(1);
    });

    it('answers 400 for a missing or invalid occurred_at, and for malformed bodies', async () => {
      const { occurred_at: _, ...missing } = walkthrough;
      expect((await post(missing).expect(400)).body).toEqual({ ok: false, code: 'bad_request', message: 'occurred_at: is required' });
      const invalid = await post({ ...walkthrough, occurred_at: 'last tuesday' }).expect(400);
      expect(invalid.body.message).toMatch(/^occurred_at: /);
      await post({ ...walkthrough, occurred_at: '2025-02-30T10:00:00Z' }).expect(400);
      await post({ ...walkthrough, event_type: 'x'.repeat(121) }).expect(400);
      await post({ ...walkthrough, data: 'nope' }).expect(400);
      await post([walkthrough]).expect(400);
      expect([await count('events'), await count('contacts')]).toEqual([0, 0]);
    });
  });

  describe('Segment', () => {
    it('takes identify and track from the real @segment/analytics-node library', async () => {
      const errors: unknown[] = [];
      const analytics = new Analytics({ writeKey: tenant.key, host: `http://127.0.0.1:${port}`, flushInterval: 50, maxRetries: 2 });
      analytics.on('error', (e) => errors.push(e));
      analytics.identify({ userId: 'seg_1', traits: { email: 'Seg@Example.com', name: 'Seg Ment', plan: 'pro' } });
      analytics.track({ userId: 'seg_1', event: 'Report Exported', properties: { format: 'csv' } });
      analytics.page({ userId: 'seg_1', name: 'Home' });
      await analytics.closeAndFlush({ timeout: 10_000 });
      expect(errors).toEqual([]);
      const contact = await contactByExternalId('seg_1');
      expect(contact).toMatchObject({ email: 'seg@example.com', name: 'Seg Ment', attributes: { plan: 'pro' } });
      const [event] = await timelineOf(contact.id);
      expect(event).toMatchObject({
        type: 'Report Exported',
        source: 'segment',
        properties: expect.objectContaining({ format: 'csv', context_library_name: '@segment/analytics-node' }),
      });
      expect(event.messageId).toEqual(expect.any(String));
    });

    it('does not duplicate when the library retries a batch the server already stored', async () => {
      // A proxy that forwards the first batch but answers 503, as a lost response would look.
      let batches = 0;
      const proxy = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', async () => {
          batches++;
          const upstream = await fetch(`http://127.0.0.1:${port}${req.url}`, {
            method: req.method,
            headers: { authorization: req.headers.authorization!, 'content-type': 'application/json' },
            body: Buffer.concat(chunks),
          });
          res.statusCode = batches === 1 ? 503 : upstream.status;
          res.end(await upstream.text());
        });
      });
      await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
      try {
        const analytics = new Analytics({
          writeKey: tenant.key,
          host: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
          flushInterval: 50,
          maxRetries: 3,
        });
        analytics.track({ userId: 'seg_2', event: 'Order Completed', properties: { total: 42 } });
        analytics.track({ userId: 'seg_2', event: 'Order Shipped' });
        await analytics.closeAndFlush({ timeout: 15_000 });
      } finally {
        await new Promise((r) => proxy.close(r));
      }
      expect(batches).toBeGreaterThanOrEqual(2);
      expect(await t.db.query('SELECT type FROM events ORDER BY type')).toEqual([{ type: 'Order Completed' }, { type: 'Order Shipped' }]);
    });

    it('corrects client clock skew with sentAt and answers {success: true}', async () => {
      const received = Date.now();
      const res = await t
        .http()
        .post('/v1/track')
        .auth(tenant.key, '')
        .send({ userId: 'seg_3', event: 'Skewed', timestamp: '2030-01-01T00:00:10.000Z', sentAt: '2030-01-01T00:00:20.000Z', messageId: 'skew-1' })
        .expect(200);
      expect(res.body).toEqual({ success: true });
      const [row] = await t.db.query('SELECT occurred_at, received_at FROM events');
      // timestamp + (receivedAt - sentAt): ten seconds before arrival.
      expect(row.received_at.getTime() - row.occurred_at.getTime()).toBe(10_000);
      expect(row.received_at.getTime()).toBeGreaterThanOrEqual(received - 1000);
    });

    it('answers malformed bodies with 400 and writes nothing', async () => {
      for (const [route, body] of [
        ['/v1/batch', { batch: 'nope' }],
        ['/v1/batch', { batch: [{ type: 'launch', userId: 'u' }] }],
        ['/v1/track', { userId: 'u' }],
        ['/v1/identify', { userId: 'u', traits: { email: 'not-an-email' } }],
      ] as const) {
        const res = await t.http().post(route).auth(tenant.key, '').send(body).expect(400);
        expect(res.body).toEqual({ ok: false, code: 'bad_request', message: expect.any(String) });
      }
      expect([await count('events'), await count('contacts')]).toEqual([0, 0]);
    });
  });

  it('shares one bucket across all formats', async () => {
    await t.http().put(`/admin/tenants/${tenant.tenantId}/rate-limit`).set(adminAuth).send({ requestsPerHour: 1, burst: 3 }).expect(200);
    await t.http().post(`/api/v1/s2s/event?token=${tenant.key}`).send(usermavenCustom).expect(200);
    await t.http().post('/v1/events').set('Authorization', `Bearer ${tenant.key}`).send({ event_type: 'a', occurred_at: '2025-01-01T00:00:00Z', data: { user_id: 'u' } }).expect(200);
    await t.http().post('/v1/track').auth(tenant.key, '').send({ userId: 'u', event: 'b' }).expect(200);
    const limited = [
      await t.http().post(`/api/v1/s2s/event?token=${tenant.key}`).send(usermavenCustom),
      await t.http().post('/v1/events').set('Authorization', `Bearer ${tenant.key}`).send({ event_type: 'a', occurred_at: '2025-01-01T00:00:00Z' }),
      await t.http().post('/v1/batch').auth(tenant.key, '').send({ batch: [{ type: 'track', userId: 'u', event: 'c' }] }),
      await sendEvents(t, tenant, { type: 'track', userId: 'u', event: 'd' }),
    ];
    for (const res of limited) {
      expect(res.status).toBe(429);
      expect(res.body.code).toBe('rate_limited');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
  });

  it('counts each format under its own connector', async () => {
    await t.http().post(`/api/v1/s2s/event?token=${tenant.key}`).send(usermavenCustom).expect(200);
    await t.http().post('/v1/events').set('Authorization', `Bearer ${tenant.key}`).send({ event_type: 'a', occurred_at: '2025-01-01T00:00:00Z', data: { user_id: 'i1' } }).expect(200);
    await t.http().post('/v1/identify').set('Authorization', `Bearer ${tenant.key}`).send({ userId: 's1', traits: { email: 's1@x.io' } }).expect(200);
    const res = await t.http().get(`/admin/tenants/${tenant.tenantId}/ingestion-health`).set(adminAuth).expect(200);
    expect(res.body.connectors.usermaven).toEqual({ contacts: 1, events: 1, lastActivityAt: expect.any(String) });
    expect(res.body.connectors.intake).toEqual({ contacts: 1, events: 1, lastActivityAt: expect.any(String) });
    expect(res.body.connectors.segment).toEqual({ contacts: 1, events: 0, lastActivityAt: expect.any(String) });
  });
});
