import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type Page, type PageQueryDto, Paginator } from '../common/pagination.js';
import type { Connector, Scalar } from '../common/vocabulary.js';
import { ContactEvent } from './contact-event.entity.js';

export interface NewEvent {
  id: string;
  contactId: string | null;
  type: string;
  properties: Record<string, Scalar>;
  occurredAt: Date;
  messageId: string | null;
}

/**
 * The events table (contacts' timelines). The recording path writes it, and reads its message ids,
 * through ContactsRepository's recording statements (one statement per step over the contacts
 * aggregate and its events: docs/identity.md#recording-statements).
 */
@Injectable()
export class EventsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly pages: Paginator,
  ) {}

  /** A contact's timeline, newest first. */
  page(tenantId: string, contactId: string, query: PageQueryDto): Promise<Page<ContactEvent>> {
    const qb = this.dataSource
      .getRepository(ContactEvent)
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
    return this.pages.page(qb, query, spec, (e) => e);
  }

  /** An event's type and properties (what a journey email's template reads), or null. */
  async findById(em: EntityManager, tenantId: string, eventId: string): Promise<{ type: string; properties: Record<string, Scalar> } | null> {
    const [row]: Array<{ type: string; properties: Record<string, Scalar> }> = await em.query(
      'SELECT type, properties FROM events WHERE tenant_id = $1 AND id = $2',
      [tenantId, eventId],
    );
    return row ?? null;
  }
}
