import { Injectable } from '@nestjs/common';
import { ContactsService } from '../contacts/contacts.service.js';
import { mapPage, type Page, type PageQueryDto } from '../common/pagination.js';
import { TenantsService } from '../tenants/tenants.service.js';
import type { MessageView, RunView } from './dto/activity.dto.js';
import { JourneyRunsRepository } from './journey-runs.repository.js';
import { JourneysService } from './journeys.service.js';
import { MessagesRepository } from './messages.repository.js';

/** Admin reads of what journeys did: runs with their step history, and the email outbox. */
@Injectable()
export class JourneyActivity {
  constructor(
    private readonly runs: JourneyRunsRepository,
    private readonly messages: MessagesRepository,
    private readonly journeys: JourneysService,
    private readonly tenants: TenantsService,
    private readonly contacts: ContactsService,
  ) {}

  /** A journey's runs, newest first. */
  async listRuns(tenantId: string, journeyId: string, query: PageQueryDto): Promise<Page<RunView>> {
    await this.journeys.require(tenantId, journeyId);
    return mapPage(await this.runs.page(tenantId, journeyId, query), (r) => ({
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
    return mapPage(await this.messages.page(tenantId, query), (m) => ({
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

  /** One contact's runs of every journey, newest first (404 for an unknown tenant or contact). */
  async listContactRuns(tenantId: string, contactId: string, query: PageQueryDto): Promise<Page<RunView>> {
    await this.contacts.require(tenantId, contactId);
    const page = await this.runs.pageOfContact(tenantId, contactId, query);
    return mapPage(page, (r) => ({
      id: r.id,
      contactId: r.contactId,
      status: r.status,
      steps: r.history,
      createdAt: r.createdAt.toISOString(),
    }));
  }

  /** One contact's emails, newest first (404 for an unknown tenant or contact). */
  async listContactMessages(tenantId: string, contactId: string, query: PageQueryDto): Promise<Page<MessageView>> {
    await this.contacts.require(tenantId, contactId);
    return mapPage(await this.messages.pageOfContact(tenantId, contactId, query), (m) => ({
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
