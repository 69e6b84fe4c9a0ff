import {
  type EntityManager,
  EventSubscriber,
  type EntitySubscriberInterface,
  type TransactionCommitEvent,
  type TransactionRollbackEvent,
} from 'typeorm';

/** Where a transaction's query runner keeps the callbacks waiting for its commit. */
const HOOKS = 'mara:afterCommit';

type Hooks = Array<() => void>;

/**
 * Runs `fn` once the transaction `em` works in has committed (at once when `em` is in none). A
 * rollback drops it, so a transaction that is retried, or that fails, counts nothing twice or
 * for nothing: what `fn` reports is what the database holds.
 */
export function afterCommit(em: EntityManager, fn: () => void): void {
  const runner = em.queryRunner;
  if (!runner?.isTransactionActive) {
    fn();
    return;
  }
  ((runner.data[HOOKS] ??= []) as Hooks).push(fn);
}

/** Runs the callbacks of `afterCommit` when the outermost transaction commits (registered on the DataSource). */
@EventSubscriber()
export class AfterCommitSubscriber implements EntitySubscriberInterface {
  afterTransactionCommit(event: TransactionCommitEvent): void {
    const runner = event.queryRunner;
    // A released savepoint: the transaction goes on.
    if (runner.isTransactionActive) return;
    const hooks = runner.data[HOOKS] as Hooks | undefined;
    delete runner.data[HOOKS];
    for (const fn of hooks ?? []) fn();
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (!event.queryRunner.isTransactionActive) delete event.queryRunner.data[HOOKS];
  }
}
