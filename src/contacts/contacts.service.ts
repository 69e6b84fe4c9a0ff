import { Injectable } from '@nestjs/common';
import { notFound } from '../common/errors.js';
import { mapPage, type Page, type PageQueryDto } from '../common/pagination.js';
import { CONNECTORS } from '../common/vocabulary.js';
import { TenantsService } from '../tenants/tenants.service.js';
import type { ContactEvent } from './contact-event.entity.js';
import type { Contact, ConsentStatus } from './contact.entity.js';
import { ContactsRepository } from './contacts.repository.js';
import type {
  ContactEventView,
  ContactsQueryDto,
  ContactView,
  ConnectorHealth,
  IngestionHealthView,
} from './dto/contacts.dto.js';
import { EventsRepository } from './events.repository.js';

/** Admin reads: contacts, their timelines, and per-connector ingestion health. */
@Injectable()
export class ContactsService {
  constructor(
    private readonly contacts: ContactsRepository,
    private readonly events: EventsRepository,
    private readonly tenants: TenantsService,
  ) {}

  view(c: Contact): ContactView {
    return {
      id: c.id,
      externalId: c.externalId,
      email: c.email,
      name: c.name,
      attributes: c.attributes,
      consent: c.consent,
      createdAt: c.createdAt.toISOString(),
      updatedAt: c.updatedAt.toISOString(),
    };
  }

  eventView(e: ContactEvent): ContactEventView {
    return {
      id: e.id,
      type: e.type,
      properties: e.properties,
      occurredAt: e.occurredAt.toISOString(),
      receivedAt: e.receivedAt.toISOString(),
      messageId: e.messageId,
      source: e.source,
      backfill: e.backfill,
    };
  }

  async list(tenantId: string, query: ContactsQueryDto): Promise<Page<ContactView>> {
    await this.tenants.require(tenantId);
    const filter = { email: query.email ? query.email.trim().toLowerCase() : undefined, externalId: query.externalId };
    return mapPage(await this.contacts.page(tenantId, filter, query), (c) => this.view(c));
  }

  async require(tenantId: string, contactId: string): Promise<Contact> {
    await this.tenants.require(tenantId);
    const contact = await this.contacts.findById(tenantId, contactId);
    if (!contact) throw notFound('contact');
    return contact;
  }

  async get(tenantId: string, contactId: string): Promise<ContactView> {
    return this.view(await this.require(tenantId, contactId));
  }

  /** The contact's timeline, newest first. */
  async timeline(tenantId: string, contactId: string, query: PageQueryDto): Promise<Page<ContactEventView>> {
    await this.require(tenantId, contactId);
    return mapPage(await this.events.page(tenantId, contactId, query), (e) => this.eventView(e));
  }

  /**
   * Sets lifecycle consent (docs/data-rights.md#consent): the only way a withdrawn consent is
   * granted again.
   */
  async setConsent(tenantId: string, contactId: string, status: ConsentStatus): Promise<ContactView> {
    await this.tenants.require(tenantId);
    const at = new Date();
    if (!(await this.contacts.setConsent(tenantId, contactId, { status, source: 'admin', at: at.toISOString() }, at))) {
      throw notFound('contact');
    }
    return this.get(tenantId, contactId);
  }

  /**
   * Exact per-connector counts: every write acknowledged before the call is included. Read from
   * the counters the recording statement keeps (docs/operations.md#ingestion-health), never by
   * scanning the tenant's events.
   */
  async ingestionHealth(tenantId: string): Promise<IngestionHealthView> {
    await this.tenants.require(tenantId);
    const rows = await this.contacts.ingestionCounts(tenantId);
    const connectors: Record<string, ConnectorHealth> = {};
    for (const name of CONNECTORS) connectors[name] = { contacts: 0, events: 0, lastActivityAt: null };
    for (const r of rows) {
      connectors[r.connector] = { contacts: r.contacts, events: r.events, lastActivityAt: r.lastActivityAt ? r.lastActivityAt.toISOString() : null };
    }
    return { connectors };
  }
}
