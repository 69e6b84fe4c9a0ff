import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { NewEvent } from '../contacts/events.repository.js';
import { JourneyJobs } from './journey-jobs.service.js';
import { JourneyRunsRepository, type TriggeringEvent } from './journey-runs.repository.js';

/** What a batch's events did to journeys. */
export interface EnrollmentOutcome {
  started: number;
  exited: number;
}

/**
 * What new events do to journeys, inside the transaction that records them (EventRecorder), so
 * an event, the runs it starts and the runs it ends commit or roll back together.
 */
@Injectable()
export class JourneyEnrollment {
  constructor(
    private readonly runs: JourneyRunsRepository,
    private readonly jobs: JourneyJobs,
  ) {}

  /**
   * Enrolls and exits for a batch, in one statement whatever its size and the number of journeys
   * (JourneyRunsRepository.enrollAndExit: trigger conditions, event age, reentry, lock order and
   * exits are decided there; an event never exits the run it starts), plus one for the first
   * steps' jobs when runs started. None when no event has a contact, or in backfill mode:
   * backfill events neither enroll nor exit (docs/journeys.md#backfill).
   */
  async enroll(
    em: EntityManager,
    tenantId: string,
    events: NewEvent[],
    options: { receivedAt: Date; backfill?: boolean },
  ): Promise<EnrollmentOutcome> {
    if (options.backfill) return { started: 0, exited: 0 };
    const linked: TriggeringEvent[] = events.flatMap((e) =>
      e.contactId === null ? [] : [{ id: e.id, contactId: e.contactId, type: e.type, occurredAt: e.occurredAt, properties: e.properties }],
    );
    if (linked.length === 0) return { started: 0, exited: 0 };
    const { started, exited } = await this.runs.enrollAndExit(em, tenantId, linked, options.receivedAt);
    await this.jobs.schedule(
      em,
      started.map((r) => ({ tenantId, runId: r.id, step: r.step, delaySeconds: r.delaySeconds })),
    );
    return { started: started.length, exited };
  }
}
