import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import { loggableError, PINO_LOGGER } from '../common/logger.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { transactionWithRetry } from '../common/transaction-retry.js';
import { ContactsRepository, lockKey } from '../contacts/contacts.repository.js';
import { EventRecorder } from '../ingestion/recording/event-recorder.service.js';
import { adapterFor } from './adapters/registry.js';
import type { IdentityCandidates, Normalized, WebhookProviderName } from './adapters/webhook-adapter.js';
import { sealPayload } from './delivery-payload.js';
import { ProviderCustomersRepository } from './provider-customers.repository.js';
import { ProviderStateRepository } from './provider-state.repository.js';
import { type ArrivingDelivery, WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';
import type { DeliveryStatus } from './webhook.entities.js';
import { chooseIdentity, deliveryOps, identifyOps } from './webhook-ops.js';

export type WebhookAnswer =
  | { status: 'duplicate' }
  | { status: 'ignored' }
  | { status: 'ok'; eventType: string | null; contactId: string | null };

/** A verified delivery (or a stored one, replayed). */
export interface Delivery {
  tenantId: string;
  provider: WebhookProviderName;
  deliveryId: string;
  payload: Record<string, unknown>;
  /** The body as received: what the delivery log keeps (encrypted). */
  raw: string;
}

/** How one run treats the provider event's entry in the delivery log. */
interface RunMode {
  /** Entry statuses this run processes again; any other existing entry makes it a duplicate. */
  retake: DeliveryStatus[];
  /** Log a redelivery of a processed event as a `duplicate` row (provider deliveries; replays write nothing). */
  logDuplicate: boolean;
  /** Write the provider state the payload carries (not when re-running an ignored entry: it did on arrival). */
  writeState: boolean;
}

/** A provider's delivery (or retry): a failed entry is processed again; anything else is a duplicate. */
const DELIVERY: RunMode = { retake: ['failed'], logDuplicate: true, writeState: true };

const MAX_ERROR_LENGTH = 1000;

/**
 * Processes a verified delivery in one transaction: the delivery-log entry (which is the
 * dedupe), the provider state, the customer link, and the lifecycle event through the one
 * recording path (so it fires journeys). When processing throws, the transaction rolls back and
 * the entry is stored as `failed` with the error's message in a transaction of its own; the
 * error still reaches the provider (500), which retries.
 */
@Injectable()
export class WebhooksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly recorder: EventRecorder,
    private readonly contacts: ContactsRepository,
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly states: ProviderStateRepository,
    private readonly customers: ProviderCustomersRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  process(delivery: Delivery): Promise<WebhookAnswer> {
    return this.run(delivery, async () => DELIVERY);
  }

  /**
   * Runs the current mapping on a stored delivery (no signature check: it was verified on
   * arrival). Decided under the entry's lock: an `ok` entry answers duplicate and writes nothing
   * (its event exists, under the same messageId); a `failed` one is processed as a retry would
   * be; an `ignored` one is mapped again (a fixed mapping may now map it), without rewriting the
   * provider state it stored on arrival.
   */
  replay(delivery: Delivery): Promise<WebhookAnswer> {
    return this.run(delivery, async (em) => {
      const status = await this.deliveries.lockEntry(em, delivery.tenantId, delivery.provider, delivery.deliveryId);
      if (status === 'failed') return { retake: ['failed'], logDuplicate: false, writeState: true };
      if (status === 'ignored') return { retake: ['ignored'], logDuplicate: false, writeState: false };
      // `ok`: nothing to retake, a duplicate. No entry (it expired): a new one, processed.
      return { retake: [], logDuplicate: false, writeState: true };
    });
  }

  private async run(d: Delivery, modeIn: (em: EntityManager) => Promise<RunMode>): Promise<WebhookAnswer> {
    const id = randomUUID();
    const arriving: ArrivingDelivery = {
      id,
      tenantId: d.tenantId,
      provider: d.provider,
      deliveryId: d.deliveryId,
      providerEventType: String(d.payload.type),
      payload: sealPayload(this.config.secretsKey, d.tenantId, id, d.raw),
      receivedAt: new Date(),
    };
    let mode: RunMode = DELIVERY;
    try {
      // Retried whole, like EventRecorder.record, when PostgreSQL aborts it to break a deadlock.
      return await transactionWithRetry(this.dataSource, this.logger, 'recording a webhook delivery', async (em) => {
        mode = await modeIn(em);
        const entryId = await this.deliveries.claim(em, arriving, mode.retake);
        if (entryId === null) {
          if (mode.logDuplicate) await this.deliveries.logDuplicate(em, arriving);
          return { status: 'duplicate' };
        }
        return this.processIn(em, d, entryId, arriving.receivedAt, mode);
      });
    } catch (err) {
      await this.recordFailure(arriving, mode, err);
      throw err;
    }
  }

  /** Never throws: the delivery's own error is what the caller reports. */
  private async recordFailure(arriving: ArrivingDelivery, mode: RunMode, err: unknown): Promise<void> {
    const message = (err instanceof Error ? err.message : String(err)).slice(0, MAX_ERROR_LENGTH) || 'unknown error';
    try {
      await this.deliveries.recordFailure(arriving, message, mode.retake);
    } catch (writeErr) {
      this.logger.error(
        { err: loggableError(writeErr), tenantId: arriving.tenantId, provider: arriving.provider, deliveryId: arriving.deliveryId },
        'could not record a failed webhook delivery in the delivery log',
      );
    }
  }

  private async processIn(em: EntityManager, d: Delivery, entryId: string, receivedAt: Date, mode: RunMode): Promise<WebhookAnswer> {
    const adapter = adapterFor(d.provider)!;
    // Deliveries about the same provider object are processed one at a time, so that one
    // provider transition yields one lifecycle event however the deliveries interleave.
    const keys = adapter.stateKeys(d.payload);
    await this.contacts.lockKeys(em, keys.map((k) => lockKey(d.tenantId, `state:${d.provider}`, k)));
    const normalized = adapter.normalize(d.payload, await this.states.load(em, d.tenantId, d.provider, keys));
    if (mode.writeState) await this.states.save(em, d.tenantId, d.provider, normalized.stateWrites ?? [], receivedAt);

    if (normalized.outcome === 'ignored') {
      if (normalized.link) await this.linkFromCandidates(em, d, normalized.link, receivedAt);
      await this.deliveries.finish(em, entryId, { status: 'ignored', reason: normalized.reason });
      return { status: 'ignored' };
    }
    return this.record(em, d, entryId, normalized, receivedAt);
  }

  private async record(
    em: EntityManager,
    d: Delivery,
    entryId: string,
    normalized: Extract<Normalized, { outcome: 'ok' }>,
    receivedAt: Date,
  ): Promise<WebhookAnswer> {
    const { customerId } = normalized.identity;
    const linked = customerId ? await this.customers.linkedContact(em, d.tenantId, d.provider, customerId) : null;
    const identity = chooseIdentity(normalized.identity, linked);
    const ops = deliveryOps(
      normalized,
      identity,
      `${d.provider}:${d.deliveryId}`,
      d.provider === 'clerk' ? normalized.identity.email : null,
    );
    const results = await this.recorder.recordIn(em, d.tenantId, d.provider, ops, { receivedAt, keepUnlinked: true });
    const contactId = results.find((r) => r.contactId)?.contactId ?? null;
    if (contactId && customerId) await this.customers.link(em, d.tenantId, d.provider, customerId, contactId, receivedAt);
    if (contactId && normalized.deactivate) await this.contacts.deactivate(em, d.tenantId, contactId, receivedAt);
    const eventType = normalized.event?.type ?? null;
    await this.deliveries.finish(em, entryId, { status: 'ok', eventType, contactId });
    return { status: 'ok', eventType, contactId };
  }

  /** An ignored delivery that still names the customer's user (a subscription Checkout). */
  private async linkFromCandidates(em: EntityManager, d: Delivery, link: IdentityCandidates, at: Date): Promise<void> {
    if (!link.customerId) return;
    const identity = chooseIdentity(link, null);
    if (!identity.externalId && !identity.email) return;
    const [result] = await this.recorder.recordIn(em, d.tenantId, d.provider, identifyOps(identity));
    if (result.contactId) await this.customers.link(em, d.tenantId, d.provider, link.customerId, result.contactId, at);
  }
}
