import type { DataSource, EntityManager } from 'typeorm';

interface RawClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * A hot-path statement as a named prepared statement on the transaction's own connection
 * (docs/operations.md#the-recording-path): PostgreSQL parses and plans it once per connection,
 * and each later execution only binds its parameters (arrays, never a literal per row). `name`
 * must always go with the same `text`. Outside a connected query runner it is an ordinary query.
 */
export async function hotQuery<T>(em: EntityManager, name: string, text: string, values: unknown[]): Promise<T[]> {
  const client = (em.queryRunner as unknown as { databaseConnection?: RawClient } | undefined)?.databaseConnection;
  if (!client) return (await em.query(text, values)) as T[];
  return (await client.query({ name, text, values })).rows as T[];
}

/**
 * hotQuery for a lone statement outside any transaction (the key check of every keyed request):
 * sent through the DataSource's pg pool itself, which lends a connection for just that statement,
 * so it too is a named prepared statement on each pooled connection, without a TypeORM query
 * runner around it. Without a pg pool (another driver) it is an ordinary query.
 */
export async function pooledHotQuery<T>(dataSource: DataSource, name: string, text: string, values: unknown[]): Promise<T[]> {
  const pool = (dataSource.driver as unknown as { master?: RawClient }).master;
  if (!pool || typeof pool.query !== 'function') return (await dataSource.query(text, values)) as T[];
  return (await pool.query({ name, text, values })).rows as T[];
}

const QUOTE_OR_BACKSLASH = /["\\]/;

/**
 * A `text[]` or `uuid[]` parameter as PostgreSQL's array literal, the text the pg driver would
 * send for the array, written in one pass: each element double-quoted, with `\` and `"`
 * backslash-escaped (only searched for once per element), NULL for null or undefined.
 */
export function arrayParam(values: ReadonlyArray<string | null | undefined>): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    if (v === null || v === undefined) out += 'NULL';
    else if (QUOTE_OR_BACKSLASH.test(v)) out += `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
    else out += `"${v}"`;
  }
  return `${out}}`;
}

/**
 * The JSON texts of `values` as an array literal (a `text[]` parameter cast to jsonb per element),
 * NULL for null. `JSON.stringify(json)` is exactly the element's quoting there: JSON text holds no
 * control character or lone surrogate (JSON.stringify writes both escaped), so the only
 * characters the outer JSON.stringify escapes are `\` and `"`, as the array literal needs.
 */
export function jsonArrayParam(values: readonly unknown[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    out += v === null || v === undefined ? 'NULL' : JSON.stringify(JSON.stringify(v));
  }
  return `${out}}`;
}
