import { Injectable } from '@nestjs/common';
import { ContactsService } from '../contacts/contacts.service.js';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { mapPage, type Page, type PageQueryDto } from '../common/pagination.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { ContactsRepository } from '../contacts/contacts.repository.js';
import { EventsRepository } from '../contacts/events.repository.js';
import type { MessageView, RunView } from './dto/activity.dto.js';
import type { JourneyDecision, JourneyDecisionList } from './dto/decisions.dto.js';
import type { FieldCondition } from './dto/journey.dto.js';
import { fieldConditionHolds } from './conditions.js';
import { JourneyError, JourneyErrorCode } from './journey.errors.js';
import { JourneyRunsRepository } from './journey-runs.repository.js';
import { JourneysRepository } from './journeys.repository.js';
import { JourneysService } from './journeys.service.js';
import { MessagesRepository } from './messages.repository.js';
import { messageView, runView } from './views.js';

/** Admin reads of what journeys did: runs with their step history, and the email outbox. */
@Injectable()
export class JourneyActivity {
  constructor(
    private readonly runs: JourneyRunsRepository,
    private readonly messages: MessagesRepository,
    private readonly journeys: JourneysService,
    private readonly tenants: TenantsService,
    private readonly contactRecords: ContactsService,
    private readonly definitions: JourneysRepository,
    private readonly events: EventsRepository,
    private readonly contacts: ContactsRepository,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /** A journey's runs, newest first. */
  async listRuns(tenantId: string, journeyId: string, query: PageQueryDto): Promise<Page<RunView>> {
    await this.journeys.require(tenantId, journeyId);
    return mapPage(await this.runs.page(tenantId, journeyId, query), runView);
  }

  /** One run with its trigger, step records and exit reason (docs/journeys.md#runs). */
  async getRun(tenantId: string, journeyId: string, runId: string): Promise<RunView> {
    await this.journeys.require(tenantId, journeyId);
    const run = await this.runs.findOne(tenantId, journeyId, runId);
    if (!run) throw new JourneyError(JourneyErrorCode.RunNotFound, 'run not found');
    return runView(run);
  }

  /**
   * Why (not), docs/journeys.md#why-not: for each journey triggered by the event's type, the
   * first decision that applies, in the documented order, computed from what is stored now
   * (the event, its runs, the contact as it is, the journeys' definitions). A journey that is
   * active now, for which none applies, was not active when the event arrived: `not_active`.
   */
  async explain(tenantId: string, eventId: string): Promise<JourneyDecisionList> {
    await this.tenants.require(tenantId);
    const event = await this.events.findStored(tenantId, eventId);
    if (!event) throw new JourneyError(JourneyErrorCode.EventNotFound, 'event not found');
    const journeys = await this.definitions.findByTriggerType(tenantId, event.type);
    const started = await this.runs.startedBy(tenantId, eventId, event.contactId);
    const contact = event.contactId ? await this.contacts.findRecipient(this.db.manager, tenantId, event.contactId) : null;
    const earlier =
      event.contactId && contact
        ? await this.runs.firstRunsOf(tenantId, event.contactId, journeys.filter((j) => j.reentry === 'once').map((j) => j.id))
        : new Map<string, string>();
    const ageSeconds = (event.receivedAt.getTime() - event.occurredAt.getTime()) / 1000;
    const items = journeys.map((j): JourneyDecision => {
      const base = { journeyId: j.id, name: j.name };
      const runId = started.get(j.id);
      if (runId) return { ...base, decision: 'enrolled', runId };
      if (event.backfill) return { ...base, decision: 'backfill' };
      if (j.status !== 'active') return { ...base, decision: 'not_active' };
      if (ageSeconds > j.maxEventAgeSeconds) return { ...base, decision: 'too_old' };
      if (contact) {
        const subject = { contact, event: { properties: event.properties } };
        const failed = (j.triggerWhere as FieldCondition[]).find((c) => !fieldConditionHolds(c, subject));
        if (failed) return { ...base, decision: 'filtered', condition: failed };
      }
      const before = earlier.get(j.id);
      if (before) return { ...base, decision: 'reentry_once', runId: before };
      return { ...base, decision: 'not_active' };
    });
    return { items };
  }

  /** The tenant's email outbox, newest first. */
  async listMessages(tenantId: string, query: PageQueryDto): Promise<Page<MessageView>> {
    await this.tenants.require(tenantId);
    return mapPage(await this.messages.page(tenantId, query), messageView);
  }

  /** One contact's runs of every journey, newest first (404 for an unknown tenant or contact). */
  async listContactRuns(tenantId: string, contactId: string, query: PageQueryDto): Promise<Page<RunView>> {
    await this.contactRecords.require(tenantId, contactId);
    return mapPage(await this.runs.listOfContact(tenantId, contactId, query), runView);
  }

  /** One contact's emails, newest first (404 for an unknown tenant or contact). */
  async listContactMessages(tenantId: string, contactId: string, query: PageQueryDto): Promise<Page<MessageView>> {
    await this.contactRecords.require(tenantId, contactId);
    return mapPage(await this.messages.listOfContact(tenantId, contactId, query), messageView);
  }
}
