import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import { PINO_LOGGER } from '../common/logger.js';
import { transactionWithRetry } from '../common/transaction-retry.js';
import { ContactsRepository, lockKey } from '../contacts/contacts.repository.js';
import { EventRecorder } from '../ingestion/recording/event-recorder.service.js';
import { adapterFor } from './adapters/registry.js';
import type { IdentityCandidates, Normalized, ProviderState, StateWrite, WebhookProviderName } from './adapters/webhook-adapter.js';
import { chooseIdentity, deliveryOps } from './webhook-ops.js';

export type WebhookAnswer =
  | { status: 'duplicate' }
  | { status: 'ignored' }
  | { status: 'ok'; eventType: string | null; contactId: string | null };

interface Delivery {
  tenantId: string;
  provider: WebhookProviderName;
  deliveryId: string;
  payload: Record<string, unknown>;
}

/**
 * Processes a verified delivery in one transaction: the dedupe record, the provider state, the
 * customer link, and the lifecycle event through the one recording path (so it fires journeys).
 */
@Injectable()
export class WebhooksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly recorder: EventRecorder,
    private readonly contacts: ContactsRepository,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  /** Retried whole, like EventRecorder.record, when PostgreSQL aborts it to break a deadlock. */
  process(delivery: Delivery): Promise<WebhookAnswer> {
    return transactionWithRetry(this.dataSource, this.logger, 'recording a webhook delivery', (em) => this.processIn(em, delivery));
  }

  private async processIn(em: EntityManager, d: Delivery): Promise<WebhookAnswer> {
    const receivedAt = new Date();
    const adapter = adapterFor(d.provider)!;
    // The primary key decides: a concurrent redelivery waits for this transaction, then conflicts.
    const inserted: unknown[] = await em.query(
      `INSERT INTO webhook_deliveries (tenant_id, provider, delivery_id, provider_event_type, outcome, received_at)
       VALUES ($1, $2, $3, $4, 'processing', $5)
       ON CONFLICT (tenant_id, provider, delivery_id) DO NOTHING RETURNING 1`,
      [d.tenantId, d.provider, d.deliveryId, String(d.payload.type), receivedAt],
    );
    if (inserted.length === 0) return { status: 'duplicate' };

    // Deliveries about the same provider object are processed one at a time, so that one
    // provider transition yields one lifecycle event however the deliveries interleave.
    const keys = adapter.stateKeys(d.payload);
    await this.contacts.lockKeys(em, keys.map((k) => lockKey(d.tenantId, `state:${d.provider}`, k)));
    const normalized = adapter.normalize(d.payload, await this.loadState(em, d, keys));
    await this.writeState(em, d, normalized.stateWrites ?? [], receivedAt);

    if (normalized.outcome === 'ignored') {
      if (normalized.link) await this.linkFromCandidates(em, d, normalized.link, receivedAt);
      await this.finish(em, d, { outcome: 'ignored', reason: normalized.reason });
      return { status: 'ignored' };
    }
    return this.record(em, d, normalized, receivedAt);
  }

  private async record(
    em: EntityManager,
    d: Delivery,
    normalized: Extract<Normalized, { outcome: 'ok' }>,
    receivedAt: Date,
  ): Promise<WebhookAnswer> {
    const linked = normalized.identity.customerId ? await this.linkedContact(em, d, normalized.identity.customerId) : null;
    const identity = chooseIdentity(normalized.identity, linked);
    const ops = deliveryOps(
      normalized,
      identity,
      `${d.provider}:${d.deliveryId}`,
      d.provider === 'clerk' ? normalized.identity.email : null,
    );
    const results = await this.recorder.recordIn(em, d.tenantId, d.provider, ops, { receivedAt, keepUnlinked: true });
    const contactId = results.find((r) => r.contactId)?.contactId ?? null;
    if (contactId && normalized.identity.customerId) {
      await this.link(em, d, normalized.identity.customerId, contactId, receivedAt);
    }
    if (contactId && normalized.deactivate) {
      await em.query(
        'UPDATE contacts SET deactivated_at = COALESCE(deactivated_at, $3), updated_at = $3 WHERE tenant_id = $1 AND id = $2',
        [d.tenantId, contactId, receivedAt],
      );
    }
    const eventType = normalized.event?.type ?? null;
    await this.finish(em, d, { outcome: 'ok', eventType, contactId });
    return { status: 'ok', eventType, contactId };
  }

  private async loadState(em: EntityManager, d: Delivery, keys: string[]): Promise<Map<string, ProviderState>> {
    if (keys.length === 0) return new Map();
    const rows: Array<{ key: string; state: ProviderState }> = await em.query(
      'SELECT key, state FROM provider_state WHERE tenant_id = $1 AND provider = $2 AND key = ANY($3::text[])',
      [d.tenantId, d.provider, keys],
    );
    return new Map(rows.map((r) => [r.key, r.state]));
  }

  private async writeState(em: EntityManager, d: Delivery, writes: StateWrite[], at: Date): Promise<void> {
    if (writes.length === 0) return;
    await em.query(
      `INSERT INTO provider_state (tenant_id, provider, key, state, updated_at)
       SELECT $1, $2, u.key, u.state::jsonb, $5 FROM unnest($3::text[], $4::text[]) AS u(key, state)
        ORDER BY u.key
       ON CONFLICT (tenant_id, provider, key) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at`,
      [d.tenantId, d.provider, writes.map((w) => w.key), writes.map((w) => JSON.stringify(w.value)), at],
    );
  }

  private async linkedContact(
    em: EntityManager,
    d: Delivery,
    customerId: string,
  ): Promise<{ externalId: string | null; email: string | null } | null> {
    const rows: Array<{ external_id: string | null; email: string | null }> = await em.query(
      `SELECT c.external_id, c.email FROM provider_customers pc
         JOIN contacts c ON c.tenant_id = pc.tenant_id AND c.id = pc.contact_id
        WHERE pc.tenant_id = $1 AND pc.provider = $2 AND pc.customer_id = $3`,
      [d.tenantId, d.provider, customerId],
    );
    return rows.length ? { externalId: rows[0].external_id, email: rows[0].email } : null;
  }

  /** A customer belongs to the contact it was first linked to. */
  private async link(em: EntityManager, d: Delivery, customerId: string, contactId: string, at: Date): Promise<void> {
    await em.query(
      `INSERT INTO provider_customers (tenant_id, provider, customer_id, contact_id, linked_at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, provider, customer_id) DO NOTHING`,
      [d.tenantId, d.provider, customerId, contactId, at],
    );
  }

  /** An ignored delivery that still names the customer's user (a subscription Checkout). */
  private async linkFromCandidates(em: EntityManager, d: Delivery, link: IdentityCandidates, at: Date): Promise<void> {
    if (!link.customerId) return;
    const identity = chooseIdentity(link, null);
    if (!identity.externalId && !identity.email) return;
    const [result] = await this.recorder.recordIn(em, d.tenantId, d.provider, [
      {
        type: 'identify',
        externalId: identity.externalId,
        email: identity.email,
        name: null,
        traits: {},
        event: null,
        properties: {},
        occurredAt: null,
        messageId: null,
        warnings: [],
      },
    ]);
    if (result.contactId) await this.link(em, d, link.customerId, result.contactId, at);
  }

  private async finish(
    em: EntityManager,
    d: Delivery,
    outcome: { outcome: 'ok' | 'ignored'; reason?: string; eventType?: string | null; contactId?: string | null },
  ): Promise<void> {
    await em.query(
      `UPDATE webhook_deliveries SET outcome = $4, reason = $5, event_type = $6, contact_id = $7
        WHERE tenant_id = $1 AND provider = $2 AND delivery_id = $3`,
      [d.tenantId, d.provider, d.deliveryId, outcome.outcome, outcome.reason ?? null, outcome.eventType ?? null, outcome.contactId ?? null],
    );
  }
}
