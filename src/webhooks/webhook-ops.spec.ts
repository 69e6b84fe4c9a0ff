import type { Normalized } from './adapters/webhook-adapter.js';
import { chooseIdentity, deliveryOps, identifyOps } from './webhook-ops.js';

type Processed = Extract<Normalized, { outcome: 'ok' }>;

const occurredAt = new Date('2026-01-05T10:00:00.000Z');
const processed = (p: Partial<Processed> = {}): Processed => ({
  outcome: 'ok',
  identity: { externalId: null, customerId: 'cus_1', email: null },
  attributes: {},
  event: { type: 'payment-failed', properties: { provider: 'stripe', amount_due: 900 }, occurredAt },
  ...p,
});

describe('chooseIdentity (docs/webhooks.md order, each candidate checked with the op rules)', () => {
  it('takes the metadata id first, then the linked contact, then the email (trimmed, lower-cased)', () => {
    expect(chooseIdentity({ externalId: ' u1 ', customerId: 'cus_1', email: 'a@x.io' }, { externalId: 'u9', email: null })).toEqual({
      externalId: 'u1',
      email: null,
      warnings: [],
    });
    expect(chooseIdentity({ externalId: null, customerId: 'cus_1', email: 'a@x.io' }, { externalId: null, email: 'b@x.io' })).toEqual({
      externalId: null,
      email: 'b@x.io',
      warnings: [],
    });
    expect(chooseIdentity({ externalId: '  ', customerId: null, email: ' A@X.io ' }, null)).toEqual({ externalId: null, email: 'a@x.io', warnings: [] });
  });

  it('skips a candidate the rules drop, for the next one, and says why', () => {
    const long = 'u'.repeat(256);
    expect(chooseIdentity({ externalId: long, customerId: 'cus_1', email: 'a@x.io' }, { externalId: 'u9', email: null })).toEqual({
      externalId: 'u9',
      email: null,
      warnings: ['externalId: dropped, must be shorter than or equal to 255 characters'],
    });
    expect(chooseIdentity({ externalId: long, customerId: null, email: 'A@x.io' }, null)).toEqual({
      externalId: null,
      email: 'a@x.io',
      warnings: ['externalId: dropped, must be shorter than or equal to 255 characters'],
    });
    expect(chooseIdentity({ externalId: null, customerId: null, email: 'billing@@example' }, null)).toEqual({
      externalId: null,
      email: null,
      warnings: ['email: dropped, must be a valid email address'],
    });
  });
});

describe('deliveryOps: provider ops through the one op factory', () => {
  it('records the lifecycle track with its messageId and timestamp, and no identify without metadata', () => {
    const ops = deliveryOps(processed(), { externalId: 'u1', email: null }, 'stripe:evt_1', null);
    expect(ops).toEqual([
      {
        type: 'track',
        externalId: 'u1',
        email: null,
        name: null,
        traits: {},
        event: 'payment-failed',
        properties: { provider: 'stripe', amount_due: 900 },
        occurredAt,
        messageId: 'stripe:evt_1',
        warnings: [],
      },
    ]);
  });

  it('drops an invalid billing email with a warning: the event is still recorded (unlinked)', () => {
    const ops = deliveryOps(processed(), chooseIdentity({ externalId: null, customerId: 'cus_1', email: 'billing@@example' }, null), 'stripe:evt_2', null);
    expect(ops).toHaveLength(1);
    expect(ops[0]).toMatchObject({ type: 'track', externalId: null, email: null, event: 'payment-failed' });
    expect(ops[0].warnings).toEqual(['email: dropped, must be a valid email address']);
  });

  it('projects metadata and the name in an identify first (sanitized as metadata.*)', () => {
    const ops = deliveryOps(
      processed({ attributes: { plan: 'pro', password: 'x' }, name: 'Ada Lovelace' }),
      { externalId: 'u1', email: null },
      'polar:m1',
      null,
    );
    expect(ops.map((op) => op.type)).toEqual(['identify', 'track']);
    expect(ops[0]).toMatchObject({ externalId: 'u1', name: 'Ada Lovelace', traits: { plan: 'pro' } });
    expect(ops[0].warnings).toEqual(['metadata.password: dropped, secret-looking key']);
  });

  it('records no identify when sanitization keeps none of the metadata; its warnings go to the track', () => {
    const ops = deliveryOps(processed({ attributes: { api_key: 'x' } }), { externalId: 'u1', email: null }, 'stripe:evt_3', null);
    expect(ops.map((op) => op.type)).toEqual(['track']);
    expect(ops[0].warnings).toEqual(['metadata.api_key: dropped, secret-looking key']);
  });

  it("Clerk: the user's own email on both ops, cleaned; an overlong name dropped with a warning", () => {
    const ops = deliveryOps(
      processed({ identity: { externalId: 'user_1', customerId: null, email: ' Ada@Example.com ' }, name: 'n'.repeat(201), event: null }),
      { externalId: 'user_1', email: null },
      '',
      ' Ada@Example.com ',
    );
    expect(ops).toHaveLength(1);
    expect(ops[0]).toMatchObject({ type: 'identify', externalId: 'user_1', email: 'ada@example.com', name: null });
    expect(ops[0].warnings).toEqual(['name: dropped, must be shorter than or equal to 200 characters']);
  });

  it('leaves out a track whose event name breaks the rule; an identify carries the warning', () => {
    const ops = deliveryOps(
      processed({ event: { type: 'user deleted!', properties: {}, occurredAt } }),
      { externalId: 'user_1', email: null },
      'clerk:msg_1',
      null,
    );
    expect(ops).toEqual([
      expect.objectContaining({
        type: 'identify',
        externalId: 'user_1',
        warnings: ['event: must be 1 to 120 letters, digits, spaces or . _ : - / (op dropped)'],
      }),
    ]);
  });
});

describe('identifyOps', () => {
  it('is a bare identify of the identity, or nothing when the rules keep no identity', () => {
    expect(identifyOps({ externalId: 'u1', email: null })).toEqual([
      { type: 'identify', externalId: 'u1', email: null, name: null, traits: {}, event: null, properties: {}, occurredAt: null, messageId: null, warnings: [] },
    ]);
    expect(identifyOps({ externalId: null, email: 'nope' })).toEqual([
      expect.objectContaining({ externalId: null, email: null, warnings: ['email: dropped, must be a valid email address'] }),
    ]);
  });
});
