import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { NewEvent } from '../contacts/events.repository.js';
import { JourneyJobs } from './journey-jobs.service.js';
import { JourneyRunsRepository } from './journey-runs.repository.js';

/**
 * Enrolls contacts in the active journeys their new events trigger, inside the transaction that
 * records the events (EventRecorder), so an event and its runs commit or roll back together.
 */
@Injectable()
export class JourneyEnrollment {
  constructor(
    private readonly runs: JourneyRunsRepository,
    private readonly jobs: JourneyJobs,
  ) {}

  /**
   * Two statements per batch whatever its size (none when no event has a contact, one when
   * nothing matches): the runs (JourneyRunsRepository.enroll: reentry and lock order are decided
   * there), then their first steps' jobs. Returns the number of runs started.
   */
  async enroll(em: EntityManager, tenantId: string, events: NewEvent[]): Promise<number> {
    const linked = events.flatMap((e) => (e.contactId === null ? [] : [{ id: e.id, contactId: e.contactId, type: e.type }]));
    if (linked.length === 0) return 0;
    const runIds = await this.runs.enroll(em, tenantId, linked);
    await this.jobs.schedule(
      em,
      runIds.map((runId) => ({ tenantId, runId, step: 0, delaySeconds: 0 })),
    );
    return runIds.length;
  }
}
