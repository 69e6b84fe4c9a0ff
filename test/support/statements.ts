import pg from 'pg';

/**
 * Every statement the app's connections send to PostgreSQL while `fn` runs: the pg driver's query
 * method, observed and called through. This sees what TypeORM's logger does not (the hot path's
 * named prepared statements, docs/operations.md#the-recording-path). `except` leaves out
 * statements of other work that may run meanwhile, such as job workers polling (`/pgboss/`).
 */
export async function statementsDuring(fn: () => Promise<unknown>, options: { except?: RegExp } = {}): Promise<string[]> {
  const query = pg.Client.prototype.query;
  const seen: string[] = [];
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0] as string | { text: string };
    const text = typeof first === 'string' ? first : first.text;
    if (!options.except?.test(text)) seen.push(text);
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  try {
    await fn();
  } finally {
    pg.Client.prototype.query = query;
  }
  return seen;
}
