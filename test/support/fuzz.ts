/**
 * A seeded PRNG and JSON mutators for the fuzz test: the same seed makes the same bodies.
 */

/** mulberry32: a small, fast 32-bit PRNG, plenty for picking mutations. */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** A random v4-shaped uuid (deterministic for the seed). */
  uuid(): string {
    const hex = Array.from({ length: 32 }, () => this.int(0, 15).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
  }
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Sets an own key even when it is `__proto__` (JSON.stringify then writes it like any key). */
function put(target: Record<string, Json>, key: string, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A deep copy through JSON text: `__proto__` keys come back as own properties, as from a request. */
export const clone = (value: Json): Json => JSON.parse(JSON.stringify(value)) as Json;

const SMILE = '\u{1F600}';

/** Keys that have broken JSON handling somewhere: prototype names, secrets, odd characters. */
const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'password',
  'api_token',
  '',
  ' ',
  'k'.repeat(65),
  `${'k'.repeat(63)}${SMILE}`,
  'lone\ud800',
  'nul\u0000',
  SMILE,
  'a.b',
  'a[0]',
  '"quoted"',
  'email',
  'userId',
  'type',
  'batch',
  'writeKey',
  'context',
  'traits',
  'properties',
  'metadata',
  'id',
  'data',
];

const ODD_STRINGS = [
  '',
  ' ',
  'null',
  'true',
  '123',
  '1e309',
  '-0',
  'NaN',
  'undefined',
  '\ud800',
  '\udfff',
  `x${SMILE.slice(0, 1)}`,
  `${SMILE.slice(1)}x`,
  'a\u0000b',
  '\u202eRTL\u202c',
  'zero\u200bwidth',
  'e\u0301\u0301\u0301',
  `${SMILE}${SMILE}`,
  '\ufeffbom',
  '\r\n',
  '{{contact.name}}',
  "'; DROP TABLE contacts; --",
  '<script>alert(1)</script>',
  'ada@example.com',
  ' ADA@Example.COM ',
  'not-an-email',
  'a@b',
  '2025-12-22T10:30:00Z',
  '2025-02-30T10:00:00Z',
  '2025-12-22T24:00:00Z',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '99999-01-01T00:00:00Z',
  '2025-12-22',
  '2025-12-22T10:30:00',
  '1767225600',
  'user.signed_up',
  'bad|type',
  'track',
  'identify',
  'page',
  'user_identify',
  'customer.subscription.created',
  'invoice.paid',
  'user.created',
  'order.paid',
  'subscription.active',
  'mara_ing_not-a-key',
  '00000000-0000-4000-8000-000000000000',
];

const ODD_NUMBERS = [0, -0, 1, -1, 1.5, 255, 256, 1e308, -1e308, 2 ** 53 + 1, 1e11, 1767225600, 1767225600000, -62135596800001, 8.64e15, 1e21];

export class JsonFuzzer {
  constructor(private readonly rng: Prng) {}

  string(): string {
    const r = this.rng;
    switch (r.int(0, 6)) {
      case 0:
        return r.pick(ODD_STRINGS);
      case 1:
        // Across the 1,000-character cut, and the 255 / 254 / 200 limits.
        return `${'a'.repeat(r.pick([199, 200, 253, 254, 255, 999, 1000]))}${SMILE}${'b'.repeat(r.int(0, 3))}`;
      case 2:
        return 'x'.repeat(r.pick([1000, 1001, 5000, 20_000, 40_000]));
      case 3:
        return Array.from({ length: r.int(1, 12) }, () => String.fromCharCode(r.int(0, 0xffff))).join('');
      case 4:
        return `${r.pick(ODD_STRINGS)}${r.pick(ODD_STRINGS)}`;
      default:
        return `s${r.int(0, 50)}`;
    }
  }

  key(): string {
    return this.rng.chance(0.6) ? this.rng.pick(HOSTILE_KEYS) : `k${this.rng.int(0, 80)}`;
  }

  /** A hostile value of any kind, nesting at most `depth` more levels. */
  value(depth = 3): Json {
    const r = this.rng;
    switch (depth <= 0 ? r.int(0, 3) : r.int(0, 7)) {
      case 0:
        return this.string();
      case 1:
        return r.pick(ODD_NUMBERS);
      case 2:
        return r.pick([true, false, null]);
      case 3:
        return r.chance(0.5) ? String(r.pick(ODD_NUMBERS)) : r.int(-5, 5);
      case 4:
        return Array.from({ length: r.int(0, 4) }, () => this.value(depth - 1));
      case 5:
        return this.object(r.int(0, 6), depth - 1);
      case 6:
        return this.deep(r.int(20, 40));
      default:
        return this.object(r.pick([60, 200, 2000]), 0);
    }
  }

  object(keys: number, depth: number): Record<string, Json> {
    const out: Record<string, Json> = {};
    for (let i = 0; i < keys; i++) put(out, this.key(), depth > 0 ? this.value(depth) : this.string());
    return out;
  }

  deep(levels: number): Json {
    let value: Json = 'bottom';
    for (let i = 0; i < levels; i++) value = this.rng.chance(0.5) ? [value] : { d: value };
    return value;
  }

  /** Applies 1 to 4 random mutations somewhere in a copy of `seed`. */
  mutate(seed: Json): Json {
    let root = clone(seed);
    const rounds = this.rng.int(1, 4);
    for (let i = 0; i < rounds; i++) root = this.mutateOnce(root);
    return root;
  }

  private containers(root: Json): Array<Json[] | Record<string, Json>> {
    const found: Array<Json[] | Record<string, Json>> = [];
    const walk = (v: Json, depth: number): void => {
      if (v === null || typeof v !== 'object' || depth > 8) return;
      found.push(v);
      for (const child of Array.isArray(v) ? v : Object.values(v)) walk(child, depth + 1);
    };
    walk(root, 0);
    return found;
  }

  private mutateOnce(root: Json): Json {
    const r = this.rng;
    if (r.chance(0.04)) return this.value(2);
    const containers = this.containers(root);
    if (containers.length === 0) return this.value(2);
    const target = r.pick(containers);
    if (Array.isArray(target)) {
      const op = r.int(0, 4);
      if (op === 0 && target.length) target.splice(r.int(0, target.length - 1), 1);
      else if (op === 1 && target.length) target.push(...Array.from({ length: r.pick([1, 50, 101]) }, () => clone(r.pick(target))));
      else if (op === 2 && target.length) target[r.int(0, target.length - 1)] = this.value(2);
      else target.push(this.value(2));
      return root;
    }
    const keys = Object.keys(target);
    const op = r.int(0, 5);
    if (op === 0 && keys.length) {
      delete target[r.pick(keys)];
    } else if (op <= 2 && keys.length) {
      const key = r.pick(keys);
      const old = target[key];
      // Wrong types, numbers as strings and back, or any hostile value.
      const swapped: Json = typeof old === 'number' ? String(old) : typeof old === 'string' && r.chance(0.3) ? Number(old) || r.pick(ODD_NUMBERS) : this.value(2);
      put(target, key, swapped);
    } else {
      put(target, this.key(), this.value(2));
    }
    return root;
  }

  /** Text-level damage on a serialized body (rare): truncation, stray bytes, a duplicated key. */
  damageText(text: string): string {
    const r = this.rng;
    switch (r.int(0, 3)) {
      case 0:
        return text.slice(0, r.int(0, text.length));
      case 1: {
        const at = r.int(0, text.length);
        return `${text.slice(0, at)}${r.pick(['\\', '"', '}', ',', '\u0000', '\\ud800', '\\u0000', 'NaN'])}${text.slice(at)}`;
      }
      case 2:
        return text.startsWith('{') ? `{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}},${text.slice(1)}` : `[${text}]`;
      default:
        return text.replace(/^\{/, '{"type":"track","type":"identify",');
    }
  }
}
