/** Pure checks on parsed JSON bodies (docs/api.md). */
import { MAX_JSON_DEPTH } from './limits.js';
import { hasLoneSurrogate } from './unicode.js';

export { MAX_BODY_BYTES, MAX_JSON_DEPTH } from './limits.js';

/** Formats a path the way error messages name fields: `batch[3].traits.plan`. */
export function joinPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  const safe = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
  if (!parent) return safe;
  return safe.startsWith('"') ? `${parent}[${safe}]` : `${parent}.${safe}`;
}

/** What a string or key must not contain: each is a 400 naming where it is (docs/api.md). */
function stringProblem(value: string): string | null {
  if (value.includes('\u0000')) return 'the NUL character';
  if (hasLoneSurrogate(value)) return 'a lone surrogate (broken UTF-16)';
  return null;
}

/** Whether findJsonProblem would find a problem: the same walk, without building a path per value. */
function hasJsonProblem(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return stringProblem(value) !== null;
  if (value === null || typeof value !== 'object') return false;
  if (depth >= MAX_JSON_DEPTH) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (hasJsonProblem(value[i], depth + 1)) return true;
    return false;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (stringProblem(key) !== null || hasJsonProblem((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}

/**
 * Returns a problem with the parsed value, naming where it is, or null: the NUL character
 * (which PostgreSQL cannot store) or a lone surrogate (which no UTF-8 text or jsonb can hold) in
 * any key or string, or nesting deeper than MAX_JSON_DEPTH. A body without one (nearly every
 * body) is walked once without naming anything; the paths are built only to name a problem.
 */
export function findJsonProblem(value: unknown, path = 'body', depth = 0): string | null {
  return hasJsonProblem(value, depth) ? namedJsonProblem(value, path, depth) : null;
}

function namedJsonProblem(value: unknown, path: string, depth: number): string | null {
  if (typeof value === 'string') {
    const problem = stringProblem(value);
    return problem ? `${path}: must not contain ${problem}` : null;
  }
  if (value === null || typeof value !== 'object') return null;
  if (depth >= MAX_JSON_DEPTH) return `${path}: nests deeper than ${MAX_JSON_DEPTH} levels`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      // A root array's items are named `[2]`, as the format mappers name them.
      const problem = namedJsonProblem(value[i], path === 'body' ? `[${i}]` : `${path}[${i}]`, depth + 1);
      if (problem) return problem;
    }
    return null;
  }
  for (const [key, child] of Object.entries(value)) {
    const keyProblem = stringProblem(key);
    if (keyProblem) return `${path}: a key must not contain ${keyProblem}`;
    const childPath = path === 'body' ? joinPath('', key) : joinPath(path, key);
    const problem = namedJsonProblem(child, childPath, depth + 1);
    if (problem) return problem;
  }
  return null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a body as strict UTF-8 JSON; throws an Error whose message is client-safe. */
export function parseJsonBody(raw: Buffer): unknown {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new Error('body: is not valid UTF-8');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`body: is not valid JSON (${(e as Error).message})`);
  }
  if (parsed !== null && typeof parsed === 'object') {
    STRINGIFIED_BOUND.set(parsed, 2 * raw.length + MAX_NUMBER_GROWTH * (text.match(EXPONENT)?.length ?? 0));
  }
  return parsed;
}

/** Where a number may be written with an exponent (each such number matches once; a string may match too). */
const EXPONENT = /\d[eE][+-]?\d/g;
/** The longest number JSON.stringify writes (`-0.0000012345678901234567`): what one may grow by, at most. */
const MAX_NUMBER_GROWTH = 25;
const STRINGIFIED_BOUND = new WeakMap<object, number>();

/**
 * For a body parseJsonBody parsed: at most how many UTF-8 bytes JSON.stringify writes for it or
 * for any value inside it (undefined when unknown), so that a per-value size limit need not
 * stringify values that cannot reach it. JSON.stringify never writes a string, key or literal in
 * more bytes than the body did (it escapes only what JSON requires escaped, in the shortest
 * form, and drops whitespace and repeated keys), nor a number written without an exponent, save
 * one more digit when 17 or more round up to a power of ten. A number with an exponent may grow
 * (`1e20` is written in 21 digits), by at most MAX_NUMBER_GROWTH bytes, counted for every place
 * that looks like one. Twice the body's size, plus that, leaves room.
 */
export function stringifiedBytesBound(body: unknown): number | undefined {
  return body !== null && typeof body === 'object' ? STRINGIFIED_BOUND.get(body) : undefined;
}

export function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const type = header.split(';')[0].trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}
