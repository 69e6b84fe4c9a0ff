import { adminAuth, bootApp, createTenant, resetDatabase, type TenantFixture, type TestApp } from '../support/app.js';
import { sendEvents, specApi } from '../support/api.js';
import { configureSecrets, deliver, fixture, type Provider, SECRETS, signedHeaders } from '../support/webhooks.js';

describe('webhooks', () => {
  let t: TestApp;
  let tenant: TenantFixture;
  const { count, timeline } = specApi(() => t, () => tenant);

  beforeAll(async () => {
    t = await bootApp();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await resetDatabase(t.db);
    tenant = await createTenant(t);
    await configureSecrets(t, tenant.tenantId);
  });

  /** Each mapping row: optional deliveries that set the provider state first, then the fixture. */
  const processed: Array<[Provider, string[], string, string]> = [
    ['stripe', [], 'customer.subscription.created', 'subscription-started'],
    ['stripe', [], 'customer.subscription.updated.trial-converted', 'trial-converted'],
    ['stripe', [], 'customer.subscription.updated.upgraded', 'subscription-upgraded'],
    ['stripe', [], 'customer.subscription.updated.quantity-increased', 'subscription-upgraded'],
    ['stripe', [], 'customer.subscription.updated.legacy-plan-change', 'subscription-upgraded'],
    ['stripe', [], 'customer.subscription.deleted', 'subscription-canceled'],
    ['stripe', [], 'invoice.payment_failed.basil', 'payment-failed'],
    ['stripe', [], 'invoice.payment_failed.legacy', 'payment-failed'],
    ['stripe', ['invoice.payment_failed.basil'], 'invoice.payment_succeeded.after-failure', 'payment-recovered'],
    ['stripe', [], 'invoice.payment_succeeded.recovered-attempt2', 'payment-recovered'],
    ['stripe', [], 'invoice.payment_succeeded.legacy-attempt3', 'payment-recovered'],
    ['stripe', [], 'invoice.paid.recovered-attempt2', 'payment-recovered'],
    ['stripe', [], 'charge.refunded', 'refund-issued'],
    ['stripe', [], 'charge.refunded.full', 'refund-issued'],
    ['stripe', [], 'checkout.session.completed.payment', 'purchase'],
    ['stripe', [], 'checkout.session.async_payment_succeeded', 'purchase'],
    ['polar', [], 'subscription.created', 'subscription-started'],
    ['polar', [], 'subscription.active.trial', 'trial-converted'],
    ['polar', ['subscription.created'], 'subscription.updated.trial-converted', 'trial-converted'],
    ['polar', ['subscription.created'], 'subscription.cycled.trial-converted', 'trial-converted'],
    ['polar', ['subscription.past_due'], 'subscription.active.past-due-recovered', 'payment-recovered'],
    ['polar', ['subscription.created.basic'], 'subscription.updated.product-change', 'subscription-upgraded'],
    ['polar', [], 'subscription.upgraded', 'subscription-upgraded'],
    ['polar', [], 'subscription.canceled', 'subscription-canceled'],
    ['polar', [], 'subscription.revoked', 'subscription-canceled'],
    ['polar', [], 'subscription.past_due', 'payment-failed'],
    ['polar', [], 'subscription.recovered', 'payment-recovered'],
    ['polar', [], 'order.refunded', 'refund-issued'],
    ['polar', [], 'order.refunded.full', 'refund-issued'],
    ['polar', [], 'order.paid.purchase', 'purchase'],
    ['clerk', [], 'user.created', 'user.created'],
  ];

  it.each(processed)('%s %s then %s → %s on the contact timeline', async (provider, before, name, eventType) => {
    for (const prior of before) await deliver(t, provider, tenant.tenantId, fixture(provider, prior)).expect(200);
    const eventsBefore = await count('events');
    const res = await deliver(t, provider, tenant.tenantId, fixture(provider, name)).expect(200);
    expect(res.body).toEqual({ status: 'ok', eventType, contactId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(await count('events')).toBe(eventsBefore + 1);
    expect((await timeline(res.body.contactId))[0]).toBe(eventType);
    const [event] = await t.db.query('SELECT source FROM events WHERE contact_id = $1 AND type = $2', [res.body.contactId, eventType]);
    expect(event.source).toBe(provider);
  });

  const ignored: Array<[Provider, string[], string]> = [
    ['stripe', [], 'invoice.payment_succeeded.first-attempt'],
    ['stripe', [], 'checkout.session.completed.subscription'],
    ['stripe', [], 'checkout.session.completed.payment-unpaid'],
    ['stripe', [], 'customer.subscription.updated.period-roll'],
    ['stripe', [], 'customer.subscription.updated.cancel-scheduled'],
    ['stripe', [], 'unknown'],
    ['polar', [], 'order.paid.renewal'],
    ['polar', [], 'subscription.active.plain'],
    ['polar', ['subscription.created.basic'], 'subscription.updated.no-change'],
    ['polar', ['subscription.created', 'subscription.updated.trial-converted'], 'subscription.active.trial'],
    ['polar', [], 'unknown'],
    ['clerk', [], 'session.created'],
  ];

  it.each(ignored)('%s %s then %s → ignored, no event', async (provider, before, name) => {
    for (const prior of before) await deliver(t, provider, tenant.tenantId, fixture(provider, prior)).expect(200);
    const eventsBefore = await count('events');
    const res = await deliver(t, provider, tenant.tenantId, fixture(provider, name)).expect(200);
    expect(res.body).toEqual({ status: 'ignored' });
    expect(await count('events')).toBe(eventsBefore);
    expect(await count(`webhook_deliveries WHERE status = 'ignored' AND provider = '${provider}'`)).toBe(1);
  });

  it.each(processed.filter(([, before]) => before.length === 0))(
    'a redelivery of %s %s answers duplicate and adds nothing but its delivery-log row',
    async (provider, _, name) => {
      const payload = fixture(provider, name);
      const id = `redelivery-${name}`;
      await deliver(t, provider, tenant.tenantId, payload, { id }).expect(200);
      const entries = `webhook_deliveries WHERE status <> 'duplicate'`;
      const snapshot = [await count('events'), await count('contacts'), await count(entries), await count('provider_state')];
      const again = await deliver(t, provider, tenant.tenantId, payload, { id }).expect(200);
      expect(again.body).toEqual({ status: 'duplicate' });
      expect([await count('events'), await count('contacts'), await count(entries), await count('provider_state')]).toEqual(snapshot);
      expect(await count(`webhook_deliveries WHERE status = 'duplicate' AND event_type IS NULL AND contact_id IS NULL`)).toBe(1);
    },
  );

  describe('refused deliveries: 401 invalid_signature, nothing written', () => {
    const cases: Array<[string, Provider, (body: string) => { body: string; headers: Record<string, string> }]> = [];
    for (const provider of ['stripe', 'polar', 'clerk'] as const) {
      const wrongSecret = provider === 'clerk' ? `whsec_${Buffer.alloc(24, 9).toString('base64')}` : 'whsec_wrong_secret';
      cases.push(
        [`${provider}: wrong secret`, provider, (body) => ({ body, headers: signedHeaders(provider, body, { secret: wrongSecret }) })],
        [`${provider}: tampered body`, provider, (body) => ({ body: body.replace(/"type":/, '"type" :'), headers: signedHeaders(provider, body) })],
        [`${provider}: stale timestamp`, provider, (body) => ({ body, headers: signedHeaders(provider, body, { at: new Date(Date.now() - 301_000) }) })],
        [`${provider}: future timestamp`, provider, (body) => ({ body, headers: signedHeaders(provider, body, { at: new Date(Date.now() + 301_000) }) })],
        [`${provider}: missing headers`, provider, (body) => ({ body, headers: {} })],
      );
    }
    it.each(cases)('%s', async (_, provider, make) => {
      const name = provider === 'clerk' ? 'user.created' : provider === 'stripe' ? 'customer.subscription.created' : 'subscription.created';
      const { body, headers } = make(JSON.stringify(fixture(provider, name)));
      const res = await deliver(t, provider, tenant.tenantId, body, { headers }).expect(401);
      expect(res.body).toEqual({ ok: false, code: 'invalid_signature', message: expect.any(String) });
      expect([await count('events'), await count('contacts'), await count('webhook_deliveries')]).toEqual([0, 0, 0]);
    });

    it('answers 412 when no secret is configured, and 401 for an unknown tenant', async () => {
      await t.http().delete(`/admin/tenants/${tenant.tenantId}/webhook-secrets/polar`).set(adminAuth).expect(204);
      const res = await deliver(t, 'polar', tenant.tenantId, fixture('polar', 'subscription.created')).expect(412);
      expect(res.body).toEqual({ ok: false, code: 'no_webhook_secret', message: expect.any(String) });
      const unknown = await deliver(t, 'stripe', '00000000-0000-4000-8000-000000000000', fixture('stripe', 'unknown')).expect(401);
      expect(unknown.body.code).toBe('invalid_signature');
      await deliver(t, 'paypal' as Provider, tenant.tenantId, '{}', { headers: {} }).expect(404);
      expect(await count('webhook_deliveries')).toBe(0);
    });

    it('answers 400 for a correctly signed body that is not the provider JSON', async () => {
      const res = await deliver(t, 'clerk', tenant.tenantId, 'not json at all').expect(400);
      expect(res.body).toEqual({ ok: false, code: 'bad_request', message: expect.stringMatching(/^body: /) });
      const stripe = await deliver(t, 'stripe', tenant.tenantId, '{"hello": "world"}').expect(400);
      expect(stripe.body.code).toBe('bad_request');
      expect(await count('webhook_deliveries')).toBe(0);
    });
  });

  it('projects provider metadata with the Events API sanitization', async () => {
    const payload = fixture('stripe', 'customer.subscription.created');
    const object = (payload.data as { object: Record<string, unknown> }).object;
    object.metadata = { userId: 'u_meta', plan_tier: 'pro', api_token: 'tok_secret', nested: { a: 1 } };
    const res = await deliver(t, 'stripe', tenant.tenantId, payload).expect(200);
    const contact = await t.http().get(`/admin/tenants/${tenant.tenantId}/contacts/${res.body.contactId}`).set(adminAuth).expect(200);
    expect(contact.body.externalId).toBe('u_meta');
    expect(contact.body.attributes).toMatchObject({ plan_tier: 'pro' });
    expect(contact.body.attributes).not.toHaveProperty('api_token');
    expect(contact.body.attributes).not.toHaveProperty('nested');
  });

  it('keeps a billing event with no identity unlinked', async () => {
    const payload = fixture('stripe', 'charge.refunded');
    const charge = (payload.data as { object: Record<string, unknown> }).object;
    charge.billing_details = {};
    delete charge.receipt_email;
    charge.customer = null;
    charge.metadata = {};
    const res = await deliver(t, 'stripe', tenant.tenantId, payload).expect(200);
    expect(res.body).toEqual({ status: 'ok', eventType: 'refund-issued', contactId: null });
    expect(await t.db.query('SELECT contact_id, type, source FROM events')).toEqual([
      { contact_id: null, type: 'refund-issued', source: 'stripe' },
    ]);
    expect(await count('contacts')).toBe(0);
  });

  it('attaches events of a customer first seen through checkout to the Events API contact of that user', async () => {
    const api = await sendEvents(t, tenant, { type: 'identify', userId: 'u_77', email: 'grace@app.example', name: 'Grace' })
      .expect(200);
    const contactId = api.body.results[0].contactId;
    await deliver(t, 'stripe', tenant.tenantId, fixture('stripe', 'checkout.session.completed.subscription')).expect(200);
    // A subscription event that names only the customer (no metadata, no email).
    const payload = fixture('stripe', 'customer.subscription.created');
    const sub = (payload.data as { object: Record<string, unknown> }).object;
    sub.customer = 'cus_RbGrace77';
    sub.metadata = {};
    const res = await deliver(t, 'stripe', tenant.tenantId, payload).expect(200);
    expect(res.body).toEqual({ status: 'ok', eventType: 'subscription-started', contactId });
    expect(await timeline(contactId)).toEqual(['subscription-started']);
    expect(await count('contacts')).toBe(1);
    // The billing email did not overwrite the app's.
    expect(await t.db.query('SELECT email FROM contacts')).toEqual([{ email: 'grace@app.example' }]);
  });

  describe('Clerk', () => {
    const clerkUserId = 'user_2qKx8ZtV3mN7pLr4sW9yB1cD0eF';

    it('creates, then updates the contact with the new primary email; never reads private or unsafe metadata', async () => {
      const created = await deliver(t, 'clerk', tenant.tenantId, fixture('clerk', 'user.created')).expect(200);
      expect(created.body).toEqual({ status: 'ok', eventType: 'user.created', contactId: expect.any(String) });
      const updated = await deliver(t, 'clerk', tenant.tenantId, fixture('clerk', 'user.updated')).expect(200);
      expect(updated.body).toEqual({ status: 'ok', eventType: null, contactId: created.body.contactId });
      const contacts = await t.db.query('SELECT id, external_id, email, name, attributes FROM contacts');
      expect(contacts).toHaveLength(1);
      expect(contacts[0]).toMatchObject({ id: created.body.contactId, external_id: clerkUserId, email: 'ada@lovelace.example' });
      expect(contacts[0].name).toEqual(expect.any(String));
      const clerkUser = (fixture('clerk', 'user.updated').data ?? {}) as Record<string, Record<string, unknown>>;
      // Public metadata is projected; where private or unsafe metadata hold other keys or values,
      // none of them shows up.
      for (const [key, value] of Object.entries(clerkUser.public_metadata ?? {})) expect(contacts[0].attributes[key]).toBe(value);
      for (const hidden of [clerkUser.private_metadata ?? {}, clerkUser.unsafe_metadata ?? {}]) {
        for (const [key, value] of Object.entries(hidden)) {
          if (key in (clerkUser.public_metadata ?? {})) expect(contacts[0].attributes[key]).not.toBe(value);
          else expect(contacts[0].attributes).not.toHaveProperty(key);
        }
      }
      expect(JSON.stringify(contacts[0].attributes)).not.toMatch(/stripeCustomerId|cus_/);
      expect(await timeline(created.body.contactId)).toEqual(['user.created']);
    });

    it('user.deleted records a deactivation and marks the contact', async () => {
      const created = await deliver(t, 'clerk', tenant.tenantId, fixture('clerk', 'user.created')).expect(200);
      const deleted = await deliver(t, 'clerk', tenant.tenantId, fixture('clerk', 'user.deleted')).expect(200);
      expect(deleted.body).toEqual({ status: 'ok', eventType: 'user.deleted', contactId: created.body.contactId });
      const [row] = await t.db.query('SELECT deactivated_at FROM contacts WHERE id = $1', [created.body.contactId]);
      expect(row.deactivated_at).toBeInstanceOf(Date);
      expect(await timeline(created.body.contactId)).toEqual(['user.deleted', 'user.created']);
    });
  });

  it('counts lifecycle events under their connector in ingestion-health', async () => {
    await deliver(t, 'stripe', tenant.tenantId, fixture('stripe', 'customer.subscription.created')).expect(200);
    await deliver(t, 'polar', tenant.tenantId, fixture('polar', 'subscription.created')).expect(200);
    await deliver(t, 'clerk', tenant.tenantId, fixture('clerk', 'user.created')).expect(200);
    const res = await t.http().get(`/admin/tenants/${tenant.tenantId}/ingestion-health`).set(adminAuth).expect(200);
    for (const provider of ['stripe', 'polar', 'clerk']) {
      expect(res.body.connectors[provider]).toEqual({ contacts: 1, events: 1, lastActivityAt: expect.any(String) });
    }
    expect(res.body.connectors.events_api).toEqual({ contacts: 0, events: 0, lastActivityAt: null });
    void SECRETS;
  });
});
