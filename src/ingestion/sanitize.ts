import type { Scalar } from './recording/op.types.js';

/** CONTRACT section 5: key fragments that mark a value as secret-looking. */
export const SECRET_KEY_MARKERS = [
  'password',
  'passwd',
  'secret',
  'token',
  'apikey',
  'accesskey',
  'privatekey',
  'credential',
  'authorization',
  'ssn',
  'cvv',
  'cvc',
  'cardnumber',
  'iban',
];
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
export const MAX_KEY_LENGTH = 64;
export const MAX_STRING_LENGTH = 1000;
export const MAX_KEYS = 50;

export interface Sanitized {
  values: Record<string, Scalar>;
  warnings: string[];
}

export function looksSecret(key: string): boolean {
  const folded = key.toLowerCase().replace(/[_\-. ]/g, '');
  return SECRET_KEY_MARKERS.some((marker) => folded.includes(marker));
}

/**
 * Filters traits, properties or provider metadata at the door (CONTRACT section 5): flat scalars
 * only, secret-looking and reserved keys dropped, long keys dropped, long strings cut, at most
 * 50 keys. Every dropped or cut key is reported as `<label>.<key>: <what happened>`.
 */
export function sanitizeFields(input: Record<string, unknown> | null | undefined, label: string): Sanitized {
  const values: Record<string, Scalar> = {};
  const warnings: string[] = [];
  if (!input) return { values, warnings };
  let kept = 0;
  for (const [key, value] of Object.entries(input)) {
    const where = `${label}.${key}`;
    if (RESERVED_KEYS.has(key)) {
      warnings.push(`${where}: dropped, reserved key`);
    } else if (looksSecret(key)) {
      warnings.push(`${where}: dropped, secret-looking key`);
    } else if (key.length > MAX_KEY_LENGTH) {
      warnings.push(`${label}.${key.slice(0, MAX_KEY_LENGTH)}...: dropped, key longer than ${MAX_KEY_LENGTH} characters`);
    } else if (value !== null && typeof value === 'object') {
      warnings.push(`${where}: dropped, ${Array.isArray(value) ? 'arrays' : 'objects'} are not kept (flat scalars only)`);
    } else if (typeof value === 'number' && !Number.isFinite(value)) {
      warnings.push(`${where}: dropped, not a finite number`);
    } else if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean' && value !== null) {
      warnings.push(`${where}: dropped, not a scalar`);
    } else if (kept >= MAX_KEYS) {
      warnings.push(`${where}: dropped, over the ${MAX_KEYS}-key limit`);
    } else {
      kept++;
      if (typeof value === 'string' && value.length > MAX_STRING_LENGTH) {
        values[key] = value.slice(0, MAX_STRING_LENGTH);
        warnings.push(`${where}: cut to ${MAX_STRING_LENGTH} characters`);
      } else {
        values[key] = value;
      }
    }
  }
  return { values, warnings };
}
