import { hasLoneSurrogate } from '../../src/common/unicode.js';
import { adminAuth, bootApp, createTenant, resetDatabase, type TenantFixture, type TestApp } from '../support/app.js';
import { specApi } from '../support/api.js';
import { configureSecrets, deliver, fixture, SECRETS, signedHeaders } from '../support/webhooks.js';

/**
 * Input that must never become a 500 (docs/api.md, docs/sanitization.md): broken UTF-16,
 * prototype keys, amplification, tenant ids in another case, crafted cursors, impossible
 * timestamps, and Segment's write key in the body.
 */
describe('hostile input', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  const bearer = () => `Bearer ${tenant.key}`;
  /** Posts `body` exactly as given when it is a string (object literals cannot carry an own `__proto__`). */
  const post = (path: string, body: unknown, auth: string | null = bearer()) => {
    const req = t.http().post(path).set('Content-Type', 'application/json');
    if (auth) req.set('Authorization', auth);
    return req.send(typeof body === 'string' ? body : JSON.stringify(body));
  };
  const events = (body: unknown) => post(`/api/tenants/${tenant.tenantId}/events`, body);
  const { count } = specApi(() => t, () => tenant);
  const written = async (): Promise<number[]> =>
    Promise.all(['contacts', 'events', 'webhook_deliveries', 'provider_customers', 'provider_state'].map((table) => count(table)));
  const attributesOf = async (externalId: string): Promise<Record<string, unknown>> =>
    (await t.db.query('SELECT attributes FROM contacts WHERE external_id = $1', [externalId]))[0]?.attributes;
  const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

  beforeAll(async () => {
    t = await bootApp();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await resetDatabase(t.db);
    tenant = await createTenant(t);
  });

  describe('broken UTF-16', () => {
    it('cuts a string on a code point: an emoji across the 1,000th character is kept whole', async () => {
      const long = `${'a'.repeat(999)}\u{1F600}${'b'.repeat(10)}`;
      const res = await events({ type: 'identify', userId: 'u1', traits: { bio: long } }).expect(200);
      expect(res.body.results[0].warnings).toEqual(['traits.bio: cut to 1000 characters']);
      const stored = (await attributesOf('u1')).bio as string;
      expect(stored).toBe(`${'a'.repeat(999)}\u{1F600}`);
      expect(hasLoneSurrogate(stored)).toBe(false);
    });

    it.each([
      ['a value', { type: 'identify', userId: 'u', traits: { plan: 'pro\ud800' } }, 'traits.plan: must not contain a lone surrogate (broken UTF-16)'],
      ['a key', { type: 'identify', userId: 'u', traits: { 'k\udc00': 1 } }, 'traits: a key must not contain a lone surrogate (broken UTF-16)'],
      ['an id', { batch: [{ type: 'track', event: 'e', userId: 'u\udbff' }] }, 'batch[0].userId: must not contain a lone surrogate (broken UTF-16)'],
    ])('answers a lone surrogate in %s with 400 naming the field (Events API)', async (_, body, message) => {
      const res = await events(body).expect(400);
      expect(res.body).toEqual({ ok: false, code: 'bad_request', message });
      expect(await written()).toEqual([0, 0, 0, 0, 0]);
    });

    it('answers a lone surrogate with 400 in every other intake format', async () => {
      const cases: Array<[string, string | null, unknown, string]> = [
        ['/api/v1/s2s/event', bearer(), [{ event_type: 'signup', user: { id: 'u' }, event_attributes: { x: '\ud83d' } }], '[0].event_attributes.x'],
        ['/v1/events', bearer(), { event_type: 'e', occurred_at: '2025-12-22T10:30:00Z', data: { user_id: 'u', note: 'x\udfff' } }, 'data.note'],
        ['/v1/batch', basic(tenant.key), { batch: [{ type: 'track', event: 'e', userId: 'u', context: { page: { title: '\ud800' } } }] }, 'batch[0].context.page.title'],
        ['/v1/identify', basic(tenant.key), { userId: 'u', traits: { name: 'Ada\ud800' } }, 'traits.name'],
      ];
      for (const [path, auth, body, field] of cases) {
        const res = await post(path, body, auth).expect(400);
        expect(res.body).toEqual({ ok: false, code: 'bad_request', message: `${field}: must not contain a lone surrogate (broken UTF-16)` });
      }
      expect(await written()).toEqual([0, 0, 0, 0, 0]);
    });

    it('answers a correctly signed webhook with a lone surrogate in its metadata with 400, writing nothing', async () => {
      await configureSecrets(t, tenant.tenantId);
      const stripe = fixture('stripe', 'customer.subscription.created');
      (stripe.data as { object: { metadata: Record<string, unknown> } }).object.metadata.plan_tier = 'pro\ud800';
      const polar = fixture('polar', 'subscription.created');
      (polar.data as { metadata: Record<string, unknown> }).metadata = { plan: '\udc01' };
      const clerk = fixture('clerk', 'user.created');
      (clerk.data as { public_metadata: Record<string, unknown> }).public_metadata = { 'role\ud801': 'admin' };
      const answers = [
        await deliver(t, 'stripe', tenant.tenantId, stripe).expect(400),
        await deliver(t, 'polar', tenant.tenantId, polar).expect(400),
        await deliver(t, 'clerk', tenant.tenantId, clerk).expect(400),
      ];
      expect(answers.map((r) => r.body)).toEqual([
        { ok: false, code: 'bad_request', message: 'data.object.metadata.plan_tier: must not contain a lone surrogate (broken UTF-16)' },
        { ok: false, code: 'bad_request', message: 'data.metadata.plan: must not contain a lone surrogate (broken UTF-16)' },
        { ok: false, code: 'bad_request', message: 'data.public_metadata: a key must not contain a lone surrogate (broken UTF-16)' },
      ]);
      expect(await written()).toEqual([0, 0, 0, 0, 0]);
    });
  });

  describe('prototype keys', () => {
    it('drops __proto__, constructor and prototype keys of traits with a warning', async () => {
      const res = await events('{"type":"identify","userId":"u","traits":{"__proto__":{"x":1},"constructor":"c","prototype":2,"plan":"pro"}}').expect(200);
      expect(res.body.results[0]).toMatchObject({
        status: 'ok',
        warnings: ['traits.__proto__: dropped, reserved key', 'traits.constructor: dropped, reserved key', 'traits.prototype: dropped, reserved key'],
      });
      expect(await attributesOf('u')).toEqual({ plan: 'pro' });
      expect(({} as Record<string, unknown>).x).toBeUndefined();
    });

    it.each([
      ['{"__proto__":{},"type":"bogus"}', 'type: must be one of identify, track'],
      ['{"__proto__":{"type":"track","event":"e"},"userId":"u"}', 'type: must be one of identify, track'],
      ['{"batch":[{"constructor":{"name":"x"},"type":"track","userId":"u"}]}', 'batch[0].event: must be 1 to 120 letters, digits, spaces or . _ : - /, is required for track and must be a string'],
      ['{"type":"identify","userId":"u","traits":{"__proto__":[]},"constructor":1,"name":{"__proto__":"x"}}', 'name: must be shorter than or equal to 200 characters, must be a string'],
    ])('answers an op whose own fields are invalid with 400, whatever prototype keys it carries: %s', async (body, message) => {
      const res = await events(body).expect(400);
      expect(res.body).toEqual({ ok: false, code: 'bad_request', message });
      expect(await written()).toEqual([0, 0, 0, 0, 0]);
    });

    it('ignores a top-level __proto__ next to valid op fields, as any unknown field', async () => {
      const res = await events('{"__proto__":{"x":1},"constructor":"c","type":"track","event":"e","userId":"u","properties":{"prototype":"p","a":1}}').expect(200);
      expect(res.body.results[0]).toMatchObject({ status: 'ok', warnings: ['properties.prototype: dropped, reserved key'] });
      const [event] = await t.db.query('SELECT properties FROM events');
      expect(event.properties).toEqual({ a: 1 });
    });

    it('drops prototype keys in other formats and in provider metadata, leaving nothing polluted', async () => {
      await post('/v1/identify', '{"userId":"s","traits":{"__proto__":{"email":"evil@example.com"},"constructor":"c","plan":"pro"}}', basic(tenant.key)).expect(200);
      expect(await attributesOf('s')).toEqual({ plan: 'pro' });
      await post('/api/v1/s2s/event', '{"event_type":"user_identify","user":{"id":"m","custom":{"__proto__":{"a":1},"tier":"gold"}}}').expect(200);
      expect(await attributesOf('m')).toEqual({ tier: 'gold' });

      await configureSecrets(t, tenant.tenantId);
      const body = JSON.stringify(fixture('stripe', 'customer.subscription.created')).replace(
        '"metadata":{"userId":"u_42"',
        '"metadata":{"__proto__":{"userId":"someone_else"},"constructor":"c","userId":"u_42"',
      );
      expect(body).toContain('"__proto__"');
      const res = await deliver(t, 'stripe', tenant.tenantId, body).expect(200);
      expect(res.body).toMatchObject({ status: 'ok', eventType: 'subscription-started' });
      expect(await attributesOf('u_42')).toEqual({ userId: 'u_42', plan_tier: 'pro' });
      expect(({} as Record<string, unknown>).userId).toBeUndefined();
    });

    it('answers prototype keys in an admin body with 400 naming them', async () => {
      const res = await t.http().post('/admin/tenants').set(adminAuth).set('Content-Type', 'application/json').send('{"__proto__":{"name":"x"}}').expect(400);
      expect(res.body).toEqual({ ok: false, code: 'bad_request', message: expect.stringMatching(/^__proto__: /) });
      expect(await count('tenants')).toBe(1);
    });
  });

  describe('amplification', () => {
    it('refuses a Segment batch whose shared context would blow every message past 32 KB, before copying it', async () => {
      const context: Record<string, number> = {};
      for (let i = 0; i < 85_000; i++) context[`k${i}`] = 1;
      const batch = Array.from({ length: 100 }, (_, i) => ({ type: 'track', event: 'e', userId: `u${i}` }));
      const body = JSON.stringify({ batch, context });
      expect(body.length).toBeLessThan(1024 * 1024);
      const res = await post('/v1/batch', body, basic(tenant.key)).expect(400);
      expect(res.body).toEqual({ ok: false, code: 'bad_request', message: 'batch[0]: operation exceeds 32 KB (with the batch context)' });
      expect(await written()).toEqual([0, 0, 0, 0, 0]);
    });

    it('caps the warnings one op and one response echo', async () => {
      const traits: Record<string, number> = {};
      for (let i = 0; i < 2000; i++) traits[`k${i}`] = i;
      const one = await events({ type: 'identify', userId: 'u', traits }).expect(200);
      const warnings: string[] = one.body.results[0].warnings;
      expect(warnings).toHaveLength(21);
      expect(warnings[0]).toBe('traits.k50: dropped, over the 50-key limit');
      expect(warnings[20]).toBe('and 1930 more warnings');

      const small: Record<string, number> = {};
      for (let i = 0; i < 70; i++) small[`k${i}`] = i;
      const batch = Array.from({ length: 100 }, (_, i) => ({ type: 'identify', userId: `b${i}`, traits: small }));
      const many = await events({ batch }).expect(200);
      const all: string[][] = many.body.results.map((r: { warnings?: string[] }) => r.warnings ?? []);
      expect(all.flat().length).toBeLessThanOrEqual(300);
      expect(all[0]).toHaveLength(20);
      expect(all[9]).toHaveLength(20);
      expect(all[10]).toEqual(['20 warnings not shown (the response shows at most 200)']);
      expect(all[99]).toEqual(['20 warnings not shown (the response shows at most 200)']);
      expect(await count('contacts')).toBe(101);
    });
  });

  describe('tenant id case', () => {
    it('normalizes an upper-case tenant id: a secret stored through it verifies deliveries to the lower-case URL', async () => {
      const upper = tenant.tenantId.toUpperCase();
      expect(upper).not.toBe(tenant.tenantId);
      await t.http().put(`/admin/tenants/${upper}/webhook-secrets/stripe`).set(adminAuth).send({ secret: SECRETS.stripe }).expect(204);
      const res = await deliver(t, 'stripe', tenant.tenantId, fixture('stripe', 'customer.subscription.created')).expect(200);
      expect(res.body).toMatchObject({ status: 'ok', eventType: 'subscription-started' });
      const again = await t.http().get(`/admin/tenants/${upper}`).set(adminAuth).expect(200);
      expect(again.body.id).toBe(tenant.tenantId);
      // And the other way round: a secret stored through the lower-case id verifies on the upper-case URL.
      await t.http().put(`/admin/tenants/${tenant.tenantId}/webhook-secrets/polar`).set(adminAuth).send({ secret: SECRETS.polar }).expect(204);
      const polarBody = JSON.stringify(fixture('polar', 'subscription.created'));
      await t.http().post(`/api/webhooks/polar/${upper}`).set('Content-Type', 'application/json').set(signedHeaders('polar', polarBody)).send(polarBody).expect(200);
    });

    it('answers concurrent repeats through upper- and lower-case tenant ids with duplicate, never 500', async () => {
      const upper = tenant.tenantId.toUpperCase();
      const send = (path: string, messageId: string) =>
        post(`/api/tenants/${path}/events`, { type: 'track', event: 'e', userId: `u-${messageId}`, messageId });
      const answers = await Promise.all(
        Array.from({ length: 15 }, (_, i) => [send(upper, `m${i}`), send(tenant.tenantId, `m${i}`)]).flat(),
      );
      expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200));
      const statuses = answers.map((r) => r.body.results[0].status as string);
      for (let i = 0; i < 15; i++) expect([statuses[2 * i], statuses[2 * i + 1]].sort()).toEqual(['duplicate', 'ok']);
      expect(await count('events')).toBe(15);
      expect(await count('contacts')).toBe(15);
      const tenants: Array<{ tenant_id: string }> = await t.db.query('SELECT DISTINCT tenant_id::text FROM events');
      expect(tenants).toEqual([{ tenant_id: tenant.tenantId }]);
    });
  });

  describe('crafted cursors', () => {
    const crafted = Buffer.from(JSON.stringify(['2020-01-01T00:00:00Z', 'x'])).toString('base64url');
    const plausible = Buffer.from(JSON.stringify(['2020-01-01T00:00:00.000Z', '00000000-0000-4000-8000-000000000000'])).toString('base64url');

    it('answers any cursor the server did not issue with 400 naming cursor, on every list route', async () => {
      const identify = await events({ type: 'track', event: 'e', userId: 'u' }).expect(200);
      const contactId = identify.body.results[0].contactId as string;
      const journey = await t.http().post(`/admin/tenants/${tenant.tenantId}/journeys`).set(adminAuth)
        .send({ name: 'J', trigger: { type: 'event', eventType: 'e' }, steps: [{ type: 'send_email', subject: 's', text: 't' }] }).expect(201);
      const base = `/admin/tenants/${tenant.tenantId}`;
      const routes = ['/admin/tenants', `${base}/contacts`, `${base}/contacts/${contactId}/events`, `${base}/journeys`, `${base}/journeys/${journey.body.id}/runs`, `${base}/messages`];
      for (const route of routes) {
        for (const cursor of [crafted, plausible, 'bm90LWpzb24', '%E2%82%AC', 'W10']) {
          const res = await t.http().get(`${route}?cursor=${cursor}`).set(adminAuth);
          expect({ route, cursor, status: res.status, body: res.body }).toEqual({
            route,
            cursor,
            status: 400,
            body: { ok: false, code: 'bad_request', message: 'cursor: is not a cursor this API returned' },
          });
        }
      }
    });

    it('takes the cursors it issued, and refuses one issued for another list', async () => {
      for (const name of ['B', 'C']) await t.http().post('/admin/tenants').set(adminAuth).send({ name }).expect(201);
      const first = await t.http().get('/admin/tenants?limit=2').set(adminAuth).expect(200);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await t.http().get(`/admin/tenants?limit=2&cursor=${first.body.nextCursor}`).set(adminAuth).expect(200);
      expect(second.body).toEqual({ items: [expect.objectContaining({ name: 'C' })], nextCursor: null });
      const wrongList = await t.http().get(`/admin/tenants/${tenant.tenantId}/contacts?cursor=${first.body.nextCursor}`).set(adminAuth).expect(400);
      expect(wrongList.body.message).toBe('cursor: is not a cursor this API returned');
    });
  });

  describe('timestamps', () => {
    const eventTimes = async (): Promise<Record<string, string>> => {
      const rows: Array<{ type: string; occurred_at: Date }> = await t.db.query('SELECT type, occurred_at FROM events');
      return Object.fromEntries(rows.map((r) => [r.type, r.occurred_at.toISOString()]));
    };

    it('refuses impossible calendar dates on every path instead of rolling them over', async () => {
      const before = Date.now();
      const res = await events({
        batch: [
          { type: 'track', event: 'feb30', userId: 'u', timestamp: '2025-02-30T10:00:00Z' },
          { type: 'track', event: 'hour24', userId: 'u', timestamp: '2025-03-01T24:00:00Z' },
          { type: 'track', event: 'ok', userId: 'u', timestamp: '2024-02-29T23:30:00-01:00' },
        ],
      }).expect(200);
      expect(res.body.results.map((r: { warnings?: string[] }) => r.warnings)).toEqual([
        ['batch[0].timestamp: invalid, arrival time used'],
        ['batch[1].timestamp: invalid, arrival time used'],
        undefined,
      ]);
      await post('/v1/track', { event: 'segment-feb30', userId: 'u', timestamp: '2025-02-30T10:00:00Z' }, basic(tenant.key)).expect(200);
      const intake = await post('/v1/events', { event_type: 'x', occurred_at: '2025-02-30T10:00:00Z', data: { user_id: 'u' } }).expect(400);
      expect(intake.body.message).toBe('occurred_at: must be an ISO 8601 date-time');
      const times = await eventTimes();
      expect(times.ok).toBe('2024-03-01T00:30:00.000Z');
      for (const type of ['feb30', 'hour24', 'segment-feb30']) {
        expect(Date.parse(times[type])).toBeGreaterThanOrEqual(before - 1000);
      }
    });

    it('reads a provider timestamp sent in seconds as seconds (Clerk), and Usermaven milliseconds as milliseconds', async () => {
      await configureSecrets(t, tenant.tenantId);
      const clerk = fixture('clerk', 'user.created');
      clerk.timestamp = 1767000000; // seconds: 2025-12-29T09:20:00Z
      await deliver(t, 'clerk', tenant.tenantId, clerk).expect(200);
      await post('/api/v1/s2s/event', { event_type: 'um', _timestamp: 1632150122000, user: { id: 'm' } }).expect(200);
      const times = await eventTimes();
      expect(times['user.created']).toBe('2025-12-29T09:20:00.000Z');
      expect(times.um).toBe('2021-09-20T15:02:02.000Z');
    });
  });

  describe('Segment writeKey in the body', () => {
    it('authenticates with writeKey in the JSON body; a header wins over the body', async () => {
      const other = await createTenant(t, 'Other');
      await post('/v1/track', { writeKey: tenant.key, event: 'body-key', userId: 'w' }, null).expect(200);
      await post('/v1/batch', { writeKey: tenant.key, batch: [{ type: 'identify', userId: 'w2' }] }, null).expect(200);
      const wrong = await post('/v1/identify', { writeKey: 'mara_ing_wrong', userId: 'w3' }, null).expect(401);
      expect(wrong.body).toEqual({ ok: false, code: 'unauthorized', message: 'wrong ingestion key' });
      // The header's key decides: a wrong header is refused even with a right body key...
      await post('/v1/track', { writeKey: tenant.key, event: 'e', userId: 'w4' }, basic('mara_ing_wrong')).expect(401);
      // ...and a right header records into its own tenant whatever the body says.
      await post('/v1/track', { writeKey: tenant.key, event: 'header-key', userId: 'w5' }, basic(other.key)).expect(200);
      const rows: Array<{ type: string; tenant_id: string }> = await t.db.query('SELECT type, tenant_id::text FROM events ORDER BY type');
      expect(rows).toEqual([
        { type: 'body-key', tenant_id: tenant.tenantId },
        { type: 'header-key', tenant_id: other.tenantId },
      ]);
      const [event] = await t.db.query(`SELECT properties FROM events WHERE type = 'body-key'`);
      expect(JSON.stringify(event.properties)).not.toContain(tenant.key);
      expect(t.logs.join('\n')).not.toContain(tenant.key);
    });
  });
});
