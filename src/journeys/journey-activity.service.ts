import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { decodeCursor, type Page, type PageQueryDto, pageLimit, toPage } from '../common/pagination.js';
import { TenantsService } from '../tenants/tenants.service.js';
import type { MessageView, RunView } from './dto/activity.dto.js';
import { JourneyRun } from './journey-run.entity.js';
import { JourneysService } from './journeys.service.js';
import { Message } from './message.entity.js';

/** Admin reads of what journeys did: runs with their step history, and the email outbox. */
@Injectable()
export class JourneyActivity {
  constructor(
    @InjectRepository(JourneyRun) private readonly runs: Repository<JourneyRun>,
    @InjectRepository(Message) private readonly messages: Repository<Message>,
    private readonly journeys: JourneysService,
    private readonly tenants: TenantsService,
  ) {}

  /** A journey's runs, newest first. */
  async listRuns(tenantId: string, journeyId: string, query: PageQueryDto): Promise<Page<RunView>> {
    await this.journeys.require(tenantId, journeyId);
    const limit = pageLimit(query);
    const after = decodeCursor(query.cursor);
    const qb = this.runs
      .createQueryBuilder('r')
      .where('r.tenant_id = :tenantId AND r.journey_id = :journeyId', { tenantId, journeyId })
      .orderBy('r.created_at', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .limit(limit + 1);
    if (after) qb.andWhere('(r.created_at, r.id) < (:at, :id)', { at: after.at, id: after.id });
    const rows = await qb.getMany();
    return toPage(
      rows,
      limit,
      (r) => ({ at: r.createdAt.toISOString(), id: r.id }),
      (r) => ({ id: r.id, contactId: r.contactId, status: r.status, steps: r.history, createdAt: r.createdAt.toISOString() }),
    );
  }

  /** The tenant's email outbox, newest first. */
  async listMessages(tenantId: string, query: PageQueryDto): Promise<Page<MessageView>> {
    await this.tenants.require(tenantId);
    const limit = pageLimit(query);
    const after = decodeCursor(query.cursor);
    const qb = this.messages
      .createQueryBuilder('m')
      .where('m.tenant_id = :tenantId', { tenantId })
      .orderBy('m.created_at', 'DESC')
      .addOrderBy('m.id', 'DESC')
      .limit(limit + 1);
    if (after) qb.andWhere('(m.created_at, m.id) < (:at, :id)', { at: after.at, id: after.id });
    const rows = await qb.getMany();
    return toPage(
      rows,
      limit,
      (m) => ({ at: m.createdAt.toISOString(), id: m.id }),
      (m) => ({
        id: m.id,
        journeyId: m.journeyId,
        runId: m.runId,
        contactId: m.contactId,
        to: m.to,
        subject: m.subject,
        status: m.status,
        reason: m.reason,
        createdAt: m.createdAt.toISOString(),
      }),
    );
  }
}
