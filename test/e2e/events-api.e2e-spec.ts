import { adminAuth, bootApp, createTenant, resetDatabase, type TenantFixture, type TestApp } from '../support/app.js';
import { specApi } from '../support/api.js';

describe('Events API', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  const { events: send, count } = specApi(() => t, () => tenant);

  beforeAll(async () => {
    t = await bootApp();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await resetDatabase(t.db);
    tenant = await createTenant(t);
  });

  const quickstart = {
    batch: [
      { type: 'identify', userId: 'u_42', email: 'ada@example.com', name: 'Ada' },
      { type: 'track', event: 'user.signed_up', userId: 'u_42', messageId: 'test-001' },
    ],
  };

  it('answers the quickstart exactly: one result per op, in order, one contact', async () => {
    const res = await send(quickstart).expect(200);
    const contactId = res.body.results[0].contactId;
    expect(res.body).toEqual({
      ok: true,
      results: [
        { index: 0, type: 'identify', status: 'ok', contactId },
        { index: 1, type: 'track', status: 'ok', contactId, eventId: expect.any(String) },
      ],
    });
    const contacts = await t.db.query('SELECT id, external_id, email, name, consent FROM contacts');
    expect(contacts).toEqual([
      {
        id: contactId,
        external_id: 'u_42',
        email: 'ada@example.com',
        name: 'Ada',
        consent: { status: 'granted', source: 'events_api', at: expect.any(String) },
      },
    ]);
    const events = await t.db.query('SELECT id, contact_id, type, message_id, source FROM events');
    expect(events).toEqual([
      { id: res.body.results[1].eventId, contact_id: contactId, type: 'user.signed_up', message_id: 'test-001', source: 'events_api' },
    ]);
  });

  it('gives events time-ordered ids: UUIDv7 of the recording millisecond, increasing in op order', async () => {
    const ops = Array.from({ length: 5 }, (_, i) => ({ type: 'track', event: 'a.b', userId: `u${i}`, messageId: `v7-${i}` }));
    const first = (await send({ batch: ops }).expect(200)).body.results.map((r: { eventId: string }) => r.eventId);
    const later = (await send({ type: 'track', event: 'a.b', userId: 'u0', messageId: 'v7-later' }).expect(200)).body.results[0].eventId;
    const ids = [...first, later];
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
    const rows: Array<{ id: string; received_ms: string }> = await t.db.query(
      `SELECT id, (extract(epoch FROM received_at) * 1000)::bigint::text AS received_ms FROM events ORDER BY id`,
    );
    expect(rows.map((r) => r.id)).toEqual(ids);
    for (const r of rows) {
      const idMs = parseInt(r.id.replace(/-/g, '').slice(0, 12), 16);
      expect(idMs).toBeGreaterThanOrEqual(Number(r.received_ms));
      expect(idMs - Number(r.received_ms)).toBeLessThan(3_600_000);
    }
  });

  it('answers duplicate on a repeat and keeps one event', async () => {
    const first = await send(quickstart).expect(200);
    const again = await send(quickstart).expect(200);
    expect(again.body.results[0]).toEqual({ index: 0, type: 'identify', status: 'ok', contactId: first.body.results[0].contactId });
    expect(again.body.results[1]).toEqual({
      index: 1,
      type: 'track',
      status: 'duplicate',
      contactId: first.body.results[0].contactId,
      eventId: first.body.results[1].eventId,
    });
    expect(await count('events')).toBe(1);
    expect(await count('contacts')).toBe(1);
  });

  it('counts a messageId repeated inside one batch as a duplicate', async () => {
    const op = { type: 'track', event: 'a.b', userId: 'u1', messageId: 'm-1' };
    const res = await send({ batch: [op, op, { ...op, userId: 'u2' }] }).expect(200);
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['ok', 'duplicate', 'duplicate']);
    expect(res.body.results[1].eventId).toBe(res.body.results[0].eventId);
    expect(await count('events')).toBe(1);
    // The skipped op wrote nothing, not even its contact.
    expect(await count('contacts')).toBe(1);
  });

  it('lets exactly one of 20 concurrent requests with one messageId write', async () => {
    const body = { type: 'track', event: 'order.paid', userId: 'u_race', messageId: 'race-1' };
    const answers = await Promise.all(Array.from({ length: 20 }, () => send(body)));
    const statuses = answers.map((a) => a.body.results?.[0]?.status);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(statuses.filter((s) => s === 'ok')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(19);
    expect(await count("events WHERE message_id = 'race-1'")).toBe(1);
    expect(await count('contacts')).toBe(1);
  });

  it('skips ops without identity and writes nothing for them', async () => {
    const res = await send({
      batch: [
        { type: 'track', event: 'page.viewed', messageId: 'anon-1' },
        { type: 'identify', traits: { plan: 'pro' } },
        { type: 'track', event: 'x', userId: '' },
      ],
    }).expect(200);
    expect(res.body.results).toEqual([
      { index: 0, type: 'track', status: 'skipped_no_identity', contactId: null },
      { index: 1, type: 'identify', status: 'skipped_no_identity', contactId: null },
      { index: 2, type: 'track', status: 'skipped_no_identity', contactId: null },
    ]);
    expect(await count('events')).toBe(0);
    expect(await count('contacts')).toBe(0);
    // Its messageId was not consumed either.
    const later = await send({ type: 'track', event: 'page.viewed', userId: 'u1', messageId: 'anon-1' }).expect(200);
    expect(later.body.results[0].status).toBe('ok');
  });

  describe('identity resolution (docs/identity.md#contact-resolution)', () => {
    it('externalId wins over userId', async () => {
      const res = await send({ type: 'identify', userId: 'u_1', externalId: 'ext_1', email: 'a@x.io' }).expect(200);
      const rows = await t.db.query('SELECT id, external_id FROM contacts');
      expect(rows).toEqual([{ id: res.body.results[0].contactId, external_id: 'ext_1' }]);
      const byUser = await send({ type: 'track', event: 'e', externalId: 'ext_1', userId: 'other' }).expect(200);
      expect(byUser.body.results[0].contactId).toBe(res.body.results[0].contactId);
    });

    it('an id finds the contact with that id', async () => {
      const a = await send({ type: 'identify', userId: 'u_1' }).expect(200);
      const b = await send({ type: 'track', event: 'e', userId: 'u_1' }).expect(200);
      expect(b.body.results[0].contactId).toBe(a.body.results[0].contactId);
      expect(await count('contacts')).toBe(1);
    });

    it('an id claims the email-only contact with its email', async () => {
      const emailOnly = await send({ type: 'identify', email: 'Ada@Example.com ', traits: { source: 'newsletter' } }).expect(200);
      const claimed = await send({ type: 'identify', userId: 'u_42', email: 'ada@example.com' }).expect(200);
      expect(claimed.body.results[0].contactId).toBe(emailOnly.body.results[0].contactId);
      expect(await t.db.query('SELECT external_id, email, attributes FROM contacts')).toEqual([
        { external_id: 'u_42', email: 'ada@example.com', attributes: { source: 'newsletter' } },
      ]);
    });

    it('an id with an email owned by another identified contact makes a new contact', async () => {
      await send({ type: 'identify', userId: 'u_1', email: 'shared@x.io' }).expect(200);
      await send({ type: 'identify', userId: 'u_2', email: 'shared@x.io' }).expect(200);
      expect(await t.db.query('SELECT external_id, email FROM contacts ORDER BY external_id')).toEqual([
        { external_id: 'u_1', email: 'shared@x.io' },
        { external_id: 'u_2', email: 'shared@x.io' },
      ]);
    });

    it('a changed email on a known id updates the contact', async () => {
      const a = await send({ type: 'identify', userId: 'u_1', email: 'old@x.io' }).expect(200);
      const b = await send({ type: 'track', event: 'e', userId: 'u_1', email: 'new@x.io' }).expect(200);
      expect(b.body.results[0].contactId).toBe(a.body.results[0].contactId);
      expect(await t.db.query('SELECT email FROM contacts')).toEqual([{ email: 'new@x.io' }]);
    });

    it('only an email finds the contact with that email, else makes one', async () => {
      const a = await send({ type: 'identify', userId: 'u_1', email: 'a@x.io' }).expect(200);
      const b = await send({ type: 'track', event: 'e', email: 'A@x.io' }).expect(200);
      expect(b.body.results[0].contactId).toBe(a.body.results[0].contactId);
      const c = await send({ type: 'track', event: 'e', email: 'fresh@x.io' }).expect(200);
      expect(c.body.results[0].contactId).not.toBe(a.body.results[0].contactId);
      expect(await t.db.query('SELECT external_id, email FROM contacts ORDER BY email')).toEqual([
        { external_id: 'u_1', email: 'a@x.io' },
        { external_id: null, email: 'fresh@x.io' },
      ]);
    });

    it('records lifecycle consent once, on the first email', async () => {
      await send({ type: 'identify', userId: 'u_1' }).expect(200);
      expect(await t.db.query('SELECT consent FROM contacts')).toEqual([{ consent: null }]);
      await send({ type: 'identify', userId: 'u_1', email: 'a@x.io' }).expect(200);
      const [{ consent }] = await t.db.query('SELECT consent FROM contacts');
      expect(consent).toEqual({ status: 'granted', source: 'events_api', at: expect.any(String) });
      await send({ type: 'identify', userId: 'u_1', email: 'b@x.io' }).expect(200);
      expect(await t.db.query('SELECT consent FROM contacts')).toEqual([{ consent }]);
    });

    it('merges traits key by key, null stored as null, and sets the name', async () => {
      await send({ type: 'identify', userId: 'u_1', name: 'Ada', traits: { plan: 'free', seats: 1 } }).expect(200);
      await send({ type: 'identify', userId: 'u_1', traits: { plan: 'pro', churned: null } }).expect(200);
      expect(await t.db.query('SELECT name, attributes FROM contacts')).toEqual([
        { name: 'Ada', attributes: { plan: 'pro', seats: 1, churned: null } },
      ]);
    });

    it('resolves ops of one batch in order', async () => {
      const res = await send({
        batch: [
          { type: 'identify', email: 'b@x.io' },
          { type: 'identify', userId: 'u_9', email: 'b@x.io', name: 'Bea' },
          { type: 'track', event: 'e', userId: 'u_9' },
        ],
      }).expect(200);
      const ids = res.body.results.map((r: { contactId: string }) => r.contactId);
      expect(new Set(ids).size).toBe(1);
      expect(await t.db.query('SELECT external_id, email, name FROM contacts')).toEqual([
        { external_id: 'u_9', email: 'b@x.io', name: 'Bea' },
      ]);
    });
  });

  it('identify writes no event', async () => {
    await send({ type: 'identify', userId: 'u_1', traits: { a: 1 } }).expect(200);
    expect(await count('events')).toBe(0);
  });

  describe('schema violations: 400 naming the field, nothing written', () => {
    const ok = { type: 'track', event: 'ok.event', userId: 'u1' };
    const cases: Array<[string, unknown, RegExp]> = [
      ['101 ops', { batch: Array.from({ length: 101 }, () => ok) }, /^batch: must hold at most 100 operations/],
      ['an empty batch', { batch: [] }, /^batch: must hold at least 1 operation/],
      ['an unknown type', { batch: [ok, { ...ok, type: 'page' }] }, /^batch\[1\]\.type: must be one of identify, track/],
      ['a missing event', { batch: [ok, ok, ok, { type: 'track', userId: 'u1' }] }, /^batch\[3\]\.event: /],
      ['a 121-character event', { batch: [{ ...ok, event: 'e'.repeat(121) }] }, /^batch\[0\]\.event: must be 1 to 120/],
      ['an ill-charactered event', { ...ok, event: 'bad|event' }, /^event: must be 1 to 120/],
      ['a bad email', { batch: [{ type: 'identify', email: 'not-an-email' }] }, /^batch\[0\]\.email: must be a valid email address/],
      ['non-object traits', { batch: [{ type: 'identify', userId: 'u', traits: ['a'] }] }, /^batch\[0\]\.traits: must be an object/],
      ['string traits', { type: 'identify', userId: 'u', traits: 'plan=pro' }, /^traits: must be an object/],
      ['an op over 32 KB', { batch: [ok, { ...ok, properties: { blob: 'x'.repeat(33 * 1024) } }] }, /^batch\[1\]: operation exceeds 32 KB/],
      ['a 256-character userId', { ...ok, userId: 'u'.repeat(256) }, /^userId: /],
      ['a 201-character name', { type: 'identify', userId: 'u', name: 'n'.repeat(201) }, /^name: /],
      ['a non-object body', [ok], /^body: must be an operation/],
      ['a non-array batch', { batch: ok }, /^batch: must be an array/],
    ];
    it.each(cases)('%s', async (_, body, message) => {
      const res = await send({ batch: [ok] }).expect(200);
      expect(res.body.ok).toBe(true);
      await resetDatabase(t.db);
      tenant = await createTenant(t);
      const bad = await send(body).expect(400);
      expect(bad.body).toEqual({ ok: false, code: 'bad_request', message: expect.stringMatching(message) });
      expect(await count('events')).toBe(0);
      expect(await count('contacts')).toBe(0);
    });
  });

  it('falls back to arrival time for an invalid timestamp, with a warning', async () => {
    const before = Date.now();
    const res = await send({
      batch: [
        { type: 'track', event: 'a', userId: 'u', timestamp: 'yesterday' },
        { type: 'track', event: 'b', userId: 'u', timestamp: 12345 },
        { type: 'track', event: 'c', userId: 'u', timestamp: '2025-12-22T10:30:00Z' },
        { type: 'track', event: 'd', userId: 'u', timestamp: '99999-01-01T00:00:00Z' },
      ],
    }).expect(200);
    expect(res.body.results[0].warnings).toEqual(['batch[0].timestamp: invalid, arrival time used']);
    expect(res.body.results[1].warnings).toEqual(['batch[1].timestamp: invalid, arrival time used']);
    expect(res.body.results[2].warnings).toBeUndefined();
    const rows: Array<{ type: string; occurred_at: Date; received_at: Date }> = await t.db.query(
      'SELECT type, occurred_at, received_at FROM events ORDER BY type',
    );
    expect(rows[0].occurred_at.getTime()).toBe(rows[0].received_at.getTime());
    expect(rows[0].received_at.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(rows[1].occurred_at.getTime()).toBe(rows[1].received_at.getTime());
    expect(rows[2].occurred_at.toISOString()).toBe('2025-12-22T10:30:00.000Z');
    expect(rows[3].occurred_at.getTime()).toBe(rows[3].received_at.getTime());
  });

  it('sanitizes traits and properties, reporting each drop', async () => {
    const res = await send({
      batch: [
        {
          type: 'identify',
          userId: 'u_1',
          traits: { plan: 'pro', password: 'hunter2', 'api-key': 'k', address: { city: 'x' }, bio: 'b'.repeat(1200), ok: true },
        },
        { type: 'track', event: 'e', userId: 'u_1', properties: { amount: 5, auth_token: 't', list: [1] } },
      ],
    }).expect(200);
    expect(res.body.results[0].warnings).toEqual([
      'batch[0].traits.password: dropped, secret-looking key',
      'batch[0].traits.api-key: dropped, secret-looking key',
      'batch[0].traits.address: dropped, objects are not kept (flat scalars only)',
      'batch[0].traits.bio: cut to 1000 characters',
    ]);
    expect(res.body.results[1].warnings).toEqual([
      'batch[1].properties.auth_token: dropped, secret-looking key',
      'batch[1].properties.list: dropped, arrays are not kept (flat scalars only)',
    ]);
    const [contact] = await t.db.query('SELECT attributes FROM contacts');
    expect(contact.attributes).toEqual({ plan: 'pro', bio: 'b'.repeat(1000), ok: true });
    const admin = await t.http().get(`/admin/tenants/${tenant.tenantId}/contacts/${res.body.results[0].contactId}`).set(adminAuth).expect(200);
    expect(admin.body.attributes).toEqual({ plan: 'pro', bio: 'b'.repeat(1000), ok: true });
    const [event] = await t.db.query('SELECT properties FROM events');
    expect(event.properties).toEqual({ amount: 5 });
  });
});
