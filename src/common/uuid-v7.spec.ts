import { isUuid } from './ids.js';
import { uuidV7, uuidV7Generator } from './uuid-v7.js';

const SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** The 48-bit millisecond timestamp an id carries. */
const msOf = (id: string): number => parseInt(id.replace(/-/g, '').slice(0, 12), 16);
/** The id's 128 bits as a number, for order and distance checks. */
const bitsOf = (id: string): bigint => BigInt(`0x${id.replace(/-/g, '')}`);

describe('uuidV7', () => {
  it('has version 7 and the RFC 9562 variant, and is a UUID as the API accepts one', () => {
    const ids = Array.from({ length: 1000 }, uuidV7);
    expect(ids.filter((id) => !SHAPE.test(id) || !isUuid(id))).toEqual([]);
    expect(ids[0]).toMatch(SHAPE);
  });

  it('starts with the clock\'s Unix milliseconds', () => {
    for (const ms of [0, 1, Date.UTC(2026, 11, 1, 20, 0, 0, 123), 2 ** 48 - 1]) {
      expect(msOf(uuidV7Generator(() => ms)())).toBe(ms);
    }
    const before = Date.now();
    const at = msOf(uuidV7());
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
  });

  it('increases strictly within one millisecond, one step at a time', () => {
    const next = uuidV7Generator(() => 1_700_000_000_000);
    const ids = Array.from({ length: 10_000 }, next);
    expect(ids.filter((id, i) => i > 0 && !(id > ids[i - 1]))).toEqual([]);
    expect(new Set(ids.map(msOf))).toEqual(new Set([1_700_000_000_000]));
    // The counter sits in bits 64..105 (above the 32 random bits and the variant): one step each.
    const counter = (id: string): bigint => {
      const v = bitsOf(id);
      return (((v >> 64n) & 0xfffn) << 30n) | ((v >> 32n) & 0x3fffffffn);
    };
    const steps = new Set(ids.slice(1).map((id, i) => counter(id) - counter(ids[i])));
    expect(steps).toEqual(new Set([1n]));
  });

  it('keeps increasing across milliseconds and when the clock steps back', () => {
    const times = [5_000, 5_000, 5_001, 4_000, 4_999, 5_001, 5_002, 5_002, 6_000];
    let t = 0;
    const next = uuidV7Generator(() => times[t++]);
    const ids = times.map(() => next());
    for (let i = 1; i < ids.length; i++) expect(ids[i] > ids[i - 1]).toBe(true);
    // Held at the last millisecond while the clock is behind it, then the clock's again.
    expect(ids.map(msOf)).toEqual([5_000, 5_000, 5_001, 5_001, 5_001, 5_001, 5_002, 5_002, 6_000]);
  });

  it('sorts as text in the order of generation, as PostgreSQL sorts uuids (byte by byte)', () => {
    const ids = Array.from({ length: 5_000 }, uuidV7);
    expect([...ids].sort()).toEqual(ids);
    const values = ids.map(bitsOf);
    expect(values.filter((v, i) => i > 0 && v <= values[i - 1])).toEqual([]);
  });

  it('is unique, also across generators running on the same clock', () => {
    const a = uuidV7Generator(() => 42);
    const b = uuidV7Generator(() => 42);
    const ids = new Set<string>();
    for (let i = 0; i < 50_000; i++) {
      ids.add(a());
      ids.add(b());
      ids.add(uuidV7());
    }
    expect(ids.size).toBe(150_000);
  });
});
