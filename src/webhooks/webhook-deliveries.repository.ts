import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { type Page, type PageQueryDto, Paginator } from '../common/pagination.js';
import { type DeliveryStatus, WebhookDelivery } from './webhook.entities.js';

/** A verified delivery as it arrives: its row id, and its raw body already sealed. */
export interface ArrivingDelivery {
  id: string;
  tenantId: string;
  provider: string;
  /** The provider's event id (the dedupe key). */
  deliveryId: string;
  providerEventType: string;
  /** The sealed raw body (delivery-payload.ts). */
  payload: string;
  receivedAt: Date;
}

export interface DeliveryOutcome {
  status: 'ok' | 'ignored';
  reason?: string | null;
  eventType?: string | null;
  contactId?: string | null;
}

export interface DeliveryFilter {
  provider?: string;
  status?: DeliveryStatus;
}

const COLUMNS = 'id, tenant_id, provider, delivery_id, provider_event_type, status, error, payload, attempts, received_at';
const values = (d: ArrivingDelivery): unknown[] => [d.id, d.tenantId, d.provider, d.deliveryId, d.providerEventType, d.payload, d.receivedAt];

/**
 * The delivery log, `webhook_deliveries` (docs/webhooks.md, "Delivery log and replay"). The
 * entry of a provider event is also its dedupe: the partial unique index on (tenant, provider,
 * event id) over every status but `duplicate` lets one entry exist per event, and makes a
 * concurrent delivery of the same event wait for the transaction that holds it.
 */
@Injectable()
export class WebhookDeliveriesRepository {
  constructor(
    @InjectRepository(WebhookDelivery) private readonly rows: Repository<WebhookDelivery>,
    private readonly pages: Paginator,
  ) {}

  /**
   * Claims a provider event for the caller's transaction: inserts its entry (`processing`, with
   * the payload), or takes the existing entry over when its status is one of `retake` (a failed
   * one: a retry or a replay processes it again). Answers the entry's id, or null when the event
   * is not to be processed again (a duplicate). One statement; it is the dedupe.
   */
  async claim(em: EntityManager, d: ArrivingDelivery, retake: DeliveryStatus[]): Promise<string | null> {
    const rows: Array<{ id: string }> = await em.query(
      `INSERT INTO webhook_deliveries AS d (${COLUMNS})
       VALUES ($1, $2, $3, $4, $5, 'processing', NULL, $6, 1, $7)
       ON CONFLICT (tenant_id, provider, delivery_id) WHERE status <> 'duplicate'
       DO UPDATE SET status = 'processing', error = NULL, attempts = d.attempts + 1
        WHERE d.status = ANY($8::text[])
       RETURNING d.id`,
      [...values(d), retake],
    );
    return rows[0]?.id ?? null;
  }

  /** The status of a provider event's entry, locked until the caller's transaction ends; null when it has none. */
  async lockEntry(em: EntityManager, tenantId: string, provider: string, deliveryId: string): Promise<DeliveryStatus | null> {
    const rows: Array<{ status: DeliveryStatus }> = await em.query(
      `SELECT status FROM webhook_deliveries
        WHERE tenant_id = $1 AND provider = $2 AND delivery_id = $3 AND status <> 'duplicate'
          FOR UPDATE`,
      [tenantId, provider, deliveryId],
    );
    return rows[0]?.status ?? null;
  }

  /** Sets what a claimed entry came to, in the transaction that claimed it. */
  async finish(em: EntityManager, id: string, outcome: DeliveryOutcome): Promise<void> {
    await em.query(
      `UPDATE webhook_deliveries SET status = $2, reason = $3, event_type = $4, contact_id = $5 WHERE id = $1`,
      [id, outcome.status, outcome.reason ?? null, outcome.eventType ?? null, outcome.contactId ?? null],
    );
  }

  /** Logs a redelivery of an already processed event as a row of its own (outside the dedupe index). */
  async logDuplicate(em: EntityManager, d: ArrivingDelivery): Promise<void> {
    await em.query(
      `INSERT INTO webhook_deliveries (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, 'duplicate', NULL, $6, 1, $7)`,
      values(d),
    );
  }

  /**
   * Records that processing hit an internal error, in a transaction of its own (the one that
   * failed has rolled back): a new `failed` entry, or the existing entry turned (or kept)
   * `failed` when its status is one of `retake`. An entry that another delivery has meanwhile
   * processed is left as it is.
   */
  async recordFailure(d: ArrivingDelivery, error: string, retake: DeliveryStatus[]): Promise<void> {
    await this.rows.query(
      `INSERT INTO webhook_deliveries AS d (${COLUMNS})
       VALUES ($1, $2, $3, $4, $5, 'failed', $8, $6, 1, $7)
       ON CONFLICT (tenant_id, provider, delivery_id) WHERE status <> 'duplicate'
       DO UPDATE SET status = 'failed', error = EXCLUDED.error, attempts = d.attempts + 1
        WHERE d.status = ANY($9::text[])`,
      [...values(d), error, [...new Set<DeliveryStatus>(['failed', ...retake])]],
    );
  }

  /** One entry of a tenant, with its sealed payload. */
  find(tenantId: string, id: string): Promise<WebhookDelivery | null> {
    return this.rows
      .createQueryBuilder('d')
      .addSelect('d.payload')
      .where('d.tenant_id = :tenantId AND d.id = :id', { tenantId, id })
      .getOne();
  }

  /** A tenant's deliveries, newest first (payloads not loaded). */
  list(tenantId: string, filter: DeliveryFilter, query: PageQueryDto): Promise<Page<WebhookDelivery>> {
    const qb = this.rows.createQueryBuilder('d').where('d.tenant_id = :tenantId', { tenantId });
    if (filter.provider) qb.andWhere('d.provider = :provider', { provider: filter.provider });
    if (filter.status) qb.andWhere('d.status = :status', { status: filter.status });
    const spec = {
      // The filters are part of the list a cursor belongs to.
      scope: `webhook-deliveries:${tenantId}:${JSON.stringify([filter.provider ?? null, filter.status ?? null])}`,
      alias: 'd',
      column: 'received_at',
      order: 'DESC',
      at: (d: WebhookDelivery) => d.receivedAt,
      id: (d: WebhookDelivery) => d.id,
    } as const;
    return this.pages.page(qb, query, spec, (d) => d);
  }

  /**
   * Deletes up to `limit` entries received more than `days` days ago (by the database's clock),
   * oldest first; answers how many. Tenant by tenant through the (tenant_id, received_at) index,
   * so the hot path keeps one index fewer; the outer LIMIT stops the walk once a batch is full.
   */
  async deleteOlderThan(days: number, limit: number): Promise<number> {
    const [row]: Array<{ n: number }> = await this.rows.query(
      `WITH gone AS (
         DELETE FROM webhook_deliveries WHERE id IN (
           SELECT old.id FROM tenants t
             CROSS JOIN LATERAL (
               SELECT d.id FROM webhook_deliveries d
                WHERE d.tenant_id = t.id AND d.received_at < now() - make_interval(days => $1)
                ORDER BY d.received_at
                LIMIT $2) old
            LIMIT $2)
         RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [days, limit],
    );
    return row.n;
  }
}
