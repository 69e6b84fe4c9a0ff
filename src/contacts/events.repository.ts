import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Connector, Scalar } from '../common/vocabulary.js';

export interface NewEvent {
  id: string;
  contactId: string | null;
  type: string;
  properties: Record<string, Scalar>;
  occurredAt: Date;
  messageId: string | null;
}

/** Set-based statements on the events table. */
@Injectable()
export class EventsRepository {
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
  async insertMany(em: EntityManager, tenantId: string, source: Connector, events: NewEvent[], receivedAt: Date): Promise<void> {
    if (events.length === 0) return;
    await em.query(
      `INSERT INTO events (tenant_id, id, contact_id, type, properties, occurred_at, received_at, message_id, source)
       SELECT $1, u.id, u.contact_id, u.type, u.properties::jsonb, u.occurred_at, $8, u.message_id, $9
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
      ],
    );
  }
}
