import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { deadLetterOf, givenUpReason, JobQueue } from '../jobs/job-queue.service.js';

/** pg-boss queue of journey steps: one job executes one step of one run. */
export const STEP_QUEUE = 'journey-step';

export interface StepJob {
  tenantId: string;
  runId: string;
  /** Ordinal of the step in the run: how many step records come before it (the run's current_step). */
  step: number;
}

export interface ScheduledStep extends StepJob {
  /** 0: as soon as a worker is free; otherwise a wait step's seconds (or an SMTP retry's delay). */
  delaySeconds: number;
}

/** Jobs a worker fetches at once, and how many of them run side by side. */
const BATCH_SIZE = 20;
const CONCURRENCY = 4;
const POLLING_SECONDS = 1;

/**
 * The longest a live SMTP attempt can take: connecting and the greeting (SMTP_TIMEOUT_SECONDS
 * each), then up to twice that of socket silence, twice over, and a margin. A `sending` outbox
 * row older than this belongs to an attempt that died; a step job active for longer belongs to a
 * dead worker. 150 s with the default 20 s timeout.
 */
export function longestSendSeconds(config: Pick<AppConfig, 'smtpTimeoutSeconds'>): number {
  return 6 * config.smtpTimeoutSeconds + 30;
}

/**
 * The journey step queue on the shared JobQueue: scheduling inside the caller's transaction, and
 * in `all` and `worker` processes, the workers (JourneyWorker) and the dead-letter handler.
 */
@Injectable()
export class JourneyJobs implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queue: JobQueue,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.queue.declare({ name: STEP_QUEUE, expireInSeconds: Math.max(120, longestSendSeconds(this.config)) });
  }

  /**
   * Schedules steps through the caller's transaction: the jobs exist when it commits and vanish
   * if it rolls back. One statement, whatever the number of steps.
   */
  async schedule(em: EntityManager, steps: ScheduledStep[]): Promise<void> {
    await this.queue.insertIn(
      em,
      steps.map((s) => ({
        name: STEP_QUEUE,
        data: { tenantId: s.tenantId, runId: s.runId, step: s.step } satisfies StepJob,
        delaySeconds: s.delaySeconds,
      })),
    );
  }

  /**
   * The step jobs of `runs` (SQL yielding `tenant_id, id, step, delay`) as a data-modifying CTE's
   * statement: JourneyEnrollment puts it on the recording write, so the first steps' jobs commit
   * with the runs that enrollment starts, in the same statement.
   */
  scheduleSql(runs: string): string {
    return this.queue.insertSql(
      STEP_QUEUE,
      `SELECT jsonb_build_object('tenantId', r.tenant_id, 'runId', r.id, 'step', r.step) AS data, r.delay AS delay_seconds FROM (${runs}) r`,
    );
  }

  /** Starts fetching step jobs; a step that throws is retried by pg-boss, with backoff. */
  async work(handler: (job: StepJob) => Promise<void>): Promise<void> {
    await this.queue.work<StepJob>(
      STEP_QUEUE,
      { batchSize: BATCH_SIZE, concurrency: CONCURRENCY, pollingIntervalSeconds: POLLING_SECONDS },
      (job) => handler(job.data),
    );
  }

  /**
   * Steps whose job failed every attempt (or whose worker died on the last one): `handler` closes
   * the run, with the job's last error as the reason.
   */
  async workGivenUp(handler: (job: StepJob, reason: string) => Promise<void>): Promise<void> {
    await this.queue.work<StepJob>(
      deadLetterOf(STEP_QUEUE),
      { batchSize: 10, concurrency: 1, pollingIntervalSeconds: 5 },
      (job) => handler(job.data, givenUpReason(job)),
    );
  }
}
