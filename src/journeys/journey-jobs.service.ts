import { type BeforeApplicationShutdown, Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { loggableError, PINO_LOGGER } from '../common/logger.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

/** pg-boss queue of journey steps: one job executes one step of one run. */
export const STEP_QUEUE = 'journey-step';

export interface StepJob {
  tenantId: string;
  runId: string;
  /** Index of the step in the run's definition. */
  step: number;
}

export interface ScheduledStep extends StepJob {
  /** 0: as soon as a worker is free; otherwise a wait step's seconds. */
  delaySeconds: number;
}

/** Jobs a worker fetches at once, and how many of them run side by side. */
const BATCH_SIZE = 20;
const CONCURRENCY = 4;
const POLLING_SECONDS = 1;
/**
 * A job still active after this long belongs to a dead worker and is retried. Handlers finish far
 * sooner: the SMTP hand-off, the only slow part, gives up after its own timeouts (see Mailer).
 */
const JOB_EXPIRE_SECONDS = 120;
const STOP_TIMEOUT_MS = 20_000;

/**
 * The durable job queue (pg-boss on the app's PostgreSQL, in its own `pgboss` schema). Every
 * process starts it, so that enrollment can schedule jobs; only `all` and `worker` processes
 * fetch them (JourneyWorker) and run pg-boss's maintenance (expiring jobs of crashed workers).
 */
@Injectable()
export class JourneyJobs implements OnModuleInit, BeforeApplicationShutdown {
  private readonly boss: PgBoss;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {
    this.boss = new PgBoss({
      connectionString: config.databaseUrl,
      application_name: 'mara-jobs',
      max: 4,
      migrate: true,
      supervise: config.processRole !== 'api',
      schedule: false,
    });
    // pg-boss reports polling and maintenance errors as events; an unhandled 'error' would crash.
    this.boss.on('error', (err) => this.logger.error({ err: loggableError(err) }, 'journey job queue error'));
  }

  async onModuleInit(): Promise<void> {
    await this.boss.start();
    const queue = {
      name: STEP_QUEUE,
      policy: 'standard' as const,
      retryLimit: 8,
      retryDelay: 5,
      retryBackoff: true,
      expireInSeconds: JOB_EXPIRE_SECONDS,
    };
    // createQueue leaves an existing queue as it is; the update brings its settings up to date.
    await this.boss.createQueue(STEP_QUEUE, queue);
    await this.boss.updateQueue(STEP_QUEUE, queue);
  }

  /**
   * Schedules steps through the caller's transaction: the jobs exist when it commits and vanish
   * if it rolls back. One statement, whatever the number of steps.
   */
  async schedule(em: EntityManager, steps: ScheduledStep[]): Promise<void> {
    if (steps.length === 0) return;
    const runner = em.queryRunner;
    if (!runner?.isTransactionActive) throw new Error('JourneyJobs.schedule must run inside a transaction');
    const jobs = steps.map((s) => ({
      name: STEP_QUEUE,
      data: { tenantId: s.tenantId, runId: s.runId, step: s.step } satisfies StepJob,
      // An interval is added to the database's now(), so app and database clocks need not agree.
      startAfter: s.delaySeconds > 0 ? `${s.delaySeconds} seconds` : undefined,
    }));
    await this.boss.insert(jobs, {
      db: { executeSql: async (text, values) => ({ rows: (await runner.query(text, values, true)).records ?? [] }) },
    });
  }

  /**
   * Starts fetching step jobs. Each job of a fetched batch succeeds or fails on its own: a failed
   * one is handed back to pg-boss for a retry (with backoff), a successful one is completed.
   * Nothing here throws out of the batch unless a failure could not be recorded (the database is
   * down): pg-boss then fails the whole batch itself (completed jobs are left alone), or, if that
   * cannot be recorded either, the jobs expire after JOB_EXPIRE_SECONDS and are retried. Steps
   * are idempotent (StepRunner), so a step whose success went unrecorded is a no-op the next time.
   */
  async work(handler: (job: StepJob) => Promise<void>): Promise<void> {
    await this.boss.work<StepJob>(
      STEP_QUEUE,
      { batchSize: BATCH_SIZE, pollingIntervalSeconds: POLLING_SECONDS },
      async (jobs) => {
        let next = 0;
        let unrecorded = 0;
        const lane = async (): Promise<void> => {
          while (next < jobs.length) {
            const job = jobs[next++];
            let failure: unknown = null;
            try {
              await handler(job.data);
            } catch (err) {
              failure = err;
            }
            if (failure === null) {
              // Left to pg-boss's completion of the batch when this cannot be recorded.
              await this.boss.complete(STEP_QUEUE, job.id).catch((err: unknown) => {
                this.logger.error({ err: loggableError(err), job: job.data }, 'could not record a journey step as done');
              });
              continue;
            }
            this.logger.warn({ err: loggableError(failure), job: job.data }, 'journey step failed; pg-boss will retry it');
            await this.boss.fail(STEP_QUEUE, job.id, { message: failure instanceof Error ? failure.message : String(failure) }).catch((err: unknown) => {
              unrecorded++;
              this.logger.error({ err: loggableError(err), job: job.data }, 'could not record a journey step failure');
            });
          }
        };
        await Promise.all(Array.from({ length: Math.min(CONCURRENCY, jobs.length) }, lane));
        // Rejecting makes pg-boss fail the batch rather than complete the unrecorded failures.
        if (unrecorded > 0) throw new Error(`${unrecorded} failed journey step(s) could not be recorded`);
      },
    );
  }

  /**
   * Runs before the HTTP server and the database pool close: workers stop fetching, steps in
   * flight finish (up to STOP_TIMEOUT_MS), then pg-boss closes its own pool. Requests still in
   * flight keep scheduling jobs: that goes through their own transaction, not through pg-boss.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.boss.stop({ graceful: true, wait: true, timeout: STOP_TIMEOUT_MS });
  }
}
