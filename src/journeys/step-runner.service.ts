import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { RunStatus, StepRecord } from './dto/activity.dto.js';
import type { JourneyStep } from './dto/journey.dto.js';
import { EmailOutbox, type RunRef } from './email-outbox.service.js';
import { JourneyJobs, type StepJob } from './journey-jobs.service.js';
import { JourneyRunsRepository } from './journey-runs.repository.js';
import type { OutgoingEmail } from './mailer.service.js';

interface LockedRun extends RunRef {
  definition: JourneyStep[];
}

/**
 * Executes one step of one run per job. Every job may be delivered more than once (pg-boss
 * retries, expired jobs of dead workers): the run row, locked, says which step is due, and a
 * job for any other step does nothing. A step's effects, its history entry and the next step's
 * job commit in one transaction; only an SMTP hand-off happens between two (EmailOutbox).
 */
@Injectable()
export class StepRunner {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly jobs: JourneyJobs,
    private readonly outbox: EmailOutbox,
    private readonly runs: JourneyRunsRepository,
  ) {}

  async run(job: StepJob): Promise<void> {
    const delivery = await this.dataSource.transaction(async (em): Promise<{ email: OutgoingEmail; index: number } | null> => {
      const run = await this.lockDueRun(em, job);
      if (!run) return null;
      const step = run.definition[job.step];
      switch (step.type) {
        case 'wait': {
          const at = new Date();
          const until = new Date(at.getTime() + step.seconds * 1000);
          await this.advance(em, run, {
            index: job.step,
            type: 'wait',
            status: 'scheduled',
            at: at.toISOString(),
            seconds: step.seconds,
            until: until.toISOString(),
          });
          return null;
        }
        case 'send_email': {
          const prepared = await this.outbox.prepare(em, run, job.step, step);
          if (prepared.kind === 'settled') {
            await this.advance(em, run, prepared.record);
            return null;
          }
          return prepared.kind === 'deliver' ? prepared : null;
        }
      }
    });
    if (!delivery) return;

    const outcome = await this.outbox.deliver(delivery.email);
    await this.dataSource.transaction(async (em) => {
      const run = await this.lockDueRun(em, job);
      const finished = await this.outbox.finish(em, job.tenantId, delivery.index, delivery.email, outcome, run !== null);
      if (!run) return;
      // A deferred send: this step's job again, after the retry delay; the run stays active.
      if (finished.kind === 'retry') {
        await this.jobs.schedule(em, [{ tenantId: run.tenantId, runId: run.id, step: job.step, delaySeconds: finished.delaySeconds }]);
      } else {
        await this.advance(em, run, finished.record);
      }
    });
  }

  /**
   * A step whose job failed every attempt (pg-boss's dead letter), or whose worker died on the
   * last one: the run is failed with the step's record, rather than left active for ever. A send
   * that did complete (only the bookkeeping after it kept failing) moves the run on as usual.
   */
  async giveUp(job: StepJob, reason: string): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const run = await this.lockDueRun(em, job);
      if (!run) return;
      const step = run.definition[job.step];
      const at = new Date().toISOString();
      switch (step.type) {
        case 'wait':
          await this.advance(em, run, { index: job.step, type: 'wait', status: 'failed', at, seconds: step.seconds, reason });
          return;
        case 'send_email': {
          const closed = await this.outbox.giveUp(em, run, job.step, reason);
          await this.advance(em, run, closed ?? { index: job.step, type: 'send_email', status: 'failed', at, messageId: null, reason });
          return;
        }
      }
    });
  }

  /** The run, locked, when `job` is its due step; null for a stale or repeated job. */
  private async lockDueRun(em: EntityManager, job: StepJob): Promise<LockedRun | null> {
    const row = await this.runs.lock(em, job.tenantId, job.runId);
    if (!row || row.status === 'completed' || row.status === 'failed' || row.currentStep !== job.step) return null;
    if (!row.definition[job.step]) return null;
    return {
      tenantId: job.tenantId,
      id: job.runId,
      journeyId: row.journeyId,
      contactId: row.contactId,
      eventId: row.eventId,
      definition: row.definition,
    };
  }

  /**
   * Appends the step's history entry and moves the run on: the next step's job (after the wait,
   * for a wait step), or the end. A failed step ends the run: after a failed send, later steps
   * often build on the email that did not go out. A blocked send does not: the contact may
   * become reachable.
   */
  private async advance(em: EntityManager, run: LockedRun, record: StepRecord): Promise<void> {
    const failed = record.status === 'failed';
    const next = record.index + 1;
    const more = !failed && next < run.definition.length;
    const status: RunStatus = failed ? 'failed' : !more ? 'completed' : record.type === 'wait' ? 'waiting' : 'active';
    await this.runs.advance(em, run.tenantId, run.id, record, more ? next : record.index, status);
    if (more) {
      const delaySeconds = record.type === 'wait' && record.status === 'scheduled' ? record.seconds : 0;
      await this.jobs.schedule(em, [{ tenantId: run.tenantId, runId: run.id, step: next, delaySeconds }]);
    }
  }
}
