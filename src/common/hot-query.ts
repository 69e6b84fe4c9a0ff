import type { EntityManager } from 'typeorm';

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
