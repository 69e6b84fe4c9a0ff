import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import { PINO_LOGGER } from '../../common/logger.js';
import { afterCommit } from '../../common/after-commit.js';
import { uuidV7 } from '../../common/uuid-v7.js';
import { lazyTransactionWithRetry } from '../../common/transaction-retry.js';
import { ContactsRepository, isMessageIdRecordedBefore, lockKey } from '../../contacts/contacts.repository.js';
import { hasIdentity, resolveIdentities } from '../../contacts/identity-resolution.js';
import type { NewEvent } from '../../contacts/events.repository.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import { JourneyEnrollment } from '../../journeys/journey-enrollment.service.js';
import type { Connector, OpResult, PreparedOp } from '../../common/vocabulary.js';

export interface RecordOptions {
  /** Arrival time of the request (one per request). */
  receivedAt?: Date;
  /** Record tracks that carry no identity as unlinked events (billing webhooks) instead of skipping them. */
  keepUnlinked?: boolean;
  /** `?backfill=true`: written as usual, marked `backfill`, enrolls and exits nothing (docs/journeys.md#backfill). */
  backfill?: boolean;
  /**
   * Skip the duplicate read: take every message id for new, and leave it to the write, which
   * fails (MessageIdRecordedError) when one was recorded before (EventRecorder.record).
   */
  messageIdsUnseen?: boolean;
}

/** The write found a message id recorded before, which a read that skipped the duplicate read did not see. */
class MessageIdRecordedError extends Error {}

/**
 * The one event-recording path. Every intake format and every webhook connector ends here:
 * identity resolution, contact upserts, event writes, journey enrollment and connector
 * bookkeeping, all inside the caller's transaction and set-based (a fixed number of statements
 * per request, whatever the batch size).
 */
@Injectable()
export class EventRecorder {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly contacts: ContactsRepository,
    private readonly metrics: MetricsService,
    private readonly journeys: JourneyEnrollment,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Records a request's ops in a transaction of its own: all of it is written, or none. Every
   * statement writes its rows in one stable order (see the repositories), so two requests cannot
   * deadlock each other; should PostgreSQL still abort the transaction to break a deadlock (with
   * another kind of writer) or a serialization failure, the whole request is recorded again.
   *
   * The transaction is opened after the read, and only when the request needs more than its one
   * write statement (docs/identity.md#recording-statements): identity locks, or contacts to create
   * or change (a known one's vanishing is checked after the write; journey enrollment then
   * follows it as a statement of its own). Tracks on known contacts are the read, then the write
   * alone, journey enrollment included: one statement, atomic by itself, whose failure writes
   * nothing and has the request recorded again.
   */
  async record(tenantId: string, connector: Connector, ops: PreparedOp[], options: RecordOptions = {}): Promise<OpResult[]> {
    return lazyTransactionWithRetry(this.dataSource, this.logger, 'recording events', async (em) => {
      // Most message ids are new: the first attempt leaves them to the write's ON CONFLICT and
      // skips the duplicate read. When one was recorded before, nothing of that attempt is
      // written (the write is its last statement), and the request is recorded again, at once, with
      // the duplicate read, which finds it (docs/identity.md#recording-statements).
      try {
        return await this.recordIn(em, tenantId, connector, ops, { ...options, messageIdsUnseen: true });
      } catch (err) {
        if (!(err instanceof MessageIdRecordedError)) throw err;
        if (em.queryRunner?.isTransactionActive) await em.queryRunner.rollbackTransaction();
        return this.recordIn(em, tenantId, connector, ops, { ...options, messageIdsUnseen: false });
      }
    });
  }

  /**
   * Records inside an existing transaction (webhooks add their delivery record to it, the Clerk
   * import its progress). Every source ends here, so the ops are counted here (`mara_ops_total`),
   * once the transaction commits.
   */
  async recordIn(
    em: EntityManager,
    tenantId: string,
    connector: Connector,
    ops: PreparedOp[],
    options: RecordOptions = {},
  ): Promise<OpResult[]> {
    const at = options.receivedAt ?? new Date();
    const results: OpResult[] = ops.map((op) => ({
      status: hasIdentity(op) || (options.keepUnlinked && op.type === 'track') ? 'ok' : 'skipped_no_identity',
      contactId: null,
      ...(op.warnings.length ? { warnings: op.warnings } : {}),
    }));
    // Counted once what was recorded is committed (at once when no transaction is open: then the
    // write, the last statement, committed by itself).
    const count = (): void => afterCommit(em, () => this.metrics.countOps(connector, results.map((r) => r.status)));

    // The ops to record (null where skipped) and, each once in op order, what the read looks up.
    const live: Array<PreparedOp | null> = [];
    const ids = { message: new Set<string>(), external: new Set<string>(), email: new Set<string>(), eventType: new Set<string>() };
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      if (results[i].status !== 'ok') {
        live.push(null);
        continue;
      }
      live.push(op);
      if (op.type === 'track' && op.messageId) ids.message.add(op.messageId);
      if (op.externalId) ids.external.add(op.externalId);
      if (op.email) ids.email.add(op.email);
      if (op.type === 'track' && !options.backfill) ids.eventType.add(op.event!);
    }
    const messageIds = options.messageIdsUnseen ? [] : [...ids.message];
    const externalIds = [...ids.external];
    const emails = [...ids.email];
    const eventTypes = [...ids.eventType];
    if (live.every((op) => op === null)) {
      count();
      return results;
    }

    // One read: the known contacts and the message ids recorded before (docs/identity.md#recording-statements).
    // Advisory locks serialise concurrent requests (on every instance) only where a
    // read-then-write of identities could race: an identity that may create or move a contact (an
    // unknown id, an email used for matching, an email change); the contacts are then read again
    // under the locks. Tracks on contacts known by id take no lock: an external id never leaves its
    // contact, and contact changes are applied as deltas by one upsert. Message ids take no lock:
    // the event insert's ON CONFLICT decides, and a message id recorded by another request since
    // the read makes the write statement fail as a serialization failure, so the request is
    // recorded again (see ContactsRepository.recordBatch).
    // The read also finds the active journeys that trigger or exit on one of the batch's event
    // types; when none does, enrollment is skipped (decided at this read: docs/journeys.md#enrollment).
    let { known, earlier, journeys } = await this.contacts.findForRecording(em, tenantId, externalIds, emails, messageIds, eventTypes);
    const knownIds = new Set<string>();
    const emailOf = new Map<string, string | null>();
    for (const c of known) {
      if (!c.externalId) continue;
      knownIds.add(c.externalId);
      emailOf.set(c.externalId, c.email);
    }
    const identityKeys = new Set<bigint>();
    for (const op of live) {
      if (!op) continue;
      if (op.externalId && !knownIds.has(op.externalId)) identityKeys.add(lockKey(tenantId, 'external_id', op.externalId));
      const matchesByEmail = !op.externalId || !knownIds.has(op.externalId);
      if (op.email && (matchesByEmail || emailOf.get(op.externalId!) !== op.email)) {
        identityKeys.add(lockKey(tenantId, 'email', op.email));
      }
    }
    if (identityKeys.size > 0) {
      await this.inTransaction(em);
      await this.contacts.lockKeys(em, [...identityKeys]);
      // The same read again (the duplicate read too: a request that held these locks before may
      // have recorded one of the message ids).
      ({ known, earlier, journeys } = await this.contacts.findForRecording(em, tenantId, externalIds, emails, messageIds, eventTypes));
    }

    // A messageId seen before (in an earlier request, or earlier in this batch) is a duplicate
    // and writes nothing, not even its contact; it answers with the original's contact and event.
    const firstInBatch = new Map<string, number>();
    const repeats: Array<[number, number]> = [];
    live.forEach((op, i) => {
      if (op?.type !== 'track' || !op.messageId) return;
      const original = earlier.get(op.messageId);
      const first = firstInBatch.get(op.messageId);
      if (original) {
        Object.assign(results[i], { status: 'duplicate', contactId: original.contactId, eventId: original.eventId });
      } else if (first !== undefined) {
        results[i].status = 'duplicate';
        repeats.push([i, first]);
      } else {
        firstInBatch.set(op.messageId, i);
        return;
      }
      live[i] = null;
    });

    const resolution = resolveIdentities(known, live, { connector, at, newId: randomUUID });
    const newEvents: NewEvent[] = [];
    live.forEach((op, i) => {
      if (!op) return;
      const contactId = resolution.contactIds[i];
      results[i].contactId = contactId;
      if (op.type !== 'track') return;
      // Time-ordered: each batch appends at the right edge of the events key's index instead of
      // touching random pages all over it (src/common/uuid-v7.ts).
      const id = uuidV7();
      results[i].eventId = id;
      newEvents.push({
        id,
        contactId,
        type: op.event!,
        properties: op.properties,
        occurredAt: op.occurredAt ?? at,
        messageId: op.messageId,
      });
    });
    if (resolution.writes.length > 0) await this.inTransaction(em);
    // Enrollment and exits ride on the write (JourneyEnrollment) when the request changes no
    // contact; otherwise they are a statement of their own after it, which sees what committed
    // while the write waited for the contacts' rows. Backfill events neither enroll nor exit
    // (docs/journeys.md#backfill). Which journeys may start a run for the batch, and whether one
    // exits on it, is judged from the read first (JourneyEnrollment.plan): a batch that can do
    // neither is written without the enrollment, and one that can only end runs with the exits alone.
    const contactsAsRead = resolution.writes.length === 0;
    const plan =
      journeys.length > 0 && !options.backfill && newEvents.length > 0
        ? this.journeys.plan(journeys, newEvents, new Set(known.map((c) => c.id)), at, contactsAsRead)
        : null;
    try {
      await this.contacts.recordBatch(
        em,
        tenantId,
        {
          connector,
          writes: resolution.writes,
          events: newEvents,
          touched: resolution.touched,
          projected: resolution.projected,
          at,
          backfill: options.backfill ?? false,
        },
        plan && contactsAsRead ? this.journeys.onRecording(plan) : undefined,
      );
    } catch (err) {
      if (options.messageIdsUnseen && isMessageIdRecordedBefore(err)) throw new MessageIdRecordedError();
      throw err;
    }
    if (plan && !contactsAsRead) await this.journeys.afterWrite(em, tenantId, newEvents, at, plan);
    for (const [i, first] of repeats) {
      results[i].contactId = results[first].contactId;
      results[i].eventId = results[first].eventId;
    }
    count();
    return results;
  }

  /** Opens the transaction of a `record` call that has none yet (the caller's transaction otherwise). */
  private async inTransaction(em: EntityManager): Promise<void> {
    if (em.queryRunner && !em.queryRunner.isTransactionActive) await em.queryRunner.startTransaction();
  }
}
