import { type BeforeApplicationShutdown, Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import pg from 'pg';
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { hotQuery } from '../common/hot-query.js';
import { loggableError, PINO_LOGGER } from '../common/logger.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

export interface QueueSpec {
  name: string;
  /** A job still active after this long belongs to a dead worker: it is failed and retried. */
  expireInSeconds: number;
  /**
   * `standard` (default): any number of jobs. `stately`: at most one job per singleton key in each
   * of queued, retrying and active (a periodic job that reschedules itself stays one chain).
   */
  policy?: 'standard' | 'stately';
}

export interface SendOptions {
  /** Seconds from now; 0 or absent: as soon as a worker is free. */
  delaySeconds?: number;
  /** With a `stately` queue: the chain this job belongs to. */
  singletonKey?: string;
}

export interface NewJob<T extends object> {
  name: string;
  data: T;
  /** Seconds from the database's now(); 0 or absent: as soon as a worker is free. */
  delaySeconds?: number;
}

export interface WorkOptions {
  /** Jobs fetched at once (and then run `concurrency` at a time). */
  batchSize: number;
  concurrency: number;
  pollingIntervalSeconds: number;
}

/** A fetched job; `retryCount` is how many attempts came before this one. */
export interface RunningJob<T> {
  id: string;
  data: T;
  retryCount: number;
  retryLimit: number;
  /** For dead-letter jobs: the last error of the job that gave up (`{message}`). */
  output: unknown;
}

/** The dead-letter queue of `queue`: a job lands there once it has failed every attempt. */
export const deadLetterOf = (queue: string): string => `${queue}.dead`;

/** `gave up after N attempts: <last error>`, from a dead-letter job (which keeps the retry limit). */
export function givenUpReason(job: RunningJob<object>, attempts = job.retryLimit + 1): string {
  const out = job.output as { message?: unknown; value?: { message?: unknown } } | null;
  const message = typeof out?.message === 'string' ? out.message : typeof out?.value?.message === 'string' ? out.value.message : 'unknown error';
  return `gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${message}`.slice(0, 500);
}

const STOP_TIMEOUT_MS = 20_000;
/**
 * A fetched batch's jobs are completed together (pg-boss, one statement) when the handler returns;
 * once a batch has run this long, each job that then succeeds is completed at once instead.
 */
const COMPLETE_AT_ONCE_AFTER_MS = 5_000;
/** Advisory lock key serialising queue declarations across processes (any fixed bigint). */
const DECLARE_LOCK_KEY = '7243110560281937001';

/**
 * The durable job queue (pg-boss on the app's PostgreSQL, in its own `pgboss` schema), shared by
 * the modules that queue work (journey steps, Clerk import pages). Every process starts it, so
 * that any process can schedule jobs; only `all` and `worker` processes fetch them and run
 * pg-boss's maintenance (expiring the jobs of crashed workers).
 *
 * Every queue gets a dead-letter queue: a job that fails its last retry (or expires for the last
 * time) is copied there, so its owner can close what it was doing instead of leaving it open.
 */
@Injectable()
export class JobQueue implements OnModuleInit, BeforeApplicationShutdown {
  private readonly boss: PgBoss;
  private readonly stopping = new AbortController();
  /** This process's pg-boss worker ids, by queue. */
  private readonly workerIds = new Map<string, string[]>();
  /** The queue declarations of this process, chained so they run one at a time. */
  private declaring: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {
    this.boss = new PgBoss({
      connectionString: config.databaseUrl,
      application_name: 'mara-jobs',
      max: 4,
      migrate: true,
      supervise: config.processRole !== 'api',
      maintenanceIntervalSeconds: config.jobs.maintenanceIntervalSeconds,
      schedule: false,
    });
    // pg-boss reports polling and maintenance errors as events (an unhandled 'error' would crash);
    // worker errors arrive as plain objects, which loggableError reads too.
    this.boss.on('error', (err) => this.logger.error({ err: loggableError(err) }, 'job queue error'));
  }

  /** Aborted when the process starts shutting down: long waits (HTTP calls) give up on it. */
  get stopSignal(): AbortSignal {
    return this.stopping.signal;
  }

  get workers(): boolean {
    return this.config.processRole !== 'api';
  }

  async onModuleInit(): Promise<void> {
    await this.boss.start();
  }

  /**
   * Creates the queue and its dead-letter queue, or brings their settings up to date. Retries
   * follow JOB_RETRY_LIMIT and JOB_RETRY_DELAY_SECONDS, with exponential backoff.
   */
  async declare(spec: QueueSpec): Promise<void> {
    const { retryLimit, retryDelaySeconds, expireSeconds } = this.config.jobs;
    const dead = { name: deadLetterOf(spec.name), policy: 'standard' as const, retryLimit, retryDelay: retryDelaySeconds, retryBackoff: true };
    const queue = {
      name: spec.name,
      policy: spec.policy ?? ('standard' as const),
      retryLimit,
      retryDelay: retryDelaySeconds,
      retryBackoff: true,
      expireInSeconds: expireSeconds ?? spec.expireInSeconds,
      deadLetter: dead.name,
    };
    // One declaration at a time: in this process by a promise chain, across processes by an
    // advisory lock (pg-boss's queue DDL deadlocks when instances booting at once run it together).
    const run = this.declaring.then(async () => {
      const lock = new pg.Client({ connectionString: this.config.databaseUrl, application_name: 'mara-jobs-declare' });
      await lock.connect();
      try {
        await lock.query('SELECT pg_advisory_lock($1)', [DECLARE_LOCK_KEY]);
        for (const q of [dead, queue]) {
          // createQueue leaves an existing queue as it is; the update brings its settings up to date.
          await this.boss.createQueue(q.name, q);
          await this.boss.updateQueue(q.name, q);
        }
      } finally {
        // Closing the session releases its advisory lock.
        await lock.end().catch(() => undefined);
      }
    });
    this.declaring = run.catch(() => undefined);
    await run;
  }

  /**
   * Inserts jobs through the caller's transaction: they exist when it commits and vanish if it
   * rolls back. One statement, whatever the number of jobs.
   */
  async insertIn<T extends object>(em: EntityManager, jobs: Array<NewJob<T>>): Promise<void> {
    if (jobs.length === 0) return;
    const runner = em.queryRunner;
    if (!runner?.isTransactionActive) throw new Error('JobQueue.insertIn must run inside a transaction');
    await this.boss.insert(
      jobs.map((j) => ({
        name: j.name,
        data: j.data,
        // An interval is added to the database's now(), so app and database clocks need not agree.
        startAfter: j.delaySeconds && j.delaySeconds > 0 ? `${j.delaySeconds} seconds` : undefined,
      })),
      // pg-boss's insert statement is always the same text: prepared once per connection.
      { db: { executeSql: async (text, values) => ({ rows: await hotQuery(em, 'mara_jobs_insert', text, values) }) } },
    );
  }

  /**
   * An INSERT of jobs into `queue` from `rows` (SQL yielding `data jsonb, delay_seconds int`), to
   * ride as a data-modifying CTE on another module's statement (journey enrollment on the
   * recording write: docs/operations.md#the-recording-path), so the jobs commit with that statement.
   * It writes a job row as pg-boss 10's own insert (`insertJobs` in pg-boss's plans.js) does for
   * a job with only a name, data and a delay: every setting from the queue's row, with pg-boss's
   * own fallbacks; a test compares a job inserted here with one inserted through insertIn.
   */
  insertSql(queue: string, rows: string): string {
    if (!/^[a-z0-9.-]+$/.test(queue)) throw new Error(`not a queue name: ${queue}`);
    return `INSERT INTO pgboss.job (id, name, data, priority, start_after, dead_letter, expire_in, keep_until,
                            retry_limit, retry_delay, retry_backoff, policy)
    SELECT gen_random_uuid(), q.name, r.data, 0, r.start_after, q.dead_letter,
           COALESCE(q.expire_seconds * interval '1s', interval '15 minutes'),
           r.start_after + COALESCE((q.retention_minutes * 60) * interval '1s', interval '14 days'),
           COALESCE(q.retry_limit, 2),
           CASE WHEN COALESCE(q.retry_backoff, false) THEN GREATEST(COALESCE(q.retry_delay, 0), 1) ELSE COALESCE(q.retry_delay, 0) END,
           COALESCE(q.retry_backoff, false), q.policy
      FROM (SELECT x.data, now() + make_interval(secs => x.delay_seconds) AS start_after FROM (${rows}) x) r
      JOIN pgboss.queue q ON q.name = '${queue}'
    ON CONFLICT DO NOTHING`;
  }

  /**
   * Queues one job outside any transaction (periodic and on-demand work). Answers its id, or null
   * when a `stately` queue already holds a queued job of the same singleton key.
   */
  async send<T extends object>(queue: string, data: T, options: SendOptions = {}): Promise<string | null> {
    return this.boss.send(queue, data, {
      ...(options.delaySeconds && options.delaySeconds > 0 ? { startAfter: options.delaySeconds } : {}),
      ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
    });
  }

  /**
   * Starts fetching `queue`'s jobs (in `all` and `worker` processes only). Each job of a fetched
   * batch succeeds or fails on its own: one that throws is handed back to pg-boss for a retry
   * (with backoff) at once, the others complete (together at the end of a quick batch).
   */
  async work<T extends object>(queue: string, options: WorkOptions, handler: (job: RunningJob<T>) => Promise<void>): Promise<void> {
    if (!this.workers) return;
    const id = await this.boss.work<T>(
      queue,
      { batchSize: options.batchSize, pollingIntervalSeconds: options.pollingIntervalSeconds, includeMetadata: true },
      async (jobs) => {
        const fetchedAt = Date.now();
        let next = 0;
        let unrecorded = 0;
        const lane = async (): Promise<void> => {
          while (next < jobs.length) {
            const job = jobs[next++];
            let failure: unknown = null;
            try {
              await handler({ id: job.id, data: job.data, retryCount: job.retryCount, retryLimit: job.retryLimit, output: job.output });
            } catch (err) {
              failure = err;
            }
            if (failure === null) {
              // Quick batches are completed by pg-boss in one statement once the handler returns;
              // a job done late in a slow batch (SMTP) is recorded at once, so that it cannot
              // expire while the rest of the batch runs. Left to pg-boss's completion of the batch
              // when this cannot be recorded.
              if (Date.now() - fetchedAt >= COMPLETE_AT_ONCE_AFTER_MS) {
                await this.boss.complete(queue, job.id).catch((err: unknown) => {
                  this.logger.error({ err: loggableError(err), queue, job: job.data }, 'could not record a job as done');
                });
              }
            } else if (!(await this.fail(queue, job, failure))) {
              unrecorded++;
            }
          }
        };
        await Promise.all(Array.from({ length: Math.min(options.concurrency, jobs.length) }, lane));
        // Rejecting makes pg-boss fail the batch rather than complete the unrecorded failures
        // (completed jobs are left alone); if that cannot be recorded either, the jobs expire and
        // are retried. Handlers are idempotent, so a success that went unrecorded is a no-op later.
        if (unrecorded > 0) throw new Error(`${unrecorded} failed job(s) of ${queue} could not be recorded`);
      },
    );
    this.workerIds.set(queue, [...(this.workerIds.get(queue) ?? []), id]);
  }

  /**
   * Wakes this process's workers of `queue` (after a commit that queued a job due now), so they
   * fetch at once instead of at their next poll. Other processes find the job at their next poll.
   */
  notify(queue: string): void {
    for (const id of this.workerIds.get(queue) ?? []) this.boss.notifyWorker(id);
  }

  /** Hands a job back for a retry; never throws. False when even that could not be recorded. */
  private async fail(queue: string, job: { id: string; data: object; retryCount: number; retryLimit: number }, err: unknown): Promise<boolean> {
    const last = job.retryCount >= job.retryLimit;
    this.logger.warn(
      { err: loggableError(err), queue, job: job.data, attempt: job.retryCount + 1, of: job.retryLimit + 1 },
      last ? 'job failed its last attempt' : 'job failed; it will be retried',
    );
    try {
      await this.boss.fail(queue, job.id, { message: err instanceof Error ? err.message : String(err) });
      return true;
    } catch (failErr) {
      this.logger.error({ err: loggableError(failErr), queue, job: job.data }, 'could not hand a failed job back; it will expire and be retried');
      return false;
    }
  }

  /**
   * Runs before the HTTP server and the database pool close: long waits are told to give up, the
   * workers stop fetching, jobs in flight finish (up to STOP_TIMEOUT_MS; any still running then
   * are failed, so they are retried), then pg-boss closes its own pool. Requests still in flight
   * keep scheduling jobs: that goes through their own transaction, not through pg-boss.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await this.boss.stop({ graceful: true, wait: true, timeout: STOP_TIMEOUT_MS });
  }
}
