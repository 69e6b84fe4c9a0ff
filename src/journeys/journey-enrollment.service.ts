import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { WriteExtension } from '../contacts/contacts.repository.js';
import type { NewEvent } from '../contacts/events.repository.js';
import { JourneyJobs } from './journey-jobs.service.js';
import { JourneyRunsRepository } from './journey-runs.repository.js';

/**
 * What new events do to journeys, with the statement that records them (EventRecorder,
 * ContactsRepository.recordBatch), so an event, the runs it starts, their first steps' jobs and
 * the runs it ends commit or roll back together, whatever the batch size and the number of
 * journeys (docs/journeys.md#enrollment).
 */
@Injectable()
export class JourneyEnrollment {
  /**
   * The recording write's extension, for a request that creates or changes no contact: enrollment
   * and exits (JourneyRunsRepository.enrollmentSql), then the started runs' jobs, in the write.
   */
  readonly onRecording: WriteExtension;
  private readonly jobsCte: string;

  constructor(
    private readonly runs: JourneyRunsRepository,
    jobs: JourneyJobs,
  ) {
    this.jobsCte = `step_jobs AS (${jobs.scheduleSql('SELECT tenant_id, id, step, delay FROM started')})`;
    this.onRecording = { name: 'enroll', ctes: `${runs.enrollmentSql()}, ${this.jobsCte}` };
  }

  /**
   * The same, as one statement after the write, in the request's transaction: for a request that
   * creates or changes contacts (see JourneyRunsRepository.enrollAfterWrite for why).
   */
  afterWrite(em: EntityManager, tenantId: string, events: NewEvent[], receivedAt: Date): Promise<void> {
    return this.runs.enrollAfterWrite(em, tenantId, events, receivedAt, this.jobsCte);
  }
}
