import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * SQLSTATEs for which PostgreSQL aborted a transaction that did nothing wrong: a deadlock
 * (40P01: it was picked to break a cycle of row locks) or a serialization failure (40001). The
 * whole transaction is safe to run again, and PostgreSQL's documentation says to do so.
 */
const RETRYABLE_SQLSTATES = new Set(['40P01', '40001']);

/** Attempts in all: the first one and two retries. */
const ATTEMPTS = 3;

export function sqlState(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code ?? (err as { driverError?: { code?: unknown } }).driverError?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Foreign keys to a contact. Their violation (23503) means the contact was erased or merged away
 * by a transaction that committed between this one's read of it and its write
 * (docs/data-rights.md#merge-and-aliases): run again, the request resolves its identities anew
 * (to the survivor through its aliases, or to a new contact after an erasure) and loses nothing.
 */
const CONTACT_FOREIGN_KEYS = new Set(['FK_events_contact', 'FK_contact_connectors_contact', 'FK_provider_customers_contact']);

function constraintOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const name = (err as { constraint?: unknown }).constraint ?? (err as { driverError?: { constraint?: unknown } }).driverError?.constraint;
  return typeof name === 'string' ? name : undefined;
}

/**
 * Thrown by a repository that finds, inside a statement, that a row it read earlier in the
 * transaction was deleted by a transaction that committed since (an erased or merged-away
 * contact): like a serialization failure, the whole transaction is safe to run again.
 */
export class ConcurrentChangeError extends Error {}

export function isRetryableTransactionError(err: unknown): boolean {
  if (err instanceof ConcurrentChangeError) return true;
  const state = sqlState(err);
  if (state === '23503') return CONTACT_FOREIGN_KEYS.has(constraintOf(err) ?? '');
  return state !== undefined && RETRYABLE_SQLSTATES.has(state);
}

/**
 * Runs `work` in a transaction; when PostgreSQL aborts it with a deadlock or serialization
 * failure (or a contact it read went away meanwhile, see CONTACT_FOREIGN_KEYS), runs the whole of it again in a new transaction (after a short random pause, so the
 * transaction it collided with gets ahead), up to ATTEMPTS times in all. `work` must do nothing
 * outside its transaction that it cannot repeat.
 */
export async function transactionWithRetry<T>(
  dataSource: DataSource,
  logger: Logger,
  what: string,
  work: (em: EntityManager) => Promise<T>,
): Promise<T> {
  return withRetry(logger, what, () => dataSource.transaction(work));
}

/**
 * Like transactionWithRetry, but `work` gets a connection with no transaction open: it opens one
 * itself (`startTransaction` on its query runner) before the first statement that needs one, or
 * sends a lone statement that is atomic by itself (a read, then a single write statement, each
 * autocommitted). A transaction `work` opened is committed when it returns and rolled back when it
 * throws; either way the whole of `work` runs again on the errors transactionWithRetry retries.
 */
export async function lazyTransactionWithRetry<T>(
  dataSource: DataSource,
  logger: Logger,
  what: string,
  work: (em: EntityManager) => Promise<T>,
): Promise<T> {
  return withRetry(logger, what, async () => {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      const result = await work(runner.manager);
      if (runner.isTransactionActive) await runner.commitTransaction();
      return result;
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw err;
    } finally {
      await runner.release();
    }
  });
}

async function withRetry<T>(logger: Logger, what: string, run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (attempt >= ATTEMPTS || !isRetryableTransactionError(err)) throw err;
      const code = sqlState(err) ?? 'concurrent change';
      logger.warn({ code, attempt, what }, `${what}: transaction aborted (${code}); retrying it`);
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40 * attempt));
    }
  }
}
