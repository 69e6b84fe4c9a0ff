import {
  assertFresh,
  externalIdFromMetadata,
  header,
  mergeMetadata,
  parseJsonObject,
} from './adapter-utils.js';
import { InvalidSignatureError, MalformedPayloadError } from './webhook-adapter.js';

describe('externalIdFromMetadata', () => {
  it('prefers externalId, then userId, then user_id, within the first metadata that has any', () => {
    expect(externalIdFromMetadata({ user_id: 'c', userId: 'b', externalId: 'a' })).toBe('a');
    expect(externalIdFromMetadata({ user_id: 'c', userId: 'b' })).toBe('b');
    expect(externalIdFromMetadata({ user_id: 'c' })).toBe('c');
    expect(externalIdFromMetadata({ plan: 'pro' }, { user_id: 'from-second' })).toBe('from-second');
    expect(externalIdFromMetadata({ user_id: 'first' }, { externalId: 'second' })).toBe('first');
  });

  it('skips blanks and non-objects, and stringifies numeric ids', () => {
    expect(externalIdFromMetadata(null, undefined, 'x', { userId: '  ' }, { user_id: 42 })).toBe('42');
    expect(externalIdFromMetadata({ userId: { nested: true } })).toBeNull();
  });
});

describe('mergeMetadata', () => {
  it('keeps the first source for a repeated key and the first source key order', () => {
    expect(Object.entries(mergeMetadata({ b: 1, a: 1 }, { a: 2, c: 2 }, null))).toEqual([
      ['b', 1],
      ['a', 1],
      ['c', 2],
    ]);
  });
});

describe('assertFresh', () => {
  const now = new Date(1767225600_000);
  it('accepts up to 300 s either way and refuses beyond', () => {
    expect(() => assertFresh(1767225600 - 300, now)).not.toThrow();
    expect(() => assertFresh(1767225600 + 300, now)).not.toThrow();
    expect(() => assertFresh(1767225600 - 301, now)).toThrow(InvalidSignatureError);
    expect(() => assertFresh(1767225600 + 301, now)).toThrow(InvalidSignatureError);
  });
});

describe('header', () => {
  it('ignores case and treats repeated or empty values as absent', () => {
    expect(header({ 'Webhook-Id': 'msg_1' }, 'webhook-id')).toBe('msg_1');
    expect(header({ 'webhook-id': ['a', 'b'] as unknown as string }, 'webhook-id')).toBeNull();
    expect(header({ 'webhook-id': '' }, 'webhook-id')).toBeNull();
  });
});

describe('parseJsonObject', () => {
  it('accepts only a JSON object', () => {
    expect(parseJsonObject('{"a":1}')).toEqual({ a: 1 });
    for (const bad of ['', 'nope', '[]', 'null', '3']) {
      expect(() => parseJsonObject(bad)).toThrow(MalformedPayloadError);
    }
  });
});
