import { Analytics } from '@segment/analytics-node';
import { badRequestMessageOf } from '../../../test/support/bad-request.js';
import { mapSegment } from './segment.mapper.js';

/**
 * A /v1/batch body as @segment/analytics-node 3.x sends it: `{batch, writeKey, sentAt}`, each
 * message with the library's context, `_metadata`, `integrations` and a `node-next-...` messageId.
 * The sender's clock is 2 s behind the server's: sentAt 10:00:08 arrives at 10:00:10.
 */
const analyticsNodeBatch = () => ({
  batch: [
    {
      timestamp: '2025-03-01T10:00:00.000Z',
      integrations: {},
      userId: 'u_42',
      type: 'identify',
      traits: { email: 'ada@example.com', name: 'Ada Lovelace', plan: 'starter', logins: 3 },
      context: { library: { name: '@segment/analytics-node', version: '3.1.0' } },
      messageId: 'node-next-1740823200000-7f1c0c7e-1b2d-4c3a-9a7e-0f2d9c1b2a3e',
      _metadata: { nodeVersion: 'v20.20.2', jsRuntime: 'node' },
    },
    {
      timestamp: '2025-03-01T10:00:05.500Z',
      integrations: {},
      event: 'project.created',
      type: 'track',
      properties: { projectId: 'p_1', template: 'blank' },
      userId: 'u_42',
      context: { library: { name: '@segment/analytics-node', version: '3.1.0' } },
      messageId: 'node-next-1740823205500-0c4a8e1f-5d6b-4e7a-8b9c-1d2e3f4a5b6c',
      _metadata: { nodeVersion: 'v20.20.2', jsRuntime: 'node' },
    },
    {
      timestamp: '2025-03-01T10:00:06.000Z',
      integrations: {},
      type: 'page',
      name: 'Pricing',
      properties: { url: 'https://example.com/pricing' },
      anonymousId: 'anon-1',
      context: { library: { name: '@segment/analytics-node', version: '3.1.0' } },
      messageId: 'node-next-1740823206000-aa',
      _metadata: { nodeVersion: 'v20.20.2', jsRuntime: 'node' },
    },
  ],
  writeKey: 'mara_ing_secret',
  sentAt: '2025-03-01T10:00:08.000Z',
});
const RECEIVED_AT = new Date('2025-03-01T10:00:10.000Z');

const errorOf = badRequestMessageOf;

describe('mapSegment: an analytics-node batch', () => {
  const { ops, ignored } = mapSegment(analyticsNodeBatch(), 'batch', RECEIVED_AT);
  const [identify, track] = ops;

  it('maps track and identify, and counts the page as ignored', () => {
    expect(ops.map(({ op }) => op.type)).toEqual(['identify', 'track']);
    expect(ignored).toBe(1);
  });

  it('maps the identify field by field', () => {
    expect(identify.op).toEqual({
      type: 'identify',
      externalId: 'u_42',
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      traits: { plan: 'starter', logins: 3 },
      messageId: 'node-next-1740823200000-7f1c0c7e-1b2d-4c3a-9a7e-0f2d9c1b2a3e',
      timestamp: '2025-03-01T10:00:02.000Z',
    });
    expect(identify.fields).toEqual({
      type: 'batch[0].type',
      externalId: 'batch[0].userId',
      email: 'batch[0].traits.email',
      name: 'batch[0].traits.name',
      traits: 'batch[0].traits',
      messageId: 'batch[0].messageId',
      timestamp: 'batch[0].timestamp',
    });
  });

  it('maps the track field by field, context flattened after the properties', () => {
    expect(track.op).toEqual({
      type: 'track',
      externalId: 'u_42',
      event: 'project.created',
      properties: {
        projectId: 'p_1',
        template: 'blank',
        context_library_name: '@segment/analytics-node',
        context_library_version: '3.1.0',
      },
      messageId: 'node-next-1740823205500-0c4a8e1f-5d6b-4e7a-8b9c-1d2e3f4a5b6c',
      timestamp: '2025-03-01T10:00:07.500Z',
    });
    expect(track.fields).toEqual({
      type: 'batch[1].type',
      externalId: 'batch[1].userId',
      event: 'batch[1].event',
      properties: 'batch[1].properties',
      messageId: 'batch[1].messageId',
      timestamp: 'batch[1].timestamp',
    });
  });

  it('stores nothing of writeKey, integrations, _metadata or anonymousId', () => {
    const text = JSON.stringify(ops);
    for (const value of ['mara_ing_secret', 'jsRuntime', 'nodeVersion', 'anon-1', 'integrations']) {
      expect(text).not.toContain(value);
    }
  });
});

describe('mapSegment: what @segment/analytics-node really sends', () => {
  /** Runs the library against a stub HTTP client and returns the body it posted. */
  async function captureBatch(send: (analytics: Analytics) => void): Promise<{ url: string; body: unknown }> {
    const requests: { url: string; body: string }[] = [];
    const analytics = new Analytics({
      writeKey: 'mara_ing_test',
      host: 'http://mara.test',
      flushAt: 10,
      httpClient: {
        makeRequest: async (request) => {
          requests.push({ url: request.url, body: request.body });
          return { status: 200, statusText: 'OK', headers: {} };
        },
      },
    });
    send(analytics);
    await analytics.closeAndFlush({ timeout: 5000 });
    expect(requests).toHaveLength(1);
    return { url: requests[0].url, body: JSON.parse(requests[0].body) };
  }

  it('maps a real identify + track + page batch cleanly', async () => {
    const { url, body } = await captureBatch((analytics) => {
      analytics.identify({ userId: 'u_7', traits: { email: 'grace@example.com', firstName: 'Grace', lastName: 'Hopper' } });
      analytics.track({ userId: 'u_7', event: 'report.exported', properties: { format: 'csv' }, messageId: 'm-1' });
      analytics.page({ anonymousId: 'a-1', name: 'Home' });
    });
    expect(url).toBe('http://mara.test/v1/batch');
    const { ops, ignored } = mapSegment(body, 'batch', new Date());
    expect(ignored).toBe(1);
    expect(ops.map(({ op }) => op.type)).toEqual(['identify', 'track']);
    expect(ops[0].op).toMatchObject({
      externalId: 'u_7',
      email: 'grace@example.com',
      name: 'Grace Hopper',
      traits: { firstName: 'Grace', lastName: 'Hopper' },
    });
    expect(ops[0].op.messageId).toMatch(/^node-next-/);
    expect(ops[1].op).toMatchObject({
      externalId: 'u_7',
      event: 'report.exported',
      messageId: 'm-1',
      properties: { format: 'csv', context_library_name: '@segment/analytics-node' },
    });
    // Sent and received within the same test, so the corrected time is a valid ISO date-time near now.
    expect(Math.abs(Date.parse(String(ops[1].op.timestamp)) - Date.now())).toBeLessThan(10_000);
    expect(Object.keys(ops[1].op.properties ?? {}).some((key) => key.includes('_metadata'))).toBe(false);
  });
});

describe('mapSegment: clock-skew correction', () => {
  const receivedAt = new Date('2025-03-01T12:00:00.000Z');
  const track = (extra: Record<string, unknown>) =>
    mapSegment({ event: 'e', userId: 'u', ...extra }, 'track', receivedAt).ops[0];

  it('adds receivedAt - sentAt to timestamp (a slow device clock)', () => {
    // The device says it sent at 11:55, the server got it at 12:00: the device is 5 min behind.
    const { op } = track({ timestamp: '2025-03-01T11:50:00.000Z', sentAt: '2025-03-01T11:55:00.000Z' });
    expect(op.timestamp).toBe('2025-03-01T11:55:00.000Z');
  });

  it('adds a negative difference (a fast device clock), across a day boundary and offsets', () => {
    const { op } = track({ timestamp: '2025-03-02T00:10:00.250+01:00', sentAt: '2025-03-01T13:00:00Z' });
    // 2025-03-01T23:10:00.250Z + (12:00 - 13:00) = 22:10:00.250Z
    expect(op.timestamp).toBe('2025-03-01T22:10:00.250Z');
  });

  it('uses the batch sentAt when the message has none, the message sentAt when it has one', () => {
    const body = {
      sentAt: '2025-03-01T11:00:00.000Z',
      batch: [
        { type: 'track', event: 'a', timestamp: '2025-03-01T10:00:00.000Z' },
        { type: 'track', event: 'b', timestamp: '2025-03-01T10:00:00.000Z', sentAt: '2025-03-01T11:59:00.000Z' },
      ],
    };
    const [a, b] = mapSegment(body, 'batch', receivedAt).ops;
    expect(a.op.timestamp).toBe('2025-03-01T11:00:00.000Z');
    expect(b.op.timestamp).toBe('2025-03-01T10:01:00.000Z');
  });

  it('keeps timestamp as given without a valid sentAt', () => {
    expect(track({ timestamp: '2025-03-01T10:00:00+02:00' }).op.timestamp).toBe('2025-03-01T10:00:00+02:00');
    expect(track({ timestamp: '2025-03-01T10:00:00Z', sentAt: 'yesterday' }).op.timestamp).toBe('2025-03-01T10:00:00Z');
  });

  it('passes an invalid timestamp on raw (downstream falls back to arrival time)', () => {
    expect(track({ timestamp: 'soon', sentAt: '2025-03-01T11:55:00Z' }).op.timestamp).toBe('soon');
    expect(track({ timestamp: 1740830400000 }).op.timestamp).toBe(1740830400000);
  });

  it('falls back to originalTimestamp, corrected the same way', () => {
    const { op, fields } = track({ originalTimestamp: '2025-03-01T11:50:00Z', sentAt: '2025-03-01T11:55:00Z' });
    expect(op.timestamp).toBe('2025-03-01T11:55:00.000Z');
    expect(fields.timestamp).toBe('originalTimestamp');
  });

  it('prefers timestamp over originalTimestamp', () => {
    const { op, fields } = track({ timestamp: '2025-03-01T11:00:00Z', originalTimestamp: '2025-03-01T09:00:00Z' });
    expect(op.timestamp).toBe('2025-03-01T11:00:00Z');
    expect(fields.timestamp).toBe('timestamp');
  });

  it('sets no timestamp when there is none', () => {
    const { op, fields } = track({ sentAt: '2025-03-01T11:55:00Z' });
    expect('timestamp' in op).toBe(false);
    expect(fields.timestamp).toBeUndefined();
  });
});

describe('mapSegment: single-message routes', () => {
  const now = new Date('2025-03-01T12:00:00Z');

  it('/v1/track: the route gives the type, paths have no prefix', () => {
    const { ops, ignored } = mapSegment({ type: 'identify', event: 'x', userId: 'u' }, 'track', now);
    expect(ignored).toBe(0);
    expect(ops[0].op).toEqual({ type: 'track', event: 'x', externalId: 'u' });
    expect(ops[0].fields).toEqual({ event: 'event', externalId: 'userId' });
  });

  it('/v1/identify: traits minus email and name, context not stored', () => {
    const { ops } = mapSegment(
      { userId: 'u', traits: { email: 'e@x.io', first_name: 'Ada', last_name: 'L', plan: 'pro' }, context: { ip: '1.2.3.4' } },
      'identify',
      now,
    );
    expect(ops[0].op).toEqual({
      type: 'identify',
      externalId: 'u',
      email: 'e@x.io',
      name: 'Ada L',
      traits: { first_name: 'Ada', last_name: 'L', plan: 'pro' },
    });
    expect(ops[0].fields.name).toBe('traits');
  });
});

describe('mapSegment: fields one by one', () => {
  const now = new Date('2025-03-01T12:00:00Z');
  const track = (message: Record<string, unknown>) => mapSegment({ event: 'e', ...message }, 'track', now).ops[0];
  const identify = (message: Record<string, unknown>) => mapSegment(message, 'identify', now).ops[0];

  it('gives anonymousId alone no identity', () => {
    const { op } = track({ anonymousId: 'a-1' });
    expect(op.externalId).toBeUndefined();
    expect(op.userId).toBeUndefined();
    expect(op.email).toBeUndefined();
  });

  it('takes numeric userId and messageId as strings', () => {
    expect(track({ userId: 42, messageId: 7 }).op).toMatchObject({ externalId: '42', messageId: '7' });
  });

  it('takes a track email from traits, else from context.traits', () => {
    expect(track({ traits: { email: 't@x.io' }, context: { traits: { email: 'c@x.io' } } })).toMatchObject({
      op: { email: 't@x.io' },
      fields: { email: 'traits.email' },
    });
    expect(track({ context: { traits: { email: 'c@x.io' } } })).toMatchObject({
      op: { email: 'c@x.io' },
      fields: { email: 'context.traits.email' },
    });
  });

  it('does not read context.traits.email on an identify', () => {
    expect(identify({ userId: 'u', context: { traits: { email: 'c@x.io' } } }).op.email).toBeUndefined();
  });

  it('stores no name or traits on a track', () => {
    const { op } = track({ traits: { name: 'Ada', plan: 'pro' } });
    expect(op.name).toBeUndefined();
    expect(op.traits).toBeUndefined();
  });

  it('prefers traits.name, else firstName/lastName, else first_name/last_name', () => {
    expect(identify({ traits: { name: 'Full', firstName: 'A', lastName: 'B' } }).op.name).toBe('Full');
    expect(identify({ traits: { firstName: 'A', lastName: 'B', first_name: 'x', last_name: 'y' } }).op.name).toBe('A B');
    expect(identify({ traits: { firstName: null, first_name: 'x' } })).toMatchObject({
      op: { name: 'x' },
      fields: { name: 'traits.first_name' },
    });
    expect(identify({ traits: { name: '', lastName: 'B' } })).toMatchObject({
      op: { name: 'B' },
      fields: { name: 'traits.lastName' },
    });
  });

  it('flattens nested context with _, drops arrays, keeps scalars and null', () => {
    const { op } = track({
      properties: { a: 1 },
      context: {
        page: { url: 'https://x.io/p', referrer: null },
        library: { name: 'analytics.js', version: '5' },
        campaign: { source: { name: 'g' } },
        ip: '1.2.3.4',
        locale: 'en-US',
        providers: ['a', 'b'],
      },
    });
    expect(op.properties).toEqual({
      a: 1,
      context_page_url: 'https://x.io/p',
      context_page_referrer: null,
      context_library_name: 'analytics.js',
      context_library_version: '5',
      context_campaign_source_name: 'g',
      context_ip: '1.2.3.4',
      context_locale: 'en-US',
    });
  });

  it('lets an explicit property win over a flattened context key', () => {
    expect(track({ properties: { context_ip: 'mine' }, context: { ip: '1.2.3.4' } }).op.properties).toEqual({
      context_ip: 'mine',
    });
  });

  it('applies the batch context to each track, the message context winning', () => {
    const body = {
      context: { device: { id: 'd1' }, ip: 'batch' },
      batch: [{ type: 'track', event: 'e', context: { ip: 'message' } }],
    };
    expect(mapSegment(body, 'batch', now).ops[0].op.properties).toEqual({
      context_ip: 'message',
      context_device_id: 'd1',
    });
  });

  it('keeps nested properties and __proto__ keys as own keys for downstream sanitization', () => {
    const body = JSON.parse('{"event":"e","properties":{"__proto__":{"polluted":true},"cart":{"items":2}}}');
    const properties = mapSegment(body, 'track', now).ops[0].op.properties ?? {};
    expect(Object.hasOwn(properties, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(properties)).toBe(Object.prototype);
    expect(properties.cart).toEqual({ items: 2 });
  });

  it('keeps no properties on a track with neither properties nor context', () => {
    const { op, fields } = track({});
    expect('properties' in op).toBe(false);
    expect(fields.properties).toBeUndefined();
  });

  it('does not check Events API rules (left to downstream)', () => {
    expect(identify({ traits: { email: 'not-an-email' } }).op.email).toBe('not-an-email');
    expect(track({ event: '' }).op.event).toBe('');
  });
});

describe('mapSegment: ignored types', () => {
  it('counts page, screen, group and alias without mapping or checking them', () => {
    const body = {
      batch: [
        { type: 'page', properties: 'not checked' },
        { type: 'screen' },
        { type: 'group', groupId: 'g' },
        { type: 'alias', previousId: 'a', userId: 'b' },
        { type: 'track', event: 'e', userId: 'u' },
      ],
    };
    const { ops, ignored } = mapSegment(body, 'batch', new Date());
    expect(ignored).toBe(4);
    expect(ops).toHaveLength(1);
    expect(ops[0].fields.event).toBe('batch[4].event');
  });
});

describe('mapSegment: errors name the source path', () => {
  const now = new Date();
  const batchOf = (...messages: unknown[]) => ({ batch: messages });

  it.each([
    ['body: must be an object', 'batch', [{ type: 'track', event: 'e' }]],
    ['body: must be an object', 'track', null],
    ['batch: must be an array of 1 to 100 messages', 'batch', {}],
    ['batch: must be an array of 1 to 100 messages', 'batch', { batch: [] }],
    ['batch: must be an array of 1 to 100 messages', 'batch', { batch: { type: 'track' } }],
    [
      'batch: must be an array of 1 to 100 messages',
      'batch',
      batchOf(...Array.from({ length: 101 }, () => ({ type: 'track', event: 'e' }))),
    ],
    ['batch[1]: must be an object', 'batch', batchOf({ type: 'page' }, 'track')],
    ['batch[0].type: is required', 'batch', batchOf({ event: 'e' })],
    ['batch[2].type: must be one of track, identify, page, screen, group, alias', 'batch', batchOf({ type: 'page' }, { type: 'page' }, { type: 'Track' })],
    ['batch[0].type: must be one of track, identify, page, screen, group, alias', 'batch', batchOf({ type: 1 })],
    ['batch[0].event: is required', 'batch', batchOf({ type: 'track', userId: 'u' })],
    ['event: is required', 'track', { userId: 'u' }],
    ['event: must be a string', 'track', { event: 5 }],
    ['batch[0].userId: must be a string', 'batch', batchOf({ type: 'track', event: 'e', userId: {} })],
    ['messageId: must be a string', 'track', { event: 'e', messageId: true }],
    ['batch[0].traits: must be an object', 'batch', batchOf({ type: 'identify', traits: 'plan=pro' })],
    ['traits.email: must be a string', 'identify', { traits: { email: ['a@b.co'] } }],
    ['traits.name: must be a string', 'identify', { traits: { name: 5 } }],
    ['traits.lastName: must be a string', 'identify', { traits: { lastName: 5 } }],
    ['batch[0].properties: must be an object', 'batch', batchOf({ type: 'track', event: 'e', properties: [1] })],
    ['context: must be an object', 'track', { event: 'e', context: 'ctx' }],
    ['context.traits.email: must be a string', 'track', { event: 'e', context: { traits: { email: 1 } } }],
    ['context: must be an object', 'batch', { batch: [{ type: 'track', event: 'e' }], context: [] }],
  ] as const)('%s', (message, kind, body) => {
    expect(errorOf(() => mapSegment(body, kind, now))).toBe(message);
  });

  it('accepts exactly 100 messages', () => {
    const body = batchOf(...Array.from({ length: 100 }, () => ({ type: 'track', event: 'e' })));
    expect(mapSegment(body, 'batch', now).ops).toHaveLength(100);
  });
});

describe('mapSegment: the batch context is bounded before it is copied', () => {
  /** Counts every property read of `target` (Object.entries, JSON.stringify, lookups). */
  function counted<T extends object>(target: T): { proxy: T; reads: () => number } {
    let reads = 0;
    const proxy = new Proxy(target, {
      get(t, key, receiver) {
        reads++;
        return Reflect.get(t, key, receiver);
      },
    });
    return { proxy, reads: () => reads };
  }

  it('refuses a context that would take every message past 32 KB after reading it once', () => {
    const keys = 20_000;
    const raw: Record<string, number> = {};
    for (let i = 0; i < keys; i++) raw[`k${i}`] = 1;
    const { proxy, reads } = counted(raw);
    const batch = Array.from({ length: 100 }, (_, i) => ({ type: 'track', event: 'e', userId: `u${i}` }));
    expect(badRequestMessageOf(() => mapSegment({ batch, context: proxy }, 'batch', new Date()))).toBe(
      'batch[0]: operation exceeds 32 KB (with the batch context)',
    );
    // Copying it into each of the 100 messages would read every key 100 times.
    expect(reads()).toBeLessThan(2 * keys);
  });

  it('still lends a context that fits to every track, once per message', () => {
    const { proxy, reads } = counted({ app: { name: 'web' }, locale: 'en' });
    const batch = Array.from({ length: 100 }, (_, i) => ({ type: 'track', event: 'e', userId: `u${i}` }));
    const mapped = mapSegment({ batch, context: proxy }, 'batch', new Date());
    expect(mapped.ops).toHaveLength(100);
    expect(mapped.ops[99].op.properties).toEqual({ context_app_name: 'web', context_locale: 'en' });
    expect(mapped.ops[99].path).toBe('batch[99]');
    expect(reads()).toBeLessThan(100 * 10);
  });
});
