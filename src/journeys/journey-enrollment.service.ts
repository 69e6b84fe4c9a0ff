import { Injectable } from '@nestjs/common';
import type { WriteExtension } from '../contacts/contacts.repository.js';
import { JourneyJobs } from './journey-jobs.service.js';
import { JourneyRunsRepository } from './journey-runs.repository.js';

/**
 * What new events do to journeys, as part of the statement that records them (EventRecorder,
 * ContactsRepository.recordBatch), so an event, the runs it starts, their first steps' jobs and
 * the runs it ends commit or roll back together, in one statement whatever the batch size and
 * the number of journeys (docs/journeys.md#enrollment).
 */
@Injectable()
export class JourneyEnrollment {
  /** The recording write's extension: enrollment and exits (JourneyRunsRepository.enrollmentSql), then the started runs' jobs. */
  readonly onRecording: WriteExtension;

  constructor(runs: JourneyRunsRepository, jobs: JourneyJobs) {
    this.onRecording = {
      name: 'enroll',
      ctes: `${runs.enrollmentSql()}, step_jobs AS (${jobs.scheduleSql('SELECT tenant_id, id, step, delay FROM started')})`,
    };
  }
}
