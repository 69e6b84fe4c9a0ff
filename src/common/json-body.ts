/** Pure checks on parsed JSON bodies (CONTRACT section 4). */

export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_JSON_DEPTH = 32;

/** Formats a path the way error messages name fields: `batch[3].traits.plan`. */
export function joinPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  const safe = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
  if (!parent) return safe;
  return safe.startsWith('"') ? `${parent}[${safe}]` : `${parent}.${safe}`;
}

/**
 * Returns a problem with the parsed value (the NUL character, which PostgreSQL cannot store, in
 * any key or string; nesting deeper than MAX_JSON_DEPTH), naming where it is, or null.
 */
export function findJsonProblem(value: unknown, path = 'body', depth = 0): string | null {
  if (typeof value === 'string') {
    return value.includes('\u0000') ? `${path}: must not contain the NUL character` : null;
  }
  if (value === null || typeof value !== 'object') return null;
  if (depth >= MAX_JSON_DEPTH) return `${path}: nests deeper than ${MAX_JSON_DEPTH} levels`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = findJsonProblem(value[i], `${path}[${i}]`, depth + 1);
      if (problem) return problem;
    }
    return null;
  }
  for (const [key, child] of Object.entries(value)) {
    const childPath = path === 'body' ? joinPath('', key) : joinPath(path, key);
    if (key.includes('\u0000')) return `${path}: a key must not contain the NUL character`;
    const problem = findJsonProblem(child, childPath, depth + 1);
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
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`body: is not valid JSON (${(e as Error).message})`);
  }
}

export function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const type = header.split(';')[0].trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}
