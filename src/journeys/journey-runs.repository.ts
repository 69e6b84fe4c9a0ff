import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type Page, type PageQueryDto, Paginator } from '../common/pagination.js';
import type { RunStatus, StepRecord } from './dto/activity.dto.js';
import type { JourneyStep } from './dto/journey.dto.js';
import { JourneyRun } from './journey-run.entity.js';

/** A new event that may start runs. */
export interface TriggeringEvent {
  id: string;
  contactId: string;
  type: string;
}

/** A run as its step job reads it, row-locked. */
export interface LockedRunRow {
  journeyId: string;
  contactId: string;
  eventId: string;
  status: RunStatus;
  currentStep: number;
  definition: JourneyStep[];
}

/** Journey runs (`journey_runs`) and their step history; the only code that writes the table. */
@Injectable()
export class JourneyRunsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly pages: Paginator,
  ) {}

  /**
   * Starts the runs a batch of new events triggers, in one statement whatever the batch size:
   * the events joined with the tenant's active journeys on their trigger. Reentry is the unique
   * index's call: a `once` run carries the contact id as once_key, so a second run of the same
   * contact (in this batch, or in a concurrent request on any instance) conflicts and is not
   * inserted. Rows go in (journey, contact) order, so that concurrent requests wait on each
   * other's once_key in one order (never in a cycle); within one contact and journey, events are
   * taken in batch order, so the first one wins. Answers the new runs' ids.
   */
  async enroll(em: EntityManager, tenantId: string, events: TriggeringEvent[]): Promise<string[]> {
    if (events.length === 0) return [];
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
      [tenantId, events.map((e) => e.id), events.map((e) => e.contactId), events.map((e) => e.type)],
    );
    return runs.map((r) => r.id);
  }

  /** The run, row-locked for the rest of the caller's transaction; null when there is none. */
  async lock(em: EntityManager, tenantId: string, runId: string): Promise<LockedRunRow | null> {
    const [row]: Array<{
      journey_id: string;
      contact_id: string;
      event_id: string;
      status: RunStatus;
      current_step: number;
      definition: JourneyStep[];
    }> = await em.query(
      `SELECT journey_id, contact_id, event_id, status, current_step, definition
         FROM journey_runs WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
      [tenantId, runId],
    );
    if (!row) return null;
    return {
      journeyId: row.journey_id,
      contactId: row.contact_id,
      eventId: row.event_id,
      status: row.status,
      currentStep: row.current_step,
      definition: row.definition,
    };
  }

  /** Appends a step's record to the run's history and sets where the run stands. */
  async advance(em: EntityManager, tenantId: string, runId: string, record: StepRecord, currentStep: number, status: RunStatus): Promise<void> {
    await em.query(
      `UPDATE journey_runs SET history = history || $3::jsonb, current_step = $4, status = $5, updated_at = now()
        WHERE tenant_id = $1 AND id = $2`,
      [tenantId, runId, JSON.stringify([record]), currentStep, status],
    );
  }

  /** A journey's runs, newest first. */
  page(tenantId: string, journeyId: string, query: PageQueryDto): Promise<Page<JourneyRun>> {
    const qb = this.dataSource
      .getRepository(JourneyRun)
      .createQueryBuilder('r')
      .where('r.tenant_id = :tenantId AND r.journey_id = :journeyId', { tenantId, journeyId });
    const spec = {
      scope: `runs:${tenantId}:${journeyId}`,
      alias: 'r',
      column: 'created_at',
      order: 'DESC',
      at: (r: JourneyRun) => r.createdAt,
      id: (r: JourneyRun) => r.id,
    } as const;
    return this.pages.page(qb, query, spec, (r) => r);
  }

  /** One contact's runs of every journey, newest first. */
  pageOfContact(tenantId: string, contactId: string, query: PageQueryDto): Promise<Page<JourneyRun>> {
    const qb = this.dataSource
      .getRepository(JourneyRun)
      .createQueryBuilder('r')
      .where('r.tenant_id = :tenantId AND r.contact_id = :contactId', { tenantId, contactId });
    const spec = {
      scope: `contact-runs:${tenantId}:${contactId}`,
      alias: 'r',
      column: 'created_at',
      order: 'DESC',
      at: (r: JourneyRun) => r.createdAt,
      id: (r: JourneyRun) => r.id,
    } as const;
    return this.pages.page(qb, query, spec, (r) => r);
  }
}
