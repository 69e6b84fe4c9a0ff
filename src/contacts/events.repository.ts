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

/** A stored event with what decides its journeys (docs/journeys.md#why-not). */
export interface StoredEvent {
  id: string;
  contactId: string | null;
  type: string;
  properties: Record<string, Scalar>;
  occurredAt: Date;
  receivedAt: Date;
  backfill: boolean;
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

  /** One event as the journeys' why-not route judges it, or null. */
  async findStored(tenantId: string, eventId: string): Promise<StoredEvent | null> {
    const [row]: Array<{
      id: string;
      contact_id: string | null;
      type: string;
      properties: Record<string, Scalar>;
      occurred_at: Date;
      received_at: Date;
      backfill: boolean;
    }> = await this.dataSource.query(
      'SELECT id, contact_id, type, properties, occurred_at, received_at, backfill FROM events WHERE tenant_id = $1 AND id = $2',
      [tenantId, eventId],
    );
    if (!row) return null;
    return {
      id: row.id,
      contactId: row.contact_id,
      type: row.type,
      properties: row.properties,
      occurredAt: row.occurred_at,
      receivedAt: row.received_at,
      backfill: row.backfill,
    };
  }

  /**
   * Whether the contact recorded an event of `type` since `since`, other than `except` (a
   * branch's `performed`: events since the run started, its own trigger aside).
   */
  async performedSince(
    em: EntityManager,
    tenantId: string,
    contactId: string,
    type: string,
    since: Date,
    except: string,
  ): Promise<boolean> {
    const rows: unknown[] = await em.query(
      'SELECT 1 FROM events WHERE tenant_id = $1 AND contact_id = $2 AND type = $3 AND received_at >= $4 AND id <> $5 LIMIT 1',
      [tenantId, contactId, type, since, except],
    );
    return rows.length > 0;
  }

  /** A merge: every event of `fromId` belongs to the survivor from now on. */
  async moveContact(em: EntityManager, tenantId: string, fromId: string, toId: string): Promise<void> {
    await em.query('UPDATE events SET contact_id = $3 WHERE tenant_id = $1 AND contact_id = $2', [tenantId, fromId, toId]);
  }

  /** An erasure: the contact's events go. */
  async removeOfContact(em: EntityManager, tenantId: string, contactId: string): Promise<void> {
    await em.query('DELETE FROM events WHERE tenant_id = $1 AND contact_id = $2', [tenantId, contactId]);
  }

  /** A page of a contact's events, oldest first, after `after` (an export reads them page by page). */
  pageOfContact(tenantId: string, contactId: string, after: { at: Date; id: string } | null, limit: number): Promise<ContactEvent[]> {
    const qb = this.dataSource
      .getRepository(ContactEvent)
      .createQueryBuilder('e')
      .where('e.tenant_id = :tenantId AND e.contact_id = :contactId', { tenantId, contactId })
      .orderBy('e.occurred_at', 'ASC')
      .addOrderBy('e.id', 'ASC')
      .limit(limit);
    if (after) qb.andWhere('(e.occurred_at, e.id) > (:at, :id)', { at: after.at, id: after.id });
    return qb.getMany();
  }
}
