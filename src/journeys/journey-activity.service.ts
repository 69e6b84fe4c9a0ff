import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { type Page, type PageQueryDto, Paginator } from '../common/pagination.js';
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
    private readonly pages: Paginator,
  ) {}

  /** A journey's runs, newest first. */
  async listRuns(tenantId: string, journeyId: string, query: PageQueryDto): Promise<Page<RunView>> {
    await this.journeys.require(tenantId, journeyId);
    const qb = this.runs
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
    return this.pages.page(qb, query, spec, (r) => ({
      id: r.id,
      contactId: r.contactId,
      status: r.status,
      steps: r.history,
      createdAt: r.createdAt.toISOString(),
    }));
  }

  /** The tenant's email outbox, newest first. */
  async listMessages(tenantId: string, query: PageQueryDto): Promise<Page<MessageView>> {
    await this.tenants.require(tenantId);
    const qb = this.messages.createQueryBuilder('m').where('m.tenant_id = :tenantId', { tenantId });
    const spec = { scope: `messages:${tenantId}`, alias: 'm', column: 'created_at', order: 'DESC', at: (m: Message) => m.createdAt, id: (m: Message) => m.id } as const;
    return this.pages.page(qb, query, spec, (m) => ({
      id: m.id,
      journeyId: m.journeyId,
      runId: m.runId,
      contactId: m.contactId,
      to: m.to,
      subject: m.subject,
      status: m.status,
      reason: m.reason,
      createdAt: m.createdAt.toISOString(),
    }));
  }
}
