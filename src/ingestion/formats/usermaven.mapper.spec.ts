import { badRequestMessageOf } from '../../../test/support/bad-request.js';
import { mapUsermaven } from './usermaven.mapper.js';
import { usermavenSeedEvent, usermavenSeedIdentify } from './usermaven.seed.js';

const identifyExample = usermavenSeedIdentify;
const trackExample = usermavenSeedEvent;

/** Usermaven's documented bulk example: the first event without page fields, the second with them. */
const bulkExample = () => {
  const first: Record<string, unknown> = trackExample();
  for (const key of ['url', 'page_title', 'doc_path', 'doc_host', 'doc_search', 'vp_size', 'user_agent', 'user_language', 'doc_encoding']) {
    delete first[key];
  }
  return [first, { ...trackExample(), _timestamp: 1632150123000, event_attributes: { amount: 25, currency: 'USD' } }];
};

const UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:127.0) Gecko/20100101 Firefox/127.0';

const errorOf = badRequestMessageOf;

describe('mapUsermaven: the documented user_identify example', () => {
  const { ops, ignored } = mapUsermaven(identifyExample());
  const [{ op, fields }] = ops;

  it('is one identify op, nothing ignored', () => {
    expect(ops).toHaveLength(1);
    expect(ignored).toBe(0);
    expect(op.type).toBe('identify');
    expect(op.event).toBeUndefined();
  });

  it('maps user.id to externalId and user.email to email', () => {
    expect(op.externalId).toBe('lzL24K3kYw');
    expect(op.userId).toBeUndefined();
    expect(op.email).toBe('user@domain.com');
  });

  it('joins first_name and last_name into name', () => {
    expect(op.name).toBe('John Smith');
  });

  it('maps user.custom.*, user.created_at and company fields to traits', () => {
    expect(op.traits).toEqual({
      plan_name: 'premium',
      created_at: '2021-01-20T09:55:35',
      company_id: '65f02acc-e104-45d9-8199-1491332d8454',
      company_name: 'azhar',
      company_created_at: '2022-02-15T17:25:08',
      company_plan: 'premium',
    });
  });

  it('keeps no properties on an identify (page fields are for tracks)', () => {
    expect(op.properties).toBeUndefined();
  });

  it('ignores the empty event_id, and converts _timestamp milliseconds to ISO', () => {
    expect(op.messageId).toBeUndefined();
    expect(op.timestamp).toBe('2021-09-20T15:02:02.000Z');
  });

  it('produces nothing from api_key, ids, screen_resolution, vp_size, doc_encoding, anonymous_id', () => {
    const text = JSON.stringify(op);
    for (const value of ['API_KEY', 'random_id', 'UTF-8']) expect(text).not.toContain(value);
    expect(Object.keys(op).sort()).toEqual(['email', 'externalId', 'name', 'timestamp', 'traits', 'type']);
  });

  it('names the source field of each op field', () => {
    expect(fields).toEqual({
      type: 'event_type',
      externalId: 'user.id',
      email: 'user.email',
      name: 'user',
      traits: 'user.custom',
      timestamp: '_timestamp',
    });
  });
});

describe('mapUsermaven: the documented custom event example', () => {
  const [{ op, fields }] = mapUsermaven(trackExample()).ops;

  it('is a track of the event_type', () => {
    expect(op.type).toBe('track');
    expect(op.event).toBe('plan_upgraded');
  });

  it('uses the user object for identity only', () => {
    expect(op.externalId).toBe('lzL24K3kYw');
    expect(op.email).toBe('user@domain.com');
    expect(op.name).toBeUndefined();
    expect(op.traits).toBeUndefined();
  });

  it('maps event_attributes then the page fields as context_* to properties', () => {
    expect(op.properties).toEqual({
      amount: 100,
      currency: 'USD',
      context_url: 'http://localhost:3000/example',
      context_page_title: 'Your Page Title',
      context_doc_path: '/example',
      context_doc_host: 'localhost',
      context_doc_search: '',
      context_user_agent: UA,
      context_user_language: 'en-US',
      context_src: 'http',
    });
    expect(Object.keys(op.properties ?? {}).slice(0, 2)).toEqual(['amount', 'currency']);
  });

  it('names the source field of each op field', () => {
    expect(fields).toEqual({
      type: 'event_type',
      event: 'event_type',
      externalId: 'user.id',
      email: 'user.email',
      properties: 'event_attributes',
      timestamp: '_timestamp',
    });
  });
});

describe('mapUsermaven: the documented bulk example', () => {
  const { ops, ignored } = mapUsermaven(bulkExample());

  it('maps each event of the array, in order', () => {
    expect(ignored).toBe(0);
    expect(ops.map(({ op }) => [op.type, op.event, op.timestamp])).toEqual([
      ['track', 'plan_upgraded', '2021-09-20T15:02:02.000Z'],
      ['track', 'plan_upgraded', '2021-09-20T15:02:03.000Z'],
    ]);
  });

  it('keeps only src as page field on the first, all of them on the second', () => {
    expect(ops[0].op.properties).toEqual({ amount: 100, currency: 'USD', context_src: 'http' });
    expect(ops[1].op.properties).toMatchObject({ amount: 25, context_url: 'http://localhost:3000/example' });
  });

  it('names fields by array index', () => {
    expect(ops[1].fields).toMatchObject({
      event: '[1].event_type',
      externalId: '[1].user.id',
      email: '[1].user.email',
      properties: '[1].event_attributes',
      timestamp: '[1]._timestamp',
    });
  });
});

describe('mapUsermaven: fields one by one', () => {
  const track = (extra: Record<string, unknown>) => mapUsermaven({ event_type: 'x', ...extra }).ops[0];
  const identify = (extra: Record<string, unknown>) => mapUsermaven({ event_type: 'user_identify', ...extra }).ops[0];

  it('maps a non-empty event_id to messageId', () => {
    expect(track({ event_id: 'evt_1' })).toMatchObject({ op: { messageId: 'evt_1' }, fields: { messageId: 'event_id' } });
  });

  it('ignores an event_id that is not a string', () => {
    expect(track({ event_id: 42 }).op.messageId).toBeUndefined();
  });

  it('passes a _timestamp that is not a number through raw (downstream falls back with a warning)', () => {
    expect(track({ _timestamp: '2021-09-20' }).op.timestamp).toBe('2021-09-20');
    expect(track({ _timestamp: true }).op.timestamp).toBe(true);
    expect(track({ _timestamp: 1e20 }).op.timestamp).toBe(1e20);
  });

  it('leaves timestamp unset when _timestamp is absent or null', () => {
    expect('timestamp' in track({}).op).toBe(false);
    expect('timestamp' in track({ _timestamp: null }).op).toBe(false);
  });

  it('treats a user with only anonymous_id as no identity', () => {
    const { op } = track({ user: { anonymous_id: 'a1' } });
    expect(op.externalId).toBeUndefined();
    expect(op.email).toBeUndefined();
    expect(op.userId).toBeUndefined();
  });

  it('takes a numeric user.id as a string', () => {
    expect(track({ user: { id: 42 } }).op.externalId).toBe('42');
  });

  it('treats empty user.id and user.email as absent', () => {
    const { op, fields } = track({ user: { id: '', email: '' } });
    expect(op.externalId).toBeUndefined();
    expect(op.email).toBeUndefined();
    expect(fields.externalId).toBeUndefined();
  });

  it('uses one name part alone, trimmed, and names its field', () => {
    expect(identify({ user: { first_name: '  Ada ', last_name: '' } })).toMatchObject({
      op: { name: 'Ada' },
      fields: { name: 'user.first_name' },
    });
    expect(identify({ user: { last_name: 'Lovelace' } })).toMatchObject({
      op: { name: 'Lovelace' },
      fields: { name: 'user.last_name' },
    });
  });

  it('omits the name when both parts are empty', () => {
    const { op } = identify({ user: { first_name: ' ', last_name: '' } });
    expect('name' in op).toBe(false);
  });

  it('lets user.created_at win over a custom created_at', () => {
    const { op } = identify({ user: { created_at: 'real', custom: { created_at: 'custom', a: 1 } } });
    expect(op.traits).toEqual({ created_at: 'real', a: 1 });
  });

  it('maps company traits alone when there is no user, and ignores company on tracks', () => {
    expect(identify({ company: { id: 7, custom: { seats: 3, id: 'no' } } })).toMatchObject({
      op: { traits: { company_id: 7, company_seats: 3 } },
      fields: { traits: 'company' },
    });
    expect(track({ company: { id: 7 } }).op.traits).toBeUndefined();
  });

  it('passes nested custom values and __proto__ keys through as own keys for downstream sanitization', () => {
    const body = JSON.parse('{"event_type":"user_identify","user":{"custom":{"__proto__":{"x":1},"nested":{"a":1}}}}');
    const traits = mapUsermaven(body).ops[0].op.traits ?? {};
    expect(Object.hasOwn(traits, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(traits)).toBe(Object.prototype);
    expect(traits.nested).toEqual({ a: 1 });
  });

  it('lets an event attribute win over a page field of the same context_ name', () => {
    expect(track({ url: 'page', event_attributes: { context_url: 'attr' } }).op.properties).toEqual({ context_url: 'attr' });
  });

  it('names the top level as the properties source when only page fields are present', () => {
    expect(track({ url: 'u' }).fields.properties).toBe('body');
  });

  it('keeps no properties on a track without attributes or page fields', () => {
    expect('properties' in track({}).op).toBe(false);
  });
});

describe('mapUsermaven: shape errors name the source path', () => {
  it.each([
    ['body: must be an event object or an array of 1 to 100 event objects', null],
    ['body: must be an event object or an array of 1 to 100 event objects', 'text'],
    ['body: must be an event object or an array of 1 to 100 event objects', []],
    ['body: must be an event object or an array of 1 to 100 event objects', Array.from({ length: 101 }, () => ({ event_type: 'x' }))],
    ['[1]: must be an object', [{ event_type: 'x' }, 3]],
    ['event_type: is required', {}],
    ['event_type: is required', { event_type: null }],
    ['[2].event_type: must be a string', [{ event_type: 'x' }, { event_type: 'x' }, { event_type: 5 }]],
    ['event_type: must not be empty', { event_type: '' }],
    ['user: must be an object', { event_type: 'x', user: 'u1' }],
    ['user: must be an object', { event_type: 'x', user: [] }],
    ['[0].user.id: must be a string', [{ event_type: 'x', user: { id: true } }]],
    ['[0].user.email: must be a string', [{ event_type: 'x', user: { email: 5 } }]],
    ['user.first_name: must be a string', { event_type: 'user_identify', user: { first_name: 5 } }],
    ['user.custom: must be an object', { event_type: 'user_identify', user: { custom: [1] } }],
    ['company: must be an object', { event_type: 'user_identify', company: 'acme' }],
    ['company.custom: must be an object', { event_type: 'user_identify', company: { custom: 1 } }],
    ['event_attributes: must be an object', { event_type: 'x', event_attributes: 'a=1' }],
  ])('%s', (message, body) => {
    expect(errorOf(() => mapUsermaven(body))).toBe(message);
  });

  it('accepts exactly 100 events', () => {
    expect(mapUsermaven(Array.from({ length: 100 }, () => ({ event_type: 'x' }))).ops).toHaveLength(100);
  });

  it('does not check Events API rules (left to downstream)', () => {
    const { op } = mapUsermaven({ event_type: 'bad name!!', user: { email: 'not-an-email' } }).ops[0];
    expect(op).toMatchObject({ event: 'bad name!!', email: 'not-an-email' });
  });
});
