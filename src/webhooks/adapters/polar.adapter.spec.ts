import { readFileSync } from 'node:fs';

import { jest } from '@jest/globals';
import { Webhook } from 'standardwebhooks';

import { PolarAdapter, polarWebhook } from './polar.adapter.js';
import {
  InvalidSignatureError,
  MalformedPayloadError,
  type Normalized,
  type ProviderState,
} from './webhook-adapter.js';

const FIXTURES = new URL('../../../test/fixtures/webhooks/polar/', import.meta.url);
const SECRET = 'whsec_polarExampleSecret123';
const adapter = new PolarAdapter();

const SUB_TRIAL = 'a3c1d6e0-9b2f-4c7a-8e51-0d4f2b6a9c13';
const SUB_UPGRADE = 'c9d4e2f1-0a3b-4c5d-9e6f-7a8b9c0d1e2f';
const SUB_PAST_DUE = 'b7e2a4c6-8d0f-4e1a-b3c5-d7e9f1a3b5c7';

function rawFixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}
function fixture(name: string): Record<string, unknown> {
  return JSON.parse(rawFixture(name)) as Record<string, unknown>;
}
/** The catch-all Polar sends alongside a specific subscription.* event, with the same data. */
function asUpdated(name: string): Record<string, unknown> {
  return { ...fixture(name), type: 'subscription.updated' };
}

/** Signs the way Polar does: Standard Webhooks keyed with the UTF-8 bytes of the whole secret. */
function signed(body: string, opts: { id?: string; at?: Date; secret?: string } = {}) {
  const id = opts.id ?? 'msg_2qPolarDelivery01';
  const at = opts.at ?? new Date();
  const key = Buffer.from(opts.secret ?? SECRET, 'utf8').toString('base64');
  return {
    body: Buffer.from(body, 'utf8'),
    headers: {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(key).sign(id, at, body),
    } as Record<string, string>,
  };
}

function replay(payloads: Array<string | Record<string, unknown>>, store = new Map<string, ProviderState>()): Normalized[] {
  return payloads.map((p) => {
    const payload = typeof p === 'string' ? fixture(p) : p;
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

/** The lifecycle event type, or 'ignored'. */
function outcomes(results: Normalized[]): string[] {
  return results.map((r) => (r.outcome === 'ok' ? (r.event?.type ?? 'no-event') : 'ignored'));
}

function ok(result: Normalized) {
  if (result.outcome !== 'ok') throw new Error(`expected ok, got ignored: ${result.reason}`);
  return result;
}

describe('PolarAdapter.verify', () => {
  const body = rawFixture('order.paid.purchase.json');

  afterEach(() => jest.useRealTimers());

  it('accepts a delivery signed with the whole secret as the key; the delivery id is webhook-id', () => {
    const { body: raw, headers } = signed(body);
    const delivery = adapter.verify(raw, headers, SECRET);
    expect(delivery.deliveryId).toBe('msg_2qPolarDelivery01');
    expect(delivery.payload).toEqual(JSON.parse(body));
  });

  it('keys the HMAC with the UTF-8 bytes of the whole secret (docs/webhooks.md#test-vectors, Polar)', () => {
    const vectorBody = '{"type":"order.paid","timestamp":"2026-01-01T00:00:00Z","data":{"id":"ord_1"}}';
    const at = new Date(1767225600_000);
    expect(polarWebhook(SECRET).sign('evt_123', at, vectorBody)).toBe('v1,7PSJOhJFw8ApcLyx7mI1sfSLSpGEEN64Qor8HhmzSwY=');
    // Handing the secret to the library as-is strips whsec_ and base64-decodes the rest: another key.
    expect(new Webhook(SECRET).sign('evt_123', at, vectorBody)).toBe('v1,7kUcRTHO5SiPvzPz1+ZbWfgXmavASreUPMUvYV9OV2c=');

    // The library checks its timestamp window against the real clock, so freeze it at the vector's time.
    jest.useFakeTimers({ now: at, doNotFake: ['nextTick', 'setImmediate'] });
    const headers = { 'webhook-id': 'evt_123', 'webhook-timestamp': '1767225600' };
    const delivery = adapter.verify(
      Buffer.from(vectorBody),
      { ...headers, 'webhook-signature': 'v1,7PSJOhJFw8ApcLyx7mI1sfSLSpGEEN64Qor8HhmzSwY=' },
      SECRET,
      at,
    );
    expect(delivery).toEqual({ deliveryId: 'evt_123', payload: JSON.parse(vectorBody) });
    expect(() =>
      adapter.verify(
        Buffer.from(vectorBody),
        { ...headers, 'webhook-signature': 'v1,7kUcRTHO5SiPvzPz1+ZbWfgXmavASreUPMUvYV9OV2c=' },
        SECRET,
        at,
      ),
    ).toThrow(InvalidSignatureError);
  });

  it('the official Standard Webhooks vector holds for the library itself', () => {
    const sig = new Webhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw').sign(
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      new Date(1614265330_000),
      '{"test": 2432232314}',
    );
    expect(sig).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('refuses a wrong secret and a tampered body', () => {
    const { body: raw, headers } = signed(body);
    expect(() => adapter.verify(raw, headers, 'whsec_polarOtherSecret')).toThrow(InvalidSignatureError);
    expect(() => adapter.verify(Buffer.from(body.replace('14900', '1')), headers, SECRET)).toThrow(InvalidSignatureError);
  });

  it('refuses stale and future timestamps (more than 300 s either way)', () => {
    const stale = signed(body, { at: new Date(Date.now() - 301_000) });
    expect(() => adapter.verify(stale.body, stale.headers, SECRET)).toThrow(InvalidSignatureError);
    const future = signed(body, { at: new Date(Date.now() + 301_000) });
    expect(() => adapter.verify(future.body, future.headers, SECRET)).toThrow(InvalidSignatureError);
  });

  it('also judges the timestamp against the injected now', () => {
    const { body: raw, headers } = signed(body);
    expect(() => adapter.verify(raw, headers, SECRET, new Date(Date.now() + 400_000))).toThrow(InvalidSignatureError);
    expect(() => adapter.verify(raw, headers, SECRET, new Date(Date.now() - 400_000))).toThrow(InvalidSignatureError);
  });

  it('refuses missing headers and a malformed timestamp', () => {
    const { body: raw, headers } = signed(body);
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const partial = { ...headers };
      delete partial[name];
      expect(() => adapter.verify(raw, partial, SECRET)).toThrow(InvalidSignatureError);
    }
    expect(() => adapter.verify(raw, { ...headers, 'webhook-timestamp': 'soon' }, SECRET)).toThrow(InvalidSignatureError);
    expect(() => adapter.verify(raw, { ...headers, 'webhook-signature': 'v2,abc' }, SECRET)).toThrow(InvalidSignatureError);
  });

  it('answers MalformedPayloadError for a correctly signed body that is not a Polar event', () => {
    for (const bad of ['not json', '[]', '"order.paid"', '{"data":{}}', '{"type":""}']) {
      const { body: raw, headers } = signed(bad);
      expect(() => adapter.verify(raw, headers, SECRET)).toThrow(MalformedPayloadError);
    }
  });
});

describe('PolarAdapter.normalize', () => {
  it('subscription.created -> subscription-started, writes the subscription state', () => {
    const r = ok(replay(['subscription.created.json'])[0]);
    expect(r.identity).toEqual({
      externalId: 'u_42',
      customerId: '992fae2a-2a17-4b7a-8d9d-e45b1a6e7a61',
      email: 'ada@example.com',
    });
    expect(r.attributes).toEqual({
      plan_tier: 'pro',
      api_token: 'x',
      company: 'Analytical Engines Ltd',
      signup_source: 'producthunt',
    });
    expect(r.event).toEqual({
      type: 'subscription-started',
      occurredAt: new Date('2025-12-18T10:00:02.114Z'),
      properties: {
        provider: 'polar',
        provider_event_type: 'subscription.created',
        subscription_id: SUB_TRIAL,
        customer_id: '992fae2a-2a17-4b7a-8d9d-e45b1a6e7a61',
        status: 'trialing',
        product_id: '8d3e2c1b-7a6f-4b59-8e02-1c9d0f3a5b7e',
        product_name: 'Pro',
        price_id: '6c5b4a39-2817-4f06-9e5d-4c3b2a190807',
        amount: 2900,
        currency: 'usd',
        recurring_interval: 'month',
        cancel_at_period_end: false,
      },
    });
    expect(r.stateWrites).toEqual([
      {
        key: `subscription:${SUB_TRIAL}`,
        value: {
          status: 'trialing',
          product_id: '8d3e2c1b-7a6f-4b59-8e02-1c9d0f3a5b7e',
          price_ids: ['6c5b4a39-2817-4f06-9e5d-4c3b2a190807'],
          seats: null,
          units: null,
          amount: 2900,
          canceled: false,
        },
      },
    ]);
  });

  it('stateKeys asks for the subscription state on subscription events only', () => {
    expect(adapter.stateKeys(fixture('subscription.updated.no-change.json'))).toEqual([`subscription:${SUB_UPGRADE}`]);
    expect(adapter.stateKeys(fixture('order.paid.purchase.json'))).toEqual([]);
  });

  it('metadata userId wins over customer.external_id', () => {
    const r = ok(replay(['subscription.created.basic.json'])[0]);
    expect(r.identity.externalId).toBe('u_314');
    expect(r.attributes).toEqual({ userId: 'u_314', referrer: 'newsletter', crm_id: 'hs_90210', plan_tier: 'basic' });
  });

  describe('trial conversion: one transition, one event, whichever delivery comes first', () => {
    it('subscription.cycled after a stored trial is trial-converted; the catch-all updated that follows is ignored', () => {
      const results = replay([
        'subscription.created.json',
        'subscription.cycled.trial-converted.json',
        'subscription.updated.trial-converted.json',
      ]);
      expect(outcomes(results)).toEqual(['subscription-started', 'trial-converted', 'ignored']);
      expect(ok(results[1]).event?.properties).toMatchObject({ previous_status: 'trialing', status: 'active' });
    });

    it('the catch-all updated arriving first converts; the later cycled and active are ignored', () => {
      const results = replay([
        'subscription.created.json',
        'subscription.updated.trial-converted.json',
        'subscription.cycled.trial-converted.json',
        'subscription.active.trial.json',
      ]);
      expect(outcomes(results)).toEqual(['subscription-started', 'trial-converted', 'ignored', 'ignored']);
    });

    it('subscription.active with trial_start set converts even with no stored state, once', () => {
      const results = replay(['subscription.active.trial.json', 'subscription.updated.trial-converted.json']);
      expect(outcomes(results)).toEqual(['trial-converted', 'ignored']);
    });

    it('subscription.active with stored trialing converts; a following catch-all is ignored', () => {
      expect(outcomes(replay(['subscription.created.json', 'subscription.active.trial.json', 'subscription.updated.trial-converted.json']))).toEqual([
        'subscription-started',
        'trial-converted',
        'ignored',
      ]);
    });

    it('a catch-all updated with no stored state is ignored but stores the state', () => {
      const [r] = replay(['subscription.updated.trial-converted.json']);
      expect(r.outcome).toBe('ignored');
      expect(r.stateWrites?.[0]?.value).toMatchObject({ status: 'active' });
    });

    it('subscription.active still trialing is not a conversion', () => {
      const trialing = { ...fixture('subscription.created.json'), type: 'subscription.active' };
      expect(outcomes(replay([trialing]))).toEqual(['ignored']);
      expect(outcomes(replay(['subscription.created.json', trialing]))).toEqual(['subscription-started', 'ignored']);
    });
  });

  describe('payment failure and recovery', () => {
    it('subscription.past_due -> payment-failed; subscription.active afterwards -> payment-recovered', () => {
      const results = replay(['subscription.past_due.json', 'subscription.active.past-due-recovered.json']);
      expect(outcomes(results)).toEqual(['payment-failed', 'payment-recovered']);
      const recovered = ok(results[1]);
      expect(recovered.identity).toEqual({
        externalId: 'user_lin_7',
        customerId: '4d1c7e9a-3b2f-4a6d-8c5e-0f9b8a7d6c54',
        email: 'lin@example.com',
      });
      expect(recovered.event?.properties).toMatchObject({ previous_status: 'past_due', status: 'active', subscription_id: SUB_PAST_DUE });
    });

    it('each specific event and its catch-all make one event, in either order', () => {
      expect(
        outcomes(
          replay([
            'subscription.past_due.json',
            asUpdated('subscription.past_due.json'),
            'subscription.active.past-due-recovered.json',
            asUpdated('subscription.active.past-due-recovered.json'),
          ]),
        ),
      ).toEqual(['payment-failed', 'ignored', 'payment-recovered', 'ignored']);
      expect(
        outcomes(
          replay([
            asUpdated('subscription.past_due.json'),
            'subscription.past_due.json',
            asUpdated('subscription.active.past-due-recovered.json'),
            'subscription.active.past-due-recovered.json',
          ]),
        ),
      ).toEqual(['ignored', 'payment-failed', 'payment-recovered', 'ignored']);
    });

    it('subscription.active for a plain new paid subscription is ignored (subscription.created covers it)', () => {
      expect(outcomes(replay(['subscription.active.plain.json']))).toEqual(['ignored']);
      expect(outcomes(replay(['subscription.created.basic.json', 'subscription.active.plain.json']))).toEqual([
        'subscription-started',
        'ignored',
      ]);
    });

    it('subscription.recovered (seed name) -> payment-recovered', () => {
      const r = ok(replay(['subscription.recovered.json'])[0]);
      expect(r.event?.type).toBe('payment-recovered');
      expect(r.stateWrites?.[0]).toMatchObject({ key: `subscription:${SUB_PAST_DUE}`, value: { status: 'active' } });
    });
  });

  describe('plan changes', () => {
    it('subscription.updated with another product than stored -> subscription-upgraded', () => {
      const results = replay(['subscription.created.basic.json', 'subscription.updated.product-change.json']);
      expect(outcomes(results)).toEqual(['subscription-started', 'subscription-upgraded']);
      expect(ok(results[1]).event?.properties).toMatchObject({
        product_id: '8d3e2c1b-7a6f-4b59-8e02-1c9d0f3a5b7e',
        previous_product_id: '3b6a1f0e-5c2d-4e8a-9f10-6d2b7c4a8e01',
        amount: 2900,
        previous_amount: 900,
        direction: 'up',
      });
    });

    it('a seats change counts as a plan change', () => {
      const created = fixture('subscription.created.basic.json');
      const moreSeats = structuredClone(fixture('subscription.updated.no-change.json'));
      (moreSeats.data as Record<string, unknown>).seats = 5;
      (created.data as Record<string, unknown>).seats = 2;
      expect(outcomes(replay([created, moreSeats]))).toEqual(['subscription-started', 'subscription-upgraded']);
    });

    it('subscription.updated with nothing plan- or status-related changed is ignored, as is one with no stored state', () => {
      expect(outcomes(replay(['subscription.created.basic.json', 'subscription.updated.no-change.json']))).toEqual([
        'subscription-started',
        'ignored',
      ]);
      expect(outcomes(replay(['subscription.updated.product-change.json']))).toEqual(['ignored']);
    });

    it('subscription.upgraded (seed name) -> subscription-upgraded, and the catch-all after it is ignored', () => {
      const results = replay(['subscription.created.basic.json', 'subscription.upgraded.json', 'subscription.updated.product-change.json']);
      expect(outcomes(results)).toEqual(['subscription-started', 'subscription-upgraded', 'ignored']);
      expect(ok(results[1]).event?.properties).toMatchObject({ previous_product_id: '3b6a1f0e-5c2d-4e8a-9f10-6d2b7c4a8e01' });
      expect(outcomes(replay(['subscription.upgraded.json']))).toEqual(['subscription-upgraded']);
    });
  });

  describe('cancellation', () => {
    it('subscription.canceled and subscription.revoked each -> subscription-canceled on their own', () => {
      const canceled = ok(replay(['subscription.canceled.json'])[0]);
      expect(canceled.event?.type).toBe('subscription-canceled');
      expect(canceled.event?.properties).toMatchObject({
        cancel_at_period_end: true,
        ends_at: '2026-02-01T10:00:00Z',
        cancellation_reason: 'too_expensive',
      });
      expect(outcomes(replay(['subscription.revoked.json']))).toEqual(['subscription-canceled']);
    });

    it('an end-of-period cancel followed by the revoke at period end is one cancellation', () => {
      expect(
        outcomes(
          replay([
            'subscription.created.json',
            'subscription.cycled.trial-converted.json',
            asUpdated('subscription.canceled.json'),
            'subscription.canceled.json',
            asUpdated('subscription.revoked.json'),
            'subscription.revoked.json',
          ]),
        ),
      ).toEqual(['subscription-started', 'trial-converted', 'ignored', 'subscription-canceled', 'ignored', 'ignored']);
    });

    it('an uncancel clears the mark, so a later cancellation counts again', () => {
      const uncanceled = structuredClone(fixture('subscription.cycled.trial-converted.json'));
      uncanceled.type = 'subscription.uncanceled';
      expect(
        outcomes(replay(['subscription.canceled.json', uncanceled, 'subscription.canceled.json', 'subscription.revoked.json'])),
      ).toEqual(['subscription-canceled', 'ignored', 'subscription-canceled', 'ignored']);
    });
  });

  describe('orders', () => {
    it('order.paid for a one-time purchase -> purchase, identity from metadata and customer', () => {
      const r = ok(replay(['order.paid.purchase.json'])[0]);
      expect(r.identity).toEqual({
        externalId: 'u_77',
        customerId: '5f0e9c8b-7a6d-4c5b-9e3f-2a1b0c9d8e76',
        email: 'grace@example.org',
      });
      expect(r.attributes).toEqual({ campaign: 'launch_week', userId: 'u_77' });
      expect(r.event).toEqual({
        type: 'purchase',
        occurredAt: new Date('2026-01-04T13:02:14.330Z'),
        properties: {
          provider: 'polar',
          provider_event_type: 'order.paid',
          order_id: 'd3f5a7b9-c1e3-4f5a-9b7d-e1f3a5b7c9e1',
          customer_id: '5f0e9c8b-7a6d-4c5b-9e3f-2a1b0c9d8e76',
          product_id: '2a7c9e1f-3b5d-4f60-8192-a4b6c8d0e2f4',
          product_name: 'Lifetime license',
          amount: 14900,
          currency: 'usd',
          status: 'paid',
          billing_reason: 'purchase',
        },
      });
      expect(r.stateWrites).toBeUndefined();
    });

    it('order.paid for a subscription renewal is ignored', () => {
      expect(replay(['order.paid.renewal.json'])[0]).toMatchObject({
        outcome: 'ignored',
        reason: expect.stringContaining('subscription_cycle'),
      });
    });

    it('order.refunded -> refund-issued, partial or full', () => {
      const [partial, full] = replay(['order.refunded.json', 'order.refunded.full.json']);
      expect(ok(partial).event?.type).toBe('refund-issued');
      expect(ok(partial).event?.properties).toMatchObject({ refunded_amount: 5000, amount: 14900, full_refund: false });
      expect(ok(full).event?.properties).toMatchObject({
        refunded_amount: 900,
        full_refund: true,
        subscription_id: SUB_PAST_DUE,
      });
      expect(ok(full).identity.externalId).toBe('user_lin_7');
    });
  });

  it('an unmapped type is ignored', () => {
    expect(replay(['unknown.json'])[0]).toEqual({ outcome: 'ignored', reason: 'Polar event type checkout.updated is not mapped' });
  });

  it('every property is a flat scalar', () => {
    const results = replay([
      'subscription.created.json',
      'subscription.canceled.json',
      'order.paid.purchase.json',
      'order.refunded.full.json',
    ]);
    for (const r of results) {
      for (const value of Object.values(ok(r).event?.properties ?? {})) {
        expect(['string', 'number', 'boolean']).toContain(typeof value);
      }
    }
  });
});
