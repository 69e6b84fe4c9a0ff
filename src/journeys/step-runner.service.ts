import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { FieldSanitizer } from '../common/ports.js';
import { ContactsRepository } from '../contacts/contacts.repository.js';
import { EventsRepository } from '../contacts/events.repository.js';
import type { BranchStepRecord, RunStatus, StepRecord } from './dto/activity.dto.js';
import type { JourneyStep } from './dto/journey.dto.js';
import { fieldConditionHolds, pathAfter, pathIntoBranch, stepAt } from './conditions.js';
import { EmailOutbox, type RunRef } from './email-outbox.service.js';
import { JourneyJobs, type StepJob } from './journey-jobs.service.js';
import { JourneyRunsRepository } from './journey-runs.repository.js';
import type { OutgoingEmail } from './mailer.service.js';

interface LockedRun extends RunRef {
  definition: JourneyStep[];
  /** The due step's ordinal: the number of records before it (its job's `step`). */
  ordinal: number;
  createdAt: Date;
}

/**
 * Executes one step of one run per job. Every job may be delivered more than once (pg-boss
 * retries, expired jobs of dead workers): the run row, locked, says which step is due (its
 * ordinal and its path), and a job for any other step, or for a run that ended (completed,
 * exited, failed), does nothing. A step's effects, its history entry and the next step's job
 * commit in one transaction; only an SMTP hand-off happens between two (EmailOutbox).
 */
@Injectable()
export class StepRunner {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly jobs: JourneyJobs,
    private readonly outbox: EmailOutbox,
    private readonly runs: JourneyRunsRepository,
    private readonly contacts: ContactsRepository,
    private readonly events: EventsRepository,
    private readonly sanitizer: FieldSanitizer,
  ) {}

  async run(job: StepJob): Promise<void> {
    const delivery = await this.dataSource.transaction(async (em): Promise<{ email: OutgoingEmail; path: string } | null> => {
      const run = await this.lockDueRun(em, job);
      if (!run) return null;
      const step = stepAt(run.definition, run.path)!;
      const at = new Date();
      switch (step.type) {
        case 'wait': {
          const until = new Date(at.getTime() + step.seconds * 1000);
          await this.advance(em, run, {
            path: run.path,
            type: 'wait',
            status: 'scheduled',
            at: at.toISOString(),
            seconds: step.seconds,
            until: until.toISOString(),
          });
          return null;
        }
        case 'send_email': {
          const prepared = await this.outbox.prepare(em, run, run.ordinal, step);
          if (prepared.kind === 'settled') {
            await this.advance(em, run, prepared.record);
            return null;
          }
          return prepared.kind === 'deliver' ? prepared : null;
        }
        case 'branch': {
          const record = await this.evaluateBranch(em, run, step.if, at);
          await this.advance(em, run, record, pathIntoBranch(run.definition, run.path, record.status));
          return null;
        }
        case 'update_contact': {
          // Sanitized like identify traits (docs/sanitization.md): what is dropped is dropped silently.
          const { values } = this.sanitizer.sanitize(step.attributes, 'attributes');
          if (Object.keys(values).length > 0) await this.contacts.mergeAttributes(em, run.tenantId, run.contactId, values);
          await this.advance(em, run, { path: run.path, type: 'update_contact', status: 'applied', at: at.toISOString() });
          return null;
        }
      }
    });
    if (!delivery) return;

    const outcome = await this.outbox.deliver(delivery.email);
    await this.dataSource.transaction(async (em) => {
      const run = await this.lockDueRun(em, job);
      const finished = await this.outbox.finish(em, job.tenantId, delivery.path, delivery.email, outcome, run !== null);
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
      const step = stepAt(run.definition, run.path)!;
      const at = new Date().toISOString();
      switch (step.type) {
        case 'wait':
          await this.advance(em, run, { path: run.path, type: 'wait', status: 'failed', at, seconds: step.seconds, reason });
          return;
        case 'send_email': {
          const closed = await this.outbox.giveUp(em, run, run.ordinal, reason);
          await this.advance(em, run, closed ?? { path: run.path, type: 'send_email', status: 'failed', at, messageId: null, reason });
          return;
        }
        case 'branch':
        case 'update_contact':
          await this.runs.fail(em, run.tenantId, run.id);
          return;
      }
    });
  }

  /**
   * A branch's conditions, judged now (docs/journeys.md#steps): field conditions on the contact
   * as it is and on the triggering event, `performed` on the contact's events since the run began.
   */
  private async evaluateBranch(
    em: EntityManager,
    run: LockedRun,
    conditions: Extract<JourneyStep, { type: 'branch' }>['if'],
    at: Date,
  ): Promise<BranchStepRecord> {
    const contact = (await this.contacts.findRecipient(em, run.tenantId, run.contactId))!;
    const event = await this.events.findById(em, run.tenantId, run.eventId);
    const subject = { contact, event };
    const results: BranchStepRecord['conditions'] = [];
    for (const condition of conditions) {
      let result: boolean;
      if ('performed' in condition) {
        const done = await this.events.performedSince(em, run.tenantId, run.contactId, condition.performed, run.createdAt, run.eventId);
        result = condition.op === 'exists' ? done : !done;
      } else {
        result = fieldConditionHolds(condition, subject);
      }
      results.push({ condition, result });
    }
    return {
      path: run.path,
      type: 'branch',
      status: results.every((r) => r.result) ? 'then' : 'else',
      at: at.toISOString(),
      conditions: results,
    };
  }

  /** The run, locked, when `job` is its due step; null for a stale or repeated job, or a run that ended. */
  private async lockDueRun(em: EntityManager, job: StepJob): Promise<LockedRun | null> {
    const row = await this.runs.lock(em, job.tenantId, job.runId);
    if (!row || (row.status !== 'active' && row.status !== 'waiting') || row.currentStep !== job.step) return null;
    if (!stepAt(row.definition, row.currentPath)) return null;
    return {
      tenantId: job.tenantId,
      id: job.runId,
      journeyId: row.journeyId,
      contactId: row.contactId,
      eventId: row.eventId,
      path: row.currentPath,
      ordinal: row.currentStep,
      definition: row.definition,
      createdAt: row.createdAt,
    };
  }

  /**
   * Appends the step's history entry and moves the run on: the next step's job (after the wait,
   * for a wait step), or the end. `next` is where a branch leads; for other steps, the step after
   * this one. A failed step ends the run: after a failed send, later steps often build on the
   * email that did not go out. A blocked send does not: the contact may become reachable.
   */
  private async advance(
    em: EntityManager,
    run: LockedRun,
    record: StepRecord,
    next: string | null = pathAfter(run.definition, run.path),
  ): Promise<void> {
    const failed = record.status === 'failed';
    const more = !failed && next !== null;
    const status: RunStatus = failed ? 'failed' : !more ? 'completed' : record.type === 'wait' ? 'waiting' : 'active';
    const ordinal = run.ordinal + 1;
    await this.runs.advance(em, run.tenantId, run.id, record, more ? { ordinal, path: next } : null, status);
    if (more) {
      const delaySeconds = record.type === 'wait' && record.status === 'scheduled' ? record.seconds : 0;
      await this.jobs.schedule(em, [{ tenantId: run.tenantId, runId: run.id, step: ordinal, delaySeconds }]);
    }
  }
}
