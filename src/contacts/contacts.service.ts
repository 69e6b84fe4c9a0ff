import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { notFound } from '../common/errors.js';
import { type Page, type PageQueryDto, Paginator } from '../common/pagination.js';
import { CONNECTORS } from '../ingestion/recording/op.types.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { ContactEvent } from './contact-event.entity.js';
import { Contact } from './contact.entity.js';
import type {
  ContactEventView,
  ContactsQueryDto,
  ContactView,
  ConnectorHealth,
  IngestionHealthView,
} from './dto/contacts.dto.js';

/** Admin reads: contacts, their timelines, and per-connector ingestion health. */
@Injectable()
export class ContactsService {
  constructor(
    @InjectRepository(Contact) private readonly contacts: Repository<Contact>,
    @InjectRepository(ContactEvent) private readonly events: Repository<ContactEvent>,
    private readonly tenants: TenantsService,
    private readonly pages: Paginator,
  ) {}

  private view(c: Contact): ContactView {
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

  private eventView(e: ContactEvent): ContactEventView {
    return {
      id: e.id,
      type: e.type,
      properties: e.properties,
      occurredAt: e.occurredAt.toISOString(),
      receivedAt: e.receivedAt.toISOString(),
      messageId: e.messageId,
      source: e.source,
    };
  }

  async list(tenantId: string, query: ContactsQueryDto): Promise<Page<ContactView>> {
    await this.tenants.require(tenantId);
    const qb = this.contacts.createQueryBuilder('c').where('c.tenant_id = :tenantId', { tenantId });
    if (query.email) qb.andWhere('c.email = :email', { email: query.email.trim().toLowerCase() });
    if (query.externalId) qb.andWhere('c.external_id = :externalId', { externalId: query.externalId });
    // The filters are part of the list a cursor belongs to.
    const scope = `contacts:${tenantId}:${JSON.stringify([query.email ?? null, query.externalId ?? null])}`;
    const spec = { scope, alias: 'c', column: 'created_at', order: 'ASC', at: (c: Contact) => c.createdAt, id: (c: Contact) => c.id } as const;
    return this.pages.page(qb, query, spec, (c) => this.view(c));
  }

  async require(tenantId: string, contactId: string): Promise<Contact> {
    await this.tenants.require(tenantId);
    const contact = await this.contacts.findOneBy({ tenantId, id: contactId });
    if (!contact) throw notFound('contact');
    return contact;
  }

  async get(tenantId: string, contactId: string): Promise<ContactView> {
    return this.view(await this.require(tenantId, contactId));
  }

  /** The contact's timeline, newest first. */
  async timeline(tenantId: string, contactId: string, query: PageQueryDto): Promise<Page<ContactEventView>> {
    await this.require(tenantId, contactId);
    const qb = this.events
      .createQueryBuilder('e')
      .where('e.tenant_id = :tenantId AND e.contact_id = :contactId', { tenantId, contactId });
    const spec = {
      scope: `contact-events:${tenantId}:${contactId}`,
      alias: 'e',
      column: 'occurred_at',
      order: 'DESC',
      at: (e: ContactEvent) => e.occurredAt,
      id: (e: ContactEvent) => e.id,
    } as const;
    return this.pages.page(qb, query, spec, (e) => this.eventView(e));
  }

  /** Exact per-connector counts: every write acknowledged before the call is included. */
  async ingestionHealth(tenantId: string): Promise<IngestionHealthView> {
    await this.tenants.require(tenantId);
    const [contactRows, eventRows]: [
      Array<{ connector: string; n: number; last: Date | null }>,
      Array<{ source: string; n: number; last: Date | null }>,
    ] = await Promise.all([
      this.contacts.query(
        `SELECT connector, count(*)::int AS n, max(last_seen_at) AS last
           FROM contact_connectors WHERE tenant_id = $1 GROUP BY connector`,
        [tenantId],
      ),
      this.events.query(
        `SELECT source, count(*)::int AS n, max(received_at) AS last FROM events WHERE tenant_id = $1 GROUP BY source`,
        [tenantId],
      ),
    ]);
    const connectors: Record<string, ConnectorHealth> = {};
    for (const name of CONNECTORS) connectors[name] = { contacts: 0, events: 0, lastActivityAt: null };
    const later = (a: string | null, b: Date | null): string | null =>
      b && (!a || b.toISOString() > a) ? b.toISOString() : a;
    for (const r of contactRows) {
      const c = (connectors[r.connector] ??= { contacts: 0, events: 0, lastActivityAt: null });
      c.contacts = r.n;
      c.lastActivityAt = later(c.lastActivityAt, r.last);
    }
    for (const r of eventRows) {
      const c = (connectors[r.source] ??= { contacts: 0, events: 0, lastActivityAt: null });
      c.events = r.n;
      c.lastActivityAt = later(c.lastActivityAt, r.last);
    }
    return { connectors };
  }
}
