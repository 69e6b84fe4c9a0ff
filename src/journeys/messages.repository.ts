import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type Page, type PageQueryDto, Paginator } from '../common/pagination.js';
import type { BlockReason, MessageStatus } from './dto/activity.dto.js';
import { Message } from './message.entity.js';

/** The first attempt of a send step's message. */
export interface NewMessage {
  tenantId: string;
  journeyId: string;
  runId: string;
  contactId: string;
  stepIndex: number;
  to: string | null;
  subject: string;
  text: string;
  html: string | null;
  status: MessageStatus;
  reason: BlockReason | null;
  /** 1 when it goes to SMTP now, 0 when it is final at once (blocked, captured). */
  attempts: number;
}

/** A message's status as the outbox reads it. */
export interface MessageState {
  id: string;
  status: MessageStatus;
  reason: string | null;
}

/**
 * The email outbox (`messages`): one row per (run, send_email step), the only code that reads or
 * writes it. Every method is one statement in the caller's transaction; the `lock…` ones lock the
 * row until it ends. Times are the database's (`now()`).
 */
@Injectable()
export class MessagesRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly pages: Paginator,
  ) {}

  /**
   * Inserts the step's message unless an earlier attempt of the step already did (the unique
   * (tenant_id, run_id, step_index) index): its id, or null when the row exists.
   */
  async insertFirstAttempt(em: EntityManager, m: NewMessage): Promise<string | null> {
    const inserted: Array<{ id: string }> = await em.query(
      `INSERT INTO messages (tenant_id, id, journey_id, run_id, contact_id, step_index, "to", subject, text, status, reason, attempts, html)
       VALUES ($1, gen_random_uuid(), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (tenant_id, run_id, step_index) DO NOTHING
       RETURNING id`,
      [m.tenantId, m.journeyId, m.runId, m.contactId, m.stepIndex, m.to, m.subject, m.text, m.status, m.reason, m.attempts, m.html],
    );
    return inserted[0]?.id ?? null;
  }

  /** The message if it is still `sending` (locked), with its attempts so far; else null. */
  async lockSending(em: EntityManager, tenantId: string, messageId: string): Promise<{ attempts: number } | null> {
    const [row]: Array<{ attempts: number }> = await em.query(
      `SELECT attempts FROM messages WHERE tenant_id = $1 AND id = $2 AND status = 'sending' FOR UPDATE`,
      [tenantId, messageId],
    );
    return row ?? null;
  }

  async findState(em: EntityManager, tenantId: string, messageId: string): Promise<MessageState> {
    const [row]: MessageState[] = await em.query('SELECT id, status, reason FROM messages WHERE tenant_id = $1 AND id = $2', [tenantId, messageId]);
    return row;
  }

  /** The message of a run's step (locked), or null when the step wrote none. */
  async lockOfStep(em: EntityManager, tenantId: string, runId: string, stepIndex: number): Promise<MessageState | null> {
    const [row]: MessageState[] = await em.query(
      'SELECT id, status, reason FROM messages WHERE tenant_id = $1 AND run_id = $2 AND step_index = $3 FOR UPDATE',
      [tenantId, runId, stepIndex],
    );
    return row ?? null;
  }

  /**
   * Like `lockOfStep`, for an earlier attempt's row that must exist: also whether it is `stale`
   * (unchanged for `staleSeconds`) and whether its retry is `due`.
   */
  async lockEarlierAttempt(
    em: EntityManager,
    tenantId: string,
    runId: string,
    stepIndex: number,
    staleSeconds: number,
  ): Promise<MessageState & { stale: boolean; due: boolean }> {
    const [row]: Array<MessageState & { stale: boolean; due: boolean }> = await em.query(
      `SELECT id, status, reason, updated_at < now() - make_interval(secs => $4) AS stale, retry_at <= now() AS due
         FROM messages WHERE tenant_id = $1 AND run_id = $2 AND step_index = $3 FOR UPDATE`,
      [tenantId, runId, stepIndex, staleSeconds],
    );
    return row;
  }

  /** Not delivered for a reason that may pass: `deferred`, to be sent again after `delaySeconds`. */
  async defer(em: EntityManager, tenantId: string, messageId: string, reason: string, delaySeconds: number): Promise<void> {
    await em.query(
      `UPDATE messages SET status = 'deferred', reason = $3, retry_at = now() + make_interval(secs => $4), updated_at = now()
        WHERE tenant_id = $1 AND id = $2`,
      [tenantId, messageId, reason, delaySeconds],
    );
  }

  /** A final status (sent, failed, …) with its reason; no retry is pending any more. */
  async settle(em: EntityManager, tenantId: string, messageId: string, status: MessageStatus, reason: string | null): Promise<void> {
    await em.query(
      `UPDATE messages SET status = $3, reason = $4, retry_at = NULL, updated_at = now() WHERE tenant_id = $1 AND id = $2`,
      [tenantId, messageId, status, reason],
    );
  }

  /** A deferred message decided again without a send (now blocked, or captured), to the contact's address now. */
  async settleFor(
    em: EntityManager,
    tenantId: string,
    messageId: string,
    status: MessageStatus,
    reason: string | null,
    to: string | null,
  ): Promise<void> {
    await em.query(
      `UPDATE messages SET status = $3, reason = $4, "to" = $5, retry_at = NULL, updated_at = now() WHERE tenant_id = $1 AND id = $2`,
      [tenantId, messageId, status, reason, to],
    );
  }

  /** A deferred message sent again, as the contact and the template render now: one more attempt. */
  async resend(
    em: EntityManager,
    tenantId: string,
    messageId: string,
    email: { to: string | null; subject: string; text: string; html: string | null },
  ): Promise<void> {
    await em.query(
      `UPDATE messages SET status = 'sending', attempts = attempts + 1, "to" = $3, subject = $4, text = $5, html = $6, retry_at = NULL,
              updated_at = now()
        WHERE tenant_id = $1 AND id = $2`,
      [tenantId, messageId, email.to, email.subject, email.text, email.html],
    );
  }

  /** A tenant's outbox, newest first. */
  page(tenantId: string, query: PageQueryDto): Promise<Page<Message>> {
    const qb = this.dataSource.getRepository(Message).createQueryBuilder('m').where('m.tenant_id = :tenantId', { tenantId });
    const spec = { scope: `messages:${tenantId}`, alias: 'm', column: 'created_at', order: 'DESC', at: (m: Message) => m.createdAt, id: (m: Message) => m.id } as const;
    return this.pages.page(qb, query, spec, (m) => m);
  }
  /**
   * An erasure (docs/data-rights.md#erase): the contact's messages stay as rows (the outbox and
   * other contacts' counts keep adding up) but lose their address, subject, body and any SMTP
   * answer (which may quote the address), and their links to the run and the contact. One still
   * in flight is closed as failed.
   */
  async eraseOfContact(em: EntityManager, tenantId: string, contactId: string): Promise<void> {
    await em.query(
      `UPDATE messages SET "to" = 'erased', subject = 'erased', text = 'erased',
              reason = CASE WHEN status = 'blocked' OR reason IS NULL THEN reason ELSE 'erased' END,
              status = CASE WHEN status IN ('sending', 'deferred') THEN 'failed' ELSE status END,
              retry_at = NULL, run_id = NULL, contact_id = NULL, updated_at = now()
        WHERE tenant_id = $1 AND contact_id = $2`,
      [tenantId, contactId],
    );
  }

  /** A merge: the messages of `fromId` belong to the survivor from now on. */
  async moveContact(em: EntityManager, tenantId: string, fromId: string, toId: string): Promise<void> {
    await em.query('UPDATE messages SET contact_id = $3 WHERE tenant_id = $1 AND contact_id = $2', [tenantId, fromId, toId]);
  }

  /** A page of a contact's messages, oldest first, after `after` (an export reads them page by page). */
  pageOfContact(tenantId: string, contactId: string, after: { at: Date; id: string } | null, limit: number): Promise<Message[]> {
    const qb = this.dataSource
      .getRepository(Message)
      .createQueryBuilder('m')
      .where('m.tenant_id = :tenantId AND m.contact_id = :contactId', { tenantId, contactId })
      .orderBy('m.created_at', 'ASC')
      .addOrderBy('m.id', 'ASC')
      .limit(limit);
    if (after) qb.andWhere('(m.created_at, m.id) > (:at, :id)', { at: after.at, id: after.id });
    return qb.getMany();
  }

  /** One contact's emails, newest first (its timeline on the dashboard). */
  listOfContact(tenantId: string, contactId: string, query: PageQueryDto): Promise<Page<Message>> {
    const qb = this.dataSource
      .getRepository(Message)
      .createQueryBuilder('m')
      .where('m.tenant_id = :tenantId AND m.contact_id = :contactId', { tenantId, contactId });
    const spec = {
      scope: `contact-messages:${tenantId}:${contactId}`,
      alias: 'm',
      column: 'created_at',
      order: 'DESC',
      at: (m: Message) => m.createdAt,
      id: (m: Message) => m.id,
    } as const;
    return this.pages.page(qb, query, spec, (m) => m);
  }
}
