import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { Webhook } from 'svix';

import { ClerkAdapter } from './clerk.adapter.js';
import { InvalidSignatureError, MalformedPayloadError, type Normalized } from './webhook-adapter.js';

const FIXTURES = new URL('../../../test/fixtures/webhooks/clerk/', import.meta.url);
const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const USER_ID = 'user_2qKx8ZtV3mN7pLr4sW9yB1cD0eF';
const adapter = new ClerkAdapter();

function rawFixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}
function fixture(name: string): Record<string, unknown> {
  return JSON.parse(rawFixture(name)) as Record<string, unknown>;
}

function signed(body: string, opts: { id?: string; at?: Date; secret?: string } = {}) {
  const id = opts.id ?? 'msg_2qKzSvixDelivery01';
  const at = opts.at ?? new Date();
  return {
    body: Buffer.from(body, 'utf8'),
    headers: {
      'svix-id': id,
      'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
      'svix-signature': new Webhook(opts.secret ?? SECRET).sign(id, at, body),
    } as Record<string, string>,
  };
}

function ok(result: Normalized) {
  if (result.outcome !== 'ok') throw new Error(`expected ok, got ignored: ${result.reason}`);
  return result;
}

describe('ClerkAdapter.verify', () => {
  const body = rawFixture('user.created.json');

  it('accepts a delivery signed by svix; the delivery id is svix-id', () => {
    const { body: raw, headers } = signed(body);
    const delivery = adapter.verify(raw, headers, SECRET);
    expect(delivery.deliveryId).toBe('msg_2qKzSvixDelivery01');
    expect(delivery.payload).toEqual(JSON.parse(body));
  });

  it('refuses a wrong secret, a malformed secret and a tampered body', () => {
    const { body: raw, headers } = signed(body);
    expect(() => adapter.verify(raw, headers, `whsec_${randomBytes(24).toString('base64')}`)).toThrow(InvalidSignatureError);
    expect(() => adapter.verify(raw, headers, 'not-a-svix-secret!')).toThrow(InvalidSignatureError);
    expect(() => adapter.verify(Buffer.from(body.replace('"ada"', '"eve"')), headers, SECRET)).toThrow(InvalidSignatureError);
  });

  it('refuses stale and future timestamps (more than 300 s either way), also against the injected now', () => {
    const stale = signed(body, { at: new Date(Date.now() - 301_000) });
    expect(() => adapter.verify(stale.body, stale.headers, SECRET)).toThrow(InvalidSignatureError);
    const future = signed(body, { at: new Date(Date.now() + 301_000) });
    expect(() => adapter.verify(future.body, future.headers, SECRET)).toThrow(InvalidSignatureError);
    const fresh = signed(body);
    expect(() => adapter.verify(fresh.body, fresh.headers, SECRET, new Date(Date.now() + 400_000))).toThrow(InvalidSignatureError);
  });

  it('refuses missing headers', () => {
    const { body: raw, headers } = signed(body);
    for (const name of ['svix-id', 'svix-timestamp', 'svix-signature']) {
      const partial = { ...headers };
      delete partial[name];
      expect(() => adapter.verify(raw, partial, SECRET)).toThrow(InvalidSignatureError);
    }
  });

  it('answers MalformedPayloadError for a correctly signed body that is not a Clerk event', () => {
    for (const bad of ['<xml/>', '[{"type":"user.created"}]', '{"data":{"id":"user_1"}}']) {
      const { body: raw, headers } = signed(bad);
      expect(() => adapter.verify(raw, headers, SECRET)).toThrow(MalformedPayloadError);
    }
  });
});

describe('ClerkAdapter.normalize', () => {
  it('needs no stored state', () => {
    expect(adapter.stateKeys(fixture('user.updated.json'))).toEqual([]);
  });

  it('user.created -> user.created event, identity by Clerk user id and primary email; public metadata only', () => {
    const r = ok(adapter.normalize(fixture('user.created.json'), new Map()));
    expect(r.identity).toEqual({ externalId: USER_ID, customerId: null, email: 'ada@analytical.example' });
    expect(r.name).toBe('Ada Lovelace');
    expect(r.attributes).toEqual({
      username: 'ada',
      avatar_url: 'https://img.clerk.com/eyJ0eXBlIjoicHJveHkiLCJzcmMiOiJodHRwczovL2ltYWdlcy5jbGVyay5kZXYvYWRhIn0',
      plan: 'pro',
      role: 'admin',
      onboarding_complete: false,
    });
    // Nothing from private_metadata or unsafe_metadata leaks in, not even under a public key's name.
    expect(JSON.stringify(r)).not.toMatch(/stripeCustomerId|internal_notes|billing_secret|sk_live|enterprise|superuser|favorite_color/);
    expect(r.event).toEqual({
      type: 'user.created',
      occurredAt: new Date(1767000000412),
      properties: { provider: 'clerk', provider_event_type: 'user.created', user_id: USER_ID },
    });
    expect(r.deactivate).toBeUndefined();
    expect(r.stateWrites).toBeUndefined();
  });

  it('user.updated refreshes email (the new primary), name and attributes, and records no event', () => {
    const r = ok(adapter.normalize(fixture('user.updated.json'), new Map()));
    expect(r.identity).toEqual({ externalId: USER_ID, customerId: null, email: 'ada@lovelace.example' });
    expect(r.name).toBe('Ada King');
    expect(r.attributes).toEqual({
      username: 'ada.king',
      avatar_url: 'https://img.clerk.com/eyJ0eXBlIjoicHJveHkiLCJzcmMiOiJodHRwczovL2ltYWdlcy5jbGVyay5kZXYvYWRhIn0',
      plan: 'pro',
      role: 'admin',
      onboarding_complete: true,
    });
    expect(r.event).toBeNull();
  });

  it('user.deleted -> user.deleted event and deactivation, keyed by the user id only', () => {
    const r = ok(adapter.normalize(fixture('user.deleted.json'), new Map()));
    expect(r).toEqual({
      outcome: 'ok',
      identity: { externalId: USER_ID, customerId: null, email: null },
      attributes: {},
      event: {
        type: 'user.deleted',
        occurredAt: new Date(1767312000000),
        properties: { provider: 'clerk', provider_event_type: 'user.deleted', user_id: USER_ID },
      },
      deactivate: true,
    });
  });

  it('a user without a primary email, or without names, gives nulls', () => {
    const payload = structuredClone(fixture('user.updated.json'));
    const data = payload.data as Record<string, unknown>;
    data.primary_email_address_id = null;
    data.first_name = '  ';
    data.last_name = null;
    data.username = null;
    const r = ok(adapter.normalize(payload, new Map()));
    expect(r.identity.email).toBeNull();
    expect(r.name).toBeNull();
    expect(r.attributes.username).toBeNull();
  });

  it('other Clerk events are ignored', () => {
    expect(adapter.normalize(fixture('session.created.json'), new Map())).toEqual({
      outcome: 'ignored',
      reason: 'Clerk event type session.created is not mapped',
    });
  });
});
