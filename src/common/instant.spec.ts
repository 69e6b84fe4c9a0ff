import { EPOCH_MS_THRESHOLD, instantFrom, instantFromEpoch, instantFromMs, MAX_INSTANT_MS, MIN_INSTANT_MS, parseInstant } from './instant.js';

const ms = (text: string): number | null => parseInstant(text)?.getTime() ?? null;

describe('parseInstant (strict ISO 8601 with a timezone)', () => {
  it.each([
    ['2025-12-22T10:30:00Z', Date.UTC(2025, 11, 22, 10, 30)],
    ['2025-12-22t10:30:00z', Date.UTC(2025, 11, 22, 10, 30)],
    ['2025-12-22T10:30Z', Date.UTC(2025, 11, 22, 10, 30)],
    ['2025-12-22T10:30:00.1Z', Date.UTC(2025, 11, 22, 10, 30, 0, 100)],
    ['2025-12-22T10:30:00.123456789Z', Date.UTC(2025, 11, 22, 10, 30, 0, 123)],
    ['2025-12-22T10:30:00.999999Z', Date.UTC(2025, 11, 22, 10, 30, 0, 999)],
    ['2024-02-29T00:00:00+00:00', Date.UTC(2024, 1, 29)],
    ['2000-02-29T12:00:00Z', Date.UTC(2000, 1, 29, 12)],
    ['2025-12-22T10:30:00-00:00', Date.UTC(2025, 11, 22, 10, 30)],
    ['2025-12-22T12:30:00+02:00', Date.UTC(2025, 11, 22, 10, 30)],
    ['2025-12-22T05:30:00.250-0500', Date.UTC(2025, 11, 22, 10, 30, 0, 250)],
    ['2025-12-31T23:30:00-01:00', Date.UTC(2026, 0, 1, 0, 30)],
    ['2025-12-22T10:30:00+23:59', Date.UTC(2025, 11, 21, 10, 31)],
    ['1969-07-20T20:17:40Z', Date.UTC(1969, 6, 20, 20, 17, 40)],
    ['9999-12-31T23:59:59.999Z', MAX_INSTANT_MS],
  ])('accepts %s', (text, expected) => {
    expect(ms(text)).toBe(expected);
  });

  it('reads years below 100 as they are written (not as 19xx, as Date.UTC would)', () => {
    expect(parseInstant('0001-01-01T00:00:00Z')?.toISOString()).toBe('0001-01-01T00:00:00.000Z');
    expect(parseInstant('0099-03-01T00:00:00Z')?.toISOString()).toBe('0099-03-01T00:00:00.000Z');
    expect(ms('0001-01-01T00:00:00Z')).toBe(MIN_INSTANT_MS);
  });

  it.each([
    '2025-12-22',
    '2025-12-22T10:30:00',
    '2025-12-22 10:30:00Z',
    '2025-02-29T00:00:00Z',
    '2025-02-30T10:00:00Z',
    '2100-02-29T00:00:00Z',
    '2025-13-01T00:00:00Z',
    '2025-00-10T00:00:00Z',
    '2025-04-31T00:00:00Z',
    '2025-04-00T00:00:00Z',
    '2025-12-22T24:00:00Z',
    '2025-12-22T10:60:00Z',
    '2025-12-22T10:30:60Z',
    '2025-12-22T10:30:00+24:00',
    '2025-12-22T10:30:00+02:60',
    '2025-12-22T10:30:00+02',
    '2025-12-22T10:30:00.Z',
    '2025-12-22T10:30:00.1234567890Z',
    '0000-01-01T00:00:00Z',
    '0001-01-01T00:30:00+01:00',
    '9999-12-31T23:30:00-01:00',
    '+012025-12-22T10:30:00Z',
    ' 2025-12-22T10:30:00Z',
    '2025-12-22T10:30:00Z\n',
    '２０２５-12-22T10:30:00Z',
    'Mon, 22 Dec 2025 10:30:00 GMT',
    '1',
    '',
  ])('refuses %j', (text) => {
    expect(parseInstant(text)).toBeNull();
  });

  it('refuses non-strings', () => {
    expect(parseInstant(Date.UTC(2025, 0, 1))).toBeNull();
    expect(parseInstant(null)).toBeNull();
    expect(parseInstant(new Date())).toBeNull();
  });
});

describe('instantFromEpoch (seconds or milliseconds, by magnitude)', () => {
  it('reads numbers below 1e11 as seconds and the rest as milliseconds', () => {
    expect(instantFromEpoch(1767225600)?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(instantFromEpoch(1767225600123)?.toISOString()).toBe('2026-01-01T00:00:00.123Z');
    expect(instantFromEpoch(1767225600.5)?.toISOString()).toBe('2026-01-01T00:00:00.500Z');
    expect(instantFromEpoch(0)?.toISOString()).toBe('1970-01-01T00:00:00.000Z');
    expect(instantFromEpoch(EPOCH_MS_THRESHOLD - 1)?.getUTCFullYear()).toBe(5138);
    expect(instantFromEpoch(EPOCH_MS_THRESHOLD)?.toISOString()).toBe('1973-03-03T09:46:40.000Z');
    expect(instantFromEpoch(-1_000_000_000)?.toISOString()).toBe('1938-04-24T22:13:20.000Z');
  });

  it('refuses what no year 1 to 9999 instant is', () => {
    for (const value of [Number.NaN, Infinity, -Infinity, 1e20, -1e20, MAX_INSTANT_MS + 1, MIN_INSTANT_MS - 1, '1767225600', null, true]) {
      expect(instantFromEpoch(value)).toBeNull();
    }
  });

  it('instantFromMs bounds plain milliseconds the same way', () => {
    expect(instantFromMs(MAX_INSTANT_MS)?.getTime()).toBe(MAX_INSTANT_MS);
    expect(instantFromMs(MAX_INSTANT_MS + 1)).toBeNull();
    expect(instantFromMs(8.64e15 + 1)).toBeNull();
  });

  it('instantFrom takes either form, as provider fields come', () => {
    expect(instantFrom('2026-01-01T00:00:00Z')?.getTime()).toBe(1767225600000);
    expect(instantFrom(1767225600)?.getTime()).toBe(1767225600000);
    expect(instantFrom('2026-02-30T00:00:00Z')).toBeNull();
    expect(instantFrom({})).toBeNull();
  });
});
