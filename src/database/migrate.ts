import type { DataSource } from 'typeorm';

/**
 * Key of the session advisory lock held while migrations run: instances booting at once on one
 * database take turns, and each one after the first finds nothing pending. (A constant: the
 * lock is per database, and nothing else in the app uses session advisory locks.)
 */
export const MIGRATION_LOCK_KEY = '7238512094417741201';

/** Runs the pending migrations (one transaction each) under MIGRATION_LOCK_KEY. */
export async function runMigrationsLocked(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
