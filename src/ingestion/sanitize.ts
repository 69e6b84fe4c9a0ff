import { RESERVED_KEYS } from '../common/json-object.js';
import { codePointLength, cutCodePoints } from '../common/unicode.js';
import type { Scalar } from '../common/vocabulary.js';

/** docs/sanitization.md#secret-looking-keys: key fragments that mark a value as secret-looking. */
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
export const MAX_KEY_LENGTH = 64;
export const MAX_STRING_LENGTH = 1000;
export const MAX_KEYS = 50;
/** What one op, and one response, echo of its warnings (docs/sanitization.md). */
export const MAX_WARNINGS_PER_OP = 20;
export const MAX_WARNINGS_PER_RESPONSE = 200;

export interface Sanitized {
  values: Record<string, Scalar>;
  warnings: string[];
}

export function looksSecret(key: string): boolean {
  const folded = key.toLowerCase().replace(/[_\-. ]/g, '');
  return SECRET_KEY_MARKERS.some((marker) => folded.includes(marker));
}

/** looksSecret's verdicts on keys seen before (the same few keys come in op after op), bounded. */
const SECRET_VERDICTS = new Map<string, boolean>();
const SECRET_VERDICTS_MAX = 1000;

function looksSecretCached(key: string): boolean {
  const known = SECRET_VERDICTS.get(key);
  if (known !== undefined) return known;
  const verdict = looksSecret(key);
  if (key.length <= MAX_KEY_LENGTH) {
    if (SECRET_VERDICTS.size >= SECRET_VERDICTS_MAX) SECRET_VERDICTS.clear();
    SECRET_VERDICTS.set(key, verdict);
  }
  return verdict;
}

/** A key as a warning names it: cut to the longest kept key length, so a warning echoes little. */
function shownKey(key: string): string {
  return codePointLength(key) > MAX_KEY_LENGTH ? `${cutCodePoints(key, MAX_KEY_LENGTH)}...` : key;
}

/**
 * Filters traits, properties or provider metadata at the door (docs/sanitization.md): flat
 * scalars only, secret-looking and reserved keys dropped, long keys dropped, long strings cut (on
 * a character, never inside a surrogate pair), at most 50 keys. Lengths count characters (code
 * points). Every dropped or cut key is reported as `<label>.<key>: <what happened>`. Only own
 * keys are read, and the result is written with own data properties: a `__proto__` key of
 * client JSON is an ordinary key here, dropped like the other reserved ones.
 */
export function sanitizeFields(input: Record<string, unknown> | null | undefined, label: string): Sanitized {
  const values: Record<string, Scalar> = {};
  const warnings: string[] = [];
  if (!input) return { values, warnings };
  let kept = 0;
  for (const [key, value] of Object.entries(input)) {
    const where = `${label}.${shownKey(key)}`;
    if (RESERVED_KEYS.has(key)) {
      warnings.push(`${where}: dropped, reserved key`);
    } else if (looksSecretCached(key)) {
      warnings.push(`${where}: dropped, secret-looking key`);
    } else if (codePointLength(key) > MAX_KEY_LENGTH) {
      warnings.push(`${where}: dropped, key longer than ${MAX_KEY_LENGTH} characters`);
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
      if (typeof value === 'string' && codePointLength(value) > MAX_STRING_LENGTH) {
        values[key] = cutCodePoints(value, MAX_STRING_LENGTH);
        warnings.push(`${where}: cut to ${MAX_STRING_LENGTH} characters`);
      } else {
        values[key] = value;
      }
    }
  }
  return { values, warnings };
}

/**
 * The warnings a response shows: at most MAX_WARNINGS_PER_OP per op (then `and K more
 * warnings`), and at most MAX_WARNINGS_PER_RESPONSE in all (later ops then say how many they
 * hold), so that what one request can make the server echo stays small.
 */
export function capWarnings(perOp: ReadonlyArray<readonly string[]>): string[][] {
  let budget = MAX_WARNINGS_PER_RESPONSE;
  return perOp.map((all) => {
    const room = Math.min(MAX_WARNINGS_PER_OP, budget);
    if (all.length <= room) {
      budget -= all.length;
      return [...all];
    }
    if (room === 0) return [`${all.length} warnings not shown (the response shows at most ${MAX_WARNINGS_PER_RESPONSE})`];
    budget -= room;
    return [...all.slice(0, room), `and ${all.length - room} more warnings`];
  });
}
