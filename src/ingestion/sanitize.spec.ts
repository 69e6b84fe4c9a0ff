import { hasLoneSurrogate } from '../common/unicode.js';
import { capWarnings, MAX_KEYS, sanitizeFields } from './sanitize.js';

describe('sanitizeFields (docs/sanitization.md#rules)', () => {
  it('keeps strings, finite numbers, booleans and null', () => {
    const out = sanitizeFields({ plan: 'pro', seats: 3, ratio: 0.5, trial: false, churned: null }, 'traits');
    expect(out).toEqual({ values: { plan: 'pro', seats: 3, ratio: 0.5, trial: false, churned: null }, warnings: [] });
  });

  it('drops objects and arrays', () => {
    const out = sanitizeFields({ address: { city: 'Paris' }, tags: ['a'], ok: 1 }, 'traits');
    expect(out.values).toEqual({ ok: 1 });
    expect(out.warnings).toEqual([
      'traits.address: dropped, objects are not kept (flat scalars only)',
      'traits.tags: dropped, arrays are not kept (flat scalars only)',
    ]);
  });

  it.each([
    'password',
    'user_password',
    'Passwd',
    'client-secret',
    'api_key',
    'API-Key',
    'access.key',
    'privateKey',
    'private key',
    'auth_token',
    'credentials',
    'Authorization',
    'ssn',
    'card_cvv',
    'cvc',
    'card-number',
    'IBAN',
  ])('drops the secret-looking key %s', (key) => {
    const out = sanitizeFields({ [key]: 'x', keep: 'y' }, 'properties');
    expect(out.values).toEqual({ keep: 'y' });
    expect(out.warnings).toEqual([`properties.${key}: dropped, secret-looking key`]);
  });

  it('drops __proto__, constructor and prototype without touching the prototype', () => {
    const input = JSON.parse('{"__proto__": {"polluted": true}, "constructor": "x", "prototype": 1, "a": 1}');
    const out = sanitizeFields(input, 'traits');
    expect(out.values).toEqual({ a: 1 });
    expect(Object.getPrototypeOf(out.values)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(out.warnings).toHaveLength(3);
    expect(out.warnings[0]).toBe('traits.__proto__: dropped, reserved key');
  });

  it('drops keys longer than 64 characters', () => {
    const long = 'k'.repeat(65);
    const out = sanitizeFields({ [long]: 1, ['k'.repeat(64)]: 2 }, 'traits');
    expect(out.values).toEqual({ ['k'.repeat(64)]: 2 });
    expect(out.warnings).toEqual([`traits.${'k'.repeat(64)}...: dropped, key longer than 64 characters`]);
  });

  it('cuts strings to 1,000 characters', () => {
    const out = sanitizeFields({ bio: 'x'.repeat(1500), short: 'y'.repeat(1000) }, 'traits');
    expect((out.values.bio as string).length).toBe(1000);
    expect((out.values.short as string).length).toBe(1000);
    expect(out.warnings).toEqual(['traits.bio: cut to 1000 characters']);
  });

  it('counts and cuts in characters: an emoji is never split', () => {
    const smile = '\u{1F600}';
    const out = sanitizeFields({ bio: `${'a'.repeat(999)}${smile}tail`, emoji: smile.repeat(1000), key: 'x' }, 'traits');
    expect(out.values.bio).toBe(`${'a'.repeat(999)}${smile}`);
    expect(out.values.emoji).toBe(smile.repeat(1000));
    expect(hasLoneSurrogate(out.values.bio as string)).toBe(false);
    expect(out.warnings).toEqual(['traits.bio: cut to 1000 characters']);
    const longKey = `${'k'.repeat(63)}${smile}${smile}`;
    const keys = sanitizeFields({ [`${'k'.repeat(63)}${smile}`]: 1, [longKey]: 2 }, 'traits');
    expect(keys.values).toEqual({ [`${'k'.repeat(63)}${smile}`]: 1 });
    expect(keys.warnings).toEqual([`traits.${'k'.repeat(63)}${smile}...: dropped, key longer than 64 characters`]);
  });

  it('names a long key in a warning by its first 64 characters, whatever the reason it is dropped', () => {
    const out = sanitizeFields({ [`password${'x'.repeat(10_000)}`]: 1 }, 'traits');
    expect(out.warnings).toEqual([`traits.password${'x'.repeat(56)}...: dropped, secret-looking key`]);
  });

  it('keeps the first 50 surviving keys in the order received', () => {
    const input: Record<string, unknown> = { password: 'x', nested: {} };
    for (let i = 0; i < 55; i++) input[`k${i}`] = i;
    const out = sanitizeFields(input, 'traits');
    expect(Object.keys(out.values)).toEqual(Array.from({ length: MAX_KEYS }, (_, i) => `k${i}`));
    expect(out.warnings.filter((w) => w.includes('50-key limit'))).toEqual(
      [50, 51, 52, 53, 54].map((i) => `traits.k${i}: dropped, over the 50-key limit`),
    );
  });

  it('accepts a missing object', () => {
    expect(sanitizeFields(undefined, 'traits')).toEqual({ values: {}, warnings: [] });
  });
});

describe('capWarnings', () => {
  const warnings = (n: number, tag = 'w'): string[] => Array.from({ length: n }, (_, i) => `${tag}${i}`);

  it('shows at most 20 per op, then how many more there are', () => {
    expect(capWarnings([warnings(3)])).toEqual([warnings(3)]);
    expect(capWarnings([warnings(20)])).toEqual([warnings(20)]);
    expect(capWarnings([warnings(25)])).toEqual([[...warnings(20), 'and 5 more warnings']]);
  });

  it('shows at most 200 in a response; later ops say how many they hold', () => {
    const shown = capWarnings(Array.from({ length: 12 }, () => warnings(19)).concat([[], warnings(2)]));
    expect(shown.slice(0, 10).flat()).toHaveLength(190);
    expect(shown[10]).toEqual([...warnings(10), 'and 9 more warnings']);
    expect(shown[11]).toEqual(['19 warnings not shown (the response shows at most 200)']);
    expect(shown[12]).toEqual([]);
    expect(shown[13]).toEqual(['2 warnings not shown (the response shows at most 200)']);
  });
});
