import { readFileSync } from 'node:fs';

import Stripe from 'stripe';

import { StripeAdapter } from './stripe.adapter.js';
import {
  InvalidSignatureError,
  MalformedPayloadError,
  type Normalized,
  type ProviderState,
} from './webhook-adapter.js';

const FIXTURES = new URL('../../../test/fixtures/webhooks/stripe/', import.meta.url);
const SECRET = 'whsec_test_secret';
const stripe = new Stripe('sk_test_placeholder');
const adapter = new StripeAdapter();

function rawFixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}
function fixture(name: string): Record<string, unknown> {
  return JSON.parse(rawFixture(name)) as Record<string, unknown>;
}

function signed(payload: string, opts: { timestamp?: number; secret?: string } = {}) {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const header = stripe.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? SECRET, timestamp });
  return { body: Buffer.from(payload, 'utf8'), headers: { 'stripe-signature': header } };
}

/** Replays deliveries through stateKeys/normalize with an in-memory state store, as the service does. */
function replay(names: string[], store = new Map<string, ProviderState>()): Normalized[] {
  return names.map((name) => {
    const payload = fixture(name);
    const state = new Map<string, ProviderState>();
    for (const key of adapter.stateKeys(payload)) {
      const value = store.get(key);
      if (value !== undefined) state.set(key, value);
    }
    const result = adapter.normalize(payload, state);
    for (const write of result.stateWrites ?? []) store.set(write.key, write.value);
    return result;
  });
}

function ok(result: Normalized) {
  if (result.outcome !== 'ok') throw new Error(`expected ok, got ignored: ${result.reason}`);
  return result;
}

function eventOf(result: Normalized) {
  const event = ok(result).event;
  if (event === null) throw new Error('expected an event');
  return event;
}

describe('StripeAdapter.verify', () => {
  const body = rawFixture('customer.subscription.created.json');

  it('accepts a fixture signed by stripe-node and returns the event id as delivery id', () => {
    const { body: raw, headers } = signed(body);
    const delivery = adapter.verify(raw, headers, SECRET);
    expect(delivery.deliveryId).toBe('evt_1QwSubCreated42');
    expect(delivery.payload).toEqual(JSON.parse(body));
  });

  it('reproduces the Stripe test vector of docs/webhooks.md#test-vectors exactly', () => {
    const payload = '{"id":"evt_test_1","object":"event","type":"customer.subscription.updated"}';
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET, timestamp: 1767225600 });
    expect(header).toBe('t=1767225600,v1=f663320143b30f760a1f57648ff8406cd19c3dd7e8215058dd805f27a0eb73a5');
    // The vector's body has no data.object: a good signature on it is a 400, not a 401.
    expect(() =>
      adapter.verify(Buffer.from(payload), { 'stripe-signature': header }, SECRET, new Date(1767225600_000)),
    ).toThrow(MalformedPayloadError);
  });

  it('judges the timestamp against the injected clock, in both directions', () => {
    const t = 1767225600;
    const { body: raw, headers } = signed(body, { timestamp: t });
    expect(adapter.verify(raw, headers, SECRET, new Date((t + 300) * 1000)).deliveryId).toBe('evt_1QwSubCreated42');
    expect(adapter.verify(raw, headers, SECRET, new Date((t - 300) * 1000)).deliveryId).toBe('evt_1QwSubCreated42');
    expect(() => adapter.verify(raw, headers, SECRET, new Date((t + 301) * 1000))).toThrow(InvalidSignatureError);
    expect(() => adapter.verify(raw, headers, SECRET, new Date((t - 301) * 1000))).toThrow(InvalidSignatureError);
  });

  it('refuses a stale timestamp (more than 300 s old)', () => {
    const { body: raw, headers } = signed(body, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(() => adapter.verify(raw, headers, SECRET)).toThrow(InvalidSignatureError);
  });

  it('refuses a future timestamp (more than 300 s ahead), which stripe-node alone would accept', () => {
    const future = Math.floor(Date.now() / 1000) + 3600;
    const { body: raw, headers } = signed(body, { timestamp: future });
    expect(() => stripe.webhooks.constructEvent(raw, headers['stripe-signature'], SECRET)).not.toThrow();
    expect(() => adapter.verify(raw, headers, SECRET)).toThrow(InvalidSignatureError);
  });

  it('refuses a wrong secret, a tampered body, and missing or malformed headers', () => {
    const { body: raw, headers } = signed(body);
    expect(() => adapter.verify(raw, headers, 'whsec_other')).toThrow(InvalidSignatureError);
    expect(() => adapter.verify(Buffer.from(body.replace('u_42', 'u_43')), headers, SECRET)).toThrow(InvalidSignatureError);
    expect(() => adapter.verify(raw, {}, SECRET)).toThrow(InvalidSignatureError);
    expect(() => adapter.verify(raw, { 'stripe-signature': '' }, SECRET)).toThrow(InvalidSignatureError);
    expect(() => adapter.verify(raw, { 'stripe-signature': 'garbage' }, SECRET)).toThrow(InvalidSignatureError);
    const v1 = headers['stripe-signature'].split(',v1=')[1];
    expect(() => adapter.verify(raw, { 'stripe-signature': `t=abc,v1=${v1}` }, SECRET)).toThrow(InvalidSignatureError);
    const t = headers['stripe-signature'].split(',')[0];
    expect(() => adapter.verify(raw, { 'stripe-signature': `${t},v0=${v1}` }, SECRET)).toThrow(InvalidSignatureError);
  });

  it('accepts when any v1 signature matches (secret roll)', () => {
    const { body: raw, headers } = signed(body);
    const [t, v1] = headers['stripe-signature'].split(',');
    const rolled = `${t},v1=${'0'.repeat(64)},${v1},v0=${'1'.repeat(64)}`;
    expect(adapter.verify(raw, { 'stripe-signature': rolled }, SECRET).deliveryId).toBe('evt_1QwSubCreated42');
  });

  it('answers MalformedPayloadError for correctly signed bodies that are not Stripe events', () => {
    for (const bad of ['not json', '[1,2]', '{"type":"x","data":{"object":{}}}', '{"id":"evt_1","data":{"object":{}}}', '{"id":"evt_1","type":"x","data":{}}']) {
      const { body: raw, headers } = signed(bad);
      expect(() => adapter.verify(raw, headers, SECRET)).toThrow(MalformedPayloadError);
    }
  });
});

describe('StripeAdapter.normalize', () => {
  it('customer.subscription.created -> subscription-started, identity from metadata, raw metadata as attributes', () => {
    const [result] = replay(['customer.subscription.created.json']);
    const r = ok(result);
    expect(r.identity).toEqual({ externalId: 'u_42', customerId: 'cus_RbAda42', email: null });
    expect(r.attributes).toEqual({ userId: 'u_42', plan_tier: 'pro', api_token: 'x' });
    expect(r.event).toEqual({
      type: 'subscription-started',
      occurredAt: new Date(1766016000_000),
      properties: {
        provider: 'stripe',
        provider_event_type: 'customer.subscription.created',
        subscription_id: 'sub_1QwTrial42Pro',
        customer_id: 'cus_RbAda42',
        status: 'trialing',
        price_id: 'price_1QwProMonthly49',
        product_id: 'prod_RbPro02',
        quantity: 1,
        interval: 'month',
        currency: 'usd',
        trial_end: '2026-01-01T00:00:00.000Z',
        cancel_at_period_end: false,
      },
    });
    expect(r.stateWrites).toBeUndefined();
  });

  it('every property is a flat scalar', () => {
    const all = [
      'customer.subscription.created.json',
      'customer.subscription.updated.upgraded.json',
      'invoice.payment_failed.basil.json',
      'charge.refunded.json',
      'checkout.session.completed.payment.json',
    ].flatMap((name) => replay([name]));
    for (const result of all) {
      for (const value of Object.values(eventOf(result).properties)) {
        expect(['string', 'number', 'boolean']).toContain(typeof value);
      }
    }
  });

  it('customer.subscription.updated trialing -> active is trial-converted (items moved too, but not the plan)', () => {
    const event = eventOf(replay(['customer.subscription.updated.trial-converted.json'])[0]);
    expect(event.type).toBe('trial-converted');
    expect(event.properties).toMatchObject({ previous_status: 'trialing', status: 'active', subscription_id: 'sub_1QwTrial42Pro' });
  });

  it('customer.subscription.updated with a different price is subscription-upgraded', () => {
    const r = ok(replay(['customer.subscription.updated.upgraded.json'])[0]);
    expect(r.event?.type).toBe('subscription-upgraded');
    expect(r.event?.properties).toMatchObject({
      price_id: 'price_1QwProMonthly49',
      previous_price_id: 'price_1QwBasicMonthly19',
      previous_amount: 1900,
      new_amount: 4900,
      direction: 'up',
    });
    expect(r.identity.externalId).toBe('u_42');
  });

  it('customer.subscription.updated with a different quantity is subscription-upgraded', () => {
    const r = ok(replay(['customer.subscription.updated.quantity-increased.json'])[0]);
    expect(r.identity).toEqual({ externalId: 'u_77', customerId: 'cus_RbGrace77', email: null });
    expect(r.event?.type).toBe('subscription-upgraded');
    expect(r.event?.properties).toMatchObject({ quantity: 5, previous_quantity: 3, previous_amount: 4500, new_amount: 7500 });
  });

  it('the legacy single-plan shape (previous_attributes.plan) counts as a plan change', () => {
    const r = ok(replay(['customer.subscription.updated.legacy-plan-change.json'])[0]);
    expect(r.event?.type).toBe('subscription-upgraded');
    expect(r.event?.properties).toMatchObject({ previous_price_id: 'price_1QwBasicMonthly19', price_id: 'price_1QwProMonthly49' });
    expect(r.identity.externalId).toBe('acct_legacy_9');
  });

  it('a period roll (items only changed current_period_*) and a scheduled cancel are ignored', () => {
    const [roll, sched] = replay([
      'customer.subscription.updated.period-roll.json',
      'customer.subscription.updated.cancel-scheduled.json',
    ]);
    expect(roll.outcome).toBe('ignored');
    expect(sched.outcome).toBe('ignored');
  });

  it('customer.subscription.deleted -> subscription-canceled with the cancellation reason', () => {
    const event = eventOf(replay(['customer.subscription.deleted.json'])[0]);
    expect(event.type).toBe('subscription-canceled');
    expect(event.properties).toMatchObject({ status: 'canceled', cancellation_reason: 'cancellation_requested' });
  });

  it('invoice.payment_failed (basil shape) -> payment-failed and remembers the failed invoice', () => {
    const r = ok(replay(['invoice.payment_failed.basil.json'])[0]);
    expect(r.identity).toEqual({ externalId: 'u_42', customerId: 'cus_RbAda42', email: 'ada@example.com' });
    expect(r.attributes).toEqual({ userId: 'u_42', plan_tier: 'pro' });
    expect(r.event?.type).toBe('payment-failed');
    expect(r.event?.properties).toMatchObject({
      invoice_id: 'in_1QwFail9',
      subscription_id: 'sub_1QwUpgrade42',
      amount: 4900,
      currency: 'usd',
      attempt_count: 1,
      billing_reason: 'subscription_cycle',
      next_payment_attempt: expect.any(String),
    });
    expect(r.stateWrites).toEqual([{ key: 'invoice:in_1QwFail9', value: { status: 'failed', attempt_count: 1 } }]);
  });

  it('invoice.payment_failed (pre-basil shape) reads invoice.subscription and subscription_details.metadata', () => {
    const r = ok(replay(['invoice.payment_failed.legacy.json'])[0]);
    expect(r.identity).toEqual({ externalId: 'u_legacy_7', customerId: 'cus_PlLegacy7', email: 'lin@example.com' });
    expect(r.attributes).toEqual({ user_id: 'u_legacy_7', seats_plan: 'plus' });
    expect(r.event?.properties).toMatchObject({ subscription_id: 'sub_1PlLegacy7', invoice_id: 'in_1PlFail7' });
    expect(r.stateWrites).toEqual([{ key: 'invoice:in_1PlFail7', value: { status: 'failed', attempt_count: 1 } }]);
  });

  it('stateKeys asks for the invoice state only on invoice events', () => {
    expect(adapter.stateKeys(fixture('invoice.payment_failed.basil.json'))).toEqual(['invoice:in_1QwFail9']);
    expect(adapter.stateKeys(fixture('invoice.paid.recovered-attempt2.json'))).toEqual(['invoice:in_1QwRetry2']);
    expect(adapter.stateKeys(fixture('charge.refunded.json'))).toEqual([]);
  });

  it('a first-attempt invoice success is ignored', () => {
    expect(replay(['invoice.payment_succeeded.first-attempt.json'])[0].outcome).toBe('ignored');
  });

  it('a success on an invoice seen failing is payment-recovered even at attempt_count 1 (recovered by state)', () => {
    // Without the earlier failure the same delivery is a plain first-attempt success.
    expect(replay(['invoice.payment_succeeded.after-failure.json'])[0].outcome).toBe('ignored');

    const [failed, recovered] = replay(['invoice.payment_failed.basil.json', 'invoice.payment_succeeded.after-failure.json']);
    expect(eventOf(failed).type).toBe('payment-failed');
    const r = ok(recovered);
    expect(r.event?.type).toBe('payment-recovered');
    expect(r.event?.properties).toMatchObject({ invoice_id: 'in_1QwFail9', attempt_count: 1, amount: 4900, recovered_by: 'failed_invoice_seen' });
    expect(r.stateWrites).toEqual([{ key: 'invoice:in_1QwFail9', value: { status: 'recovered', attempt_count: 1 } }]);
  });

  it('a success with attempt_count > 1 is payment-recovered without state, and invoice.paid for the same payment is not a second one', () => {
    const [succeeded, paid] = replay(['invoice.payment_succeeded.recovered-attempt2.json', 'invoice.paid.recovered-attempt2.json']);
    expect(eventOf(succeeded).type).toBe('payment-recovered');
    expect(eventOf(succeeded).properties).toMatchObject({ attempt_count: 2, recovered_by: 'attempt_count' });
    expect(ok(succeeded).identity).toEqual({ externalId: 'u_77', customerId: 'cus_RbGrace77', email: 'grace@example.org' });
    expect(paid.outcome).toBe('ignored');
    // Alone (e.g. only invoice.paid is subscribed) it maps the same way.
    expect(eventOf(replay(['invoice.paid.recovered-attempt2.json'])[0]).type).toBe('payment-recovered');
  });

  it('reads the pre-basil shape on invoice.payment_succeeded too', () => {
    const r = ok(replay(['invoice.payment_succeeded.legacy-attempt3.json'])[0]);
    expect(r.event?.type).toBe('payment-recovered');
    expect(r.event?.properties).toMatchObject({ subscription_id: 'sub_1PlLegacy7', attempt_count: 3, amount: 2900 });
  });

  it('charge.refunded (partial) -> refund-issued, identity from billing_details.email only', () => {
    const r = ok(replay(['charge.refunded.json'])[0]);
    expect(r.identity).toEqual({ externalId: null, customerId: null, email: 'guest.buyer@example.net' });
    expect(r.attributes).toEqual({});
    expect(r.event).toEqual({
      type: 'refund-issued',
      occurredAt: new Date(1767398400_000),
      properties: {
        provider: 'stripe',
        provider_event_type: 'charge.refunded',
        charge_id: 'ch_3QwGuestOrder5',
        payment_intent_id: 'pi_3QwGuestOrder5',
        amount: 5000,
        amount_refunded: 2000,
        currency: 'eur',
        full_refund: false,
      },
    });
  });

  it('charge.refunded (full) sets full_refund and reads metadata, customer and email', () => {
    const r = ok(replay(['charge.refunded.full.json'])[0]);
    expect(r.identity).toEqual({ externalId: 'u_legacy_7', customerId: 'cus_PlLegacy7', email: 'lin@example.com' });
    expect(r.event?.properties).toMatchObject({ full_refund: true, amount_refunded: 2900 });
  });

  it('checkout.session.completed in payment mode -> purchase, identity from client_reference_id', () => {
    const r = ok(replay(['checkout.session.completed.payment.json'])[0]);
    expect(r.identity).toEqual({ externalId: 'u_77', customerId: null, email: 'grace@example.org' });
    expect(r.attributes).toEqual({ product: 'lifetime_deal', campaign: 'launch_week' });
    expect(r.event?.type).toBe('purchase');
    expect(r.event?.properties).toMatchObject({
      checkout_session_id: 'cs_test_a1QwLifetime77',
      payment_intent_id: 'pi_3QwLifetime77',
      amount: 19900,
      currency: 'usd',
      payment_status: 'paid',
    });
  });

  it('checkout in subscription mode, or still unpaid, is ignored; async_payment_succeeded completes the purchase', () => {
    const [sub, unpaid, asyncOk] = replay([
      'checkout.session.completed.subscription.json',
      'checkout.session.completed.payment-unpaid.json',
      'checkout.session.async_payment_succeeded.json',
    ]);
    expect(sub).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('mode=subscription') });
    expect(unpaid).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('unpaid') });
    expect(eventOf(asyncOk).type).toBe('purchase');
    expect(ok(asyncOk).identity).toEqual({ externalId: 'u_88', customerId: 'cus_RbAch88', email: 'ach.buyer@example.com' });
  });

  it('an unmapped type is ignored', () => {
    expect(replay(['unknown.json'])[0]).toEqual({ outcome: 'ignored', reason: 'Stripe event type customer.created is not mapped' });
  });

  it('reads an expanded customer object', () => {
    const payload = fixture('customer.subscription.created.json');
    const object = (payload.data as { object: Record<string, unknown> }).object;
    object.customer = { id: 'cus_Expanded', object: 'customer', email: 'exp@example.com' };
    object.metadata = {};
    const r = ok(adapter.normalize(payload, new Map()));
    expect(r.identity).toEqual({ externalId: null, customerId: 'cus_Expanded', email: 'exp@example.com' });
  });
});
