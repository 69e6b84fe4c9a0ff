import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In } from 'typeorm';
import { type Page, type PageQueryDto, Paginator } from '../common/pagination.js';
import type { Condition, JourneyStatus, JourneyStep } from './dto/journey.dto.js';
import { triggerPaths } from './conditions.js';
import { Journey } from './journey.entity.js';

/** What an edit may change on a journey. */
export type JourneyChanges = Pick<
  Journey,
  'name' | 'triggerEventType' | 'triggerWhere' | 'reentry' | 'exitOn' | 'maxEventAgeSeconds' | 'steps' | 'updatedAt'
>;

/** A `where`'s compiled form, written with it (Journey#triggerEventPath). */
function compiled(where: Condition[]): Pick<Journey, 'triggerEventPath' | 'triggerContactPath' | 'triggerVars'> {
  const paths = triggerPaths(where);
  return { triggerEventPath: paths.eventPath, triggerContactPath: paths.contactPath, triggerVars: paths.vars };
}

/** Journey definitions (`journeys`); the only code that writes the table. */
@Injectable()
export class JourneysRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly pages: Paginator,
  ) {}

  private get journeys() {
    return this.dataSource.getRepository(Journey);
  }

  async insert(journey: Journey): Promise<void> {
    await this.journeys.insert(Object.assign(journey, compiled(journey.triggerWhere)));
  }

  /** A tenant's journeys, oldest first. */
  page(tenantId: string, query: PageQueryDto): Promise<Page<Journey>> {
    const qb = this.journeys.createQueryBuilder('j').where('j.tenant_id = :tenantId', { tenantId });
    const spec = { scope: `journeys:${tenantId}`, alias: 'j', column: 'created_at', order: 'ASC', at: (j: Journey) => j.createdAt, id: (j: Journey) => j.id } as const;
    return this.pages.page(qb, query, spec, (j) => j);
  }

  /** The tenant's journeys triggered by `eventType`, whatever their status, oldest first. */
  findByTriggerType(tenantId: string, eventType: string): Promise<Journey[]> {
    return this.journeys.find({ where: { tenantId, triggerEventType: eventType }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  findById(tenantId: string, journeyId: string): Promise<Journey | null> {
    return this.journeys.findOneBy({ tenantId, id: journeyId });
  }

  /** Applies an edit if the journey still has `status` (so a concurrent approve is not overwritten). */
  async updateIfStatus(tenantId: string, journeyId: string, status: JourneyStatus, changes: JourneyChanges): Promise<boolean> {
    const result = await this.journeys.update({ tenantId, id: journeyId, status }, { ...changes, ...compiled(changes.triggerWhere) });
    return result.affected === 1;
  }

  /** Moves the journey to `to` if its status is one of `from` (two concurrent transitions cannot both apply). */
  async transition(tenantId: string, journeyId: string, from: JourneyStatus[], to: JourneyStatus, at: Date): Promise<boolean> {
    const result = await this.journeys.update({ tenantId, id: journeyId, status: In(from) }, { status: to, updatedAt: at });
    return result.affected === 1;
  }

  /**
   * The draft seeded under `seedKey`, inserted unless it exists: the unique (tenant_id, seed_key)
   * index, not a lookup, keeps a repeat (or a concurrent request) from adding a second one.
   * Answers the journey's id, new or existing. In the caller's transaction.
   */
  async seedDraft(
    em: EntityManager,
    draft: { tenantId: string; id: string; seedKey: string; name: string; triggerEventType: string; steps: JourneyStep[] },
  ): Promise<string> {
    const inserted: Array<{ id: string }> = await em.query(
      `INSERT INTO journeys (tenant_id, id, name, status, trigger_event_type, reentry, steps, seed_key)
       VALUES ($1, $2, $3, 'draft', $4, 'once', $5::jsonb, $6)
       ON CONFLICT (tenant_id, seed_key) DO NOTHING RETURNING id`,
      [draft.tenantId, draft.id, draft.name, draft.triggerEventType, JSON.stringify(draft.steps), draft.seedKey],
    );
    if (inserted[0]) return inserted[0].id;
    const [existing]: Array<{ id: string }> = await em.query('SELECT id FROM journeys WHERE tenant_id = $1 AND seed_key = $2', [
      draft.tenantId,
      draft.seedKey,
    ]);
    return existing.id;
  }
}
