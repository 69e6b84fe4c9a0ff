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

/** Per source (connector): how many events it delivered, and when the last one arrived. */
export interface SourceEvents {
  source: string;
  events: number;
  lastReceivedAt: Date | null;
}

/** The events table (contacts' timelines); the only code that reads or writes it. */
@Injectable()
export class EventsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly pages: Paginator,
  ) {}

  async findByMessageIds(
    em: EntityManager,
    tenantId: string,
    messageIds: string[],
  ): Promise<Map<string, { eventId: string; contactId: string | null }>> {
    if (messageIds.length === 0) return new Map();
    const rows: Array<{ id: string; contact_id: string | null; message_id: string }> = await em.query(
      'SELECT id, contact_id, message_id FROM events WHERE tenant_id = $1 AND message_id = ANY($2::text[])',
      [tenantId, messageIds],
    );
    return new Map(rows.map((r) => [r.message_id, { eventId: r.id, contactId: r.contact_id }]));
  }

  /**
   * Writes a batch of events in one statement. The unique (tenant_id, message_id) index is the
   * final word on duplicates; callers hold the message-id locks, so a conflict here means a
   * concurrent writer slipped past them, and the whole request is rolled back rather than
   * half-written. Rows go in contact order, like every multi-row write of a request (the
   * foreign-key checks lock the contacts they point to in that order).
   */
  async insertMany(
    em: EntityManager,
    tenantId: string,
    source: Connector,
    events: NewEvent[],
    receivedAt: Date,
    backfill = false,
  ): Promise<void> {
    if (events.length === 0) return;
    await em.query(
      `INSERT INTO events (tenant_id, id, contact_id, type, properties, occurred_at, received_at, message_id, source, backfill)
       SELECT $1, u.id, u.contact_id, u.type, u.properties::jsonb, u.occurred_at, $8, u.message_id, $9, $10
         FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::timestamptz[], $7::text[])
              AS u(id, contact_id, type, properties, occurred_at, message_id)
        ORDER BY u.contact_id, u.id`,
      [
        tenantId,
        events.map((e) => e.id),
        events.map((e) => e.contactId),
        events.map((e) => e.type),
        events.map((e) => JSON.stringify(e.properties)),
        events.map((e) => e.occurredAt.toISOString()),
        events.map((e) => e.messageId),
        receivedAt,
        source,
        backfill,
      ],
    );
  }

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

  /** Per source: the number of events and the last arrival. */
  async countsBySource(tenantId: string): Promise<SourceEvents[]> {
    const rows: Array<{ source: string; n: number; last: Date | null }> = await this.dataSource.query(
      'SELECT source, count(*)::int AS n, max(received_at) AS last FROM events WHERE tenant_id = $1 GROUP BY source',
      [tenantId],
    );
    return rows.map((r) => ({ source: r.source, events: r.n, lastReceivedAt: r.last }));
  }
}
