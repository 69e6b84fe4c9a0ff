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
