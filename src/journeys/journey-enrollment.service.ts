import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { NewEvent } from '../contacts/events.repository.js';
import { JourneyJobs } from './journey-jobs.service.js';

/**
 * Enrolls contacts in the active journeys their new events trigger, inside the transaction that
 * records the events (EventRecorder), so an event and its runs commit or roll back together.
 */
@Injectable()
export class JourneyEnrollment {
  constructor(private readonly jobs: JourneyJobs) {}

  /**
   * Two statements per batch whatever its size (one when nothing matches): the runs, inserted
   * from the events joined with the matching active journeys, then their first steps' jobs.
   * Reentry is the unique index's call: a `once` run carries the contact id as once_key, so a
   * second run of the same contact (in this batch, or in a concurrent request on any instance)
   * conflicts and is not inserted. Rows go in (journey, contact) order, so that concurrent
   * requests wait on each other's once_key in one order (never in a cycle); within one contact
   * and journey, events are taken in batch order, so the first one wins.
   * Returns the number of runs started.
   */
  async enroll(em: EntityManager, tenantId: string, events: NewEvent[]): Promise<number> {
    const linked = events.filter((e) => e.contactId !== null);
    if (linked.length === 0) return 0;
    const runs: Array<{ id: string }> = await em.query(
      `INSERT INTO journey_runs
              (tenant_id, id, journey_id, contact_id, event_id, once_key, status, current_step, definition, history)
       SELECT $1, gen_random_uuid(), j.id, e.contact_id, e.id,
              CASE WHEN j.reentry = 'once' THEN e.contact_id END, 'active', 0, j.steps, '[]'::jsonb
         FROM unnest($2::uuid[], $3::uuid[], $4::text[]) WITH ORDINALITY AS e(id, contact_id, type, n)
         JOIN journeys j ON j.tenant_id = $1 AND j.trigger_event_type = e.type AND j.status = 'active'
        ORDER BY j.id, e.contact_id, e.n
       ON CONFLICT (tenant_id, journey_id, once_key) DO NOTHING
       RETURNING id`,
      [tenantId, linked.map((e) => e.id), linked.map((e) => e.contactId), linked.map((e) => e.type)],
    );
    await this.jobs.schedule(
      em,
      runs.map((r) => ({ tenantId, runId: r.id, step: 0, delaySeconds: 0 })),
    );
    return runs.length;
  }
}
