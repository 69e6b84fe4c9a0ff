/**
 * Reading and writing client JSON objects by their own keys. `JSON.parse` turns a `"__proto__"`
 * key into an ordinary own property; code must neither read inherited fields as if the client
 * had sent them (`obj.constructor`), nor write such a key with `target[key] = value`, which
 * would replace the target's prototype and make the key vanish before sanitization reports it.
 */

export type JsonObject = Record<string, unknown>;

/** Keys that name prototype machinery rather than data (docs/sanitization.md). */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** A JSON object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An own field only: `obj.constructor` or `obj.toString` is not a field the client sent. */
export function own(obj: JsonObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Sets an own, enumerable key, even when it is `__proto__`. */
export function put(target: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Copies every own key of `source` into `target`, optionally prefixed, keeping the order received. */
export function copyInto(target: JsonObject, source: JsonObject, prefix = ''): void {
  for (const [key, value] of Object.entries(source)) put(target, prefix + key, value);
}
