import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { BlockReason, MessageStatus, StepRecord } from './dto/activity.dto.js';
import type { JourneyStep } from './dto/journey.dto.js';
import { type DeliveryOutcome, Mailer, type OutgoingEmail } from './mailer.service.js';
import { type Fields, renderSubject, renderTemplate, type TemplateContext } from './template.js';
import { longestSendSeconds } from './journey-jobs.service.js';
import { sealUnsubscribeToken, unsubscribeKey } from './unsubscribe-token.js';

/** The run fields a send step needs. */
export interface RunRef {
  tenantId: string;
  id: string;
  journeyId: string;
  contactId: string;
  eventId: string;
}

type EmailStep = Extract<JourneyStep, { type: 'send_email' }>;
type SendRecord = Extract<StepRecord, { type: 'send_email' }>;

/**
 * What the step does now: it is settled in this transaction; or an email must be handed to SMTP
 * after it commits; or nothing (a deferred send whose retry is not due: its own job will come).
 */
export type Prepared =
  | { kind: 'settled'; record: SendRecord }
  | { kind: 'deliver'; email: OutgoingEmail; index: number }
  | { kind: 'later' };

/** After a hand-off: the step is settled, or the send is retried after `delaySeconds`. */
export type Finished = { kind: 'settled'; record: SendRecord } | { kind: 'retry'; delaySeconds: number };

const INTERRUPTED = 'interrupted: the delivery outcome is unknown, so it was not resent';

interface ContactRow {
  name: string | null;
  email: string | null;
  attributes: Fields;
  has_consent: boolean;
  unsubscribed: boolean;
  deactivated: boolean;
  event_type: string | null;
  event_properties: Fields | null;
}

/**
 * The outbox protocol of a `send_email` step, at most one email per (run, step):
 * 1. `prepare` (in the step's transaction, the run row locked): render, decide whether the send
 *    is blocked, and insert the message row. Blocked and captured rows are final at once. A
 *    deliverable one is inserted as `sending` and committed before any SMTP traffic.
 * 2. the caller hands the email to SMTP, outside any transaction;
 * 3. `finish` (in a new transaction) records `sent`, `failed`, or `deferred` when the server did
 *    not take it for a reason that may pass: then the step's job is scheduled again after the
 *    next delay of SMTP_RETRY_SCHEDULE, and that job sends it again (its outcome was known: not
 *    delivered). When the schedule is used up, the send fails.
 * The unique (tenant_id, run_id, step_index) row is what a retried job finds: a `sending` row
 * (outcome unknown) is never sent again.
 */
@Injectable()
export class EmailOutbox {
  private readonly tokenKey: Buffer;
  /**
   * A `sending` row older than this belongs to an attempt that died (a live one gives up on SMTP
   * well before: see the Mailer's timeouts); a younger one may still be in flight elsewhere.
   */
  private readonly staleSeconds: number;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly mailer: Mailer,
  ) {
    this.tokenKey = unsubscribeKey(config.secretsKey);
    this.staleSeconds = longestSendSeconds(config);
  }

  unsubscribeUrl(tenantId: string, contactId: string): string {
    return `${this.config.publicBaseUrl}/u/${sealUnsubscribeToken(this.tokenKey, tenantId, contactId)}`;
  }

  async prepare(em: EntityManager, run: RunRef, index: number, step: EmailStep): Promise<Prepared> {
    const [row]: ContactRow[] = await em.query(
      `SELECT c.name, c.email, c.attributes, c.consent IS NOT NULL AS has_consent,
              c.unsubscribed_at IS NOT NULL AS unsubscribed, c.deactivated_at IS NOT NULL AS deactivated,
              e.type AS event_type, e.properties AS event_properties
         FROM contacts c LEFT JOIN events e ON e.tenant_id = c.tenant_id AND e.id = $3
        WHERE c.tenant_id = $1 AND c.id = $2`,
      [run.tenantId, run.contactId, run.eventId],
    );
    const ctx: TemplateContext = {
      contact: { name: row.name, email: row.email, attributes: row.attributes },
      event: row.event_type === null ? null : { type: row.event_type, properties: row.event_properties ?? {} },
    };
    const subject = renderSubject(step.subject, ctx);
    const text = renderTemplate(step.text, ctx);
    const blocked = blockReason(row);
    const status: MessageStatus = blocked ? 'blocked' : this.mailer.capturing ? 'captured' : 'sending';

    const inserted: Array<{ id: string }> = await em.query(
      `INSERT INTO messages (tenant_id, id, journey_id, run_id, contact_id, step_index, "to", subject, text, status, reason, attempts)
       VALUES ($1, gen_random_uuid(), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (tenant_id, run_id, step_index) DO NOTHING
       RETURNING id`,
      [run.tenantId, run.journeyId, run.id, run.contactId, index, row.email, subject, text, status, blocked, status === 'sending' ? 1 : 0],
    );
    if (inserted.length === 0) return this.settleEarlierAttempt(em, run, index, { to: row.email, subject, text, status, blocked });
    const id = inserted[0].id;
    if (status !== 'sending') return { kind: 'settled', record: record(index, id, status, blocked) };
    return {
      kind: 'deliver',
      index,
      email: { id, to: row.email!, subject, text, unsubscribeUrl: this.unsubscribeUrl(run.tenantId, run.contactId) },
    };
  }

  deliver(email: OutgoingEmail): Promise<DeliveryOutcome> {
    return this.mailer.send(email);
  }

  /**
   * Records what came of a hand-off. A transient failure is `deferred` while SMTP_RETRY_SCHEDULE
   * has delays left (and `canRetry`: the run still waits on this step), else the send fails.
   */
  async finish(
    em: EntityManager,
    tenantId: string,
    index: number,
    email: OutgoingEmail,
    outcome: DeliveryOutcome,
    canRetry: boolean,
  ): Promise<Finished> {
    const [row]: Array<{ attempts: number }> = await em.query(
      `SELECT attempts FROM messages WHERE tenant_id = $1 AND id = $2 AND status = 'sending' FOR UPDATE`,
      [tenantId, email.id],
    );
    if (!row) {
      // Closed meanwhile (a dead-letter handler gave up on this step): take it as it is.
      const [now]: Array<{ status: MessageStatus; reason: string | null }> = await em.query(
        'SELECT status, reason FROM messages WHERE tenant_id = $1 AND id = $2',
        [tenantId, email.id],
      );
      return { kind: 'settled', record: record(index, email.id, now.status === 'sending' || now.status === 'deferred' ? 'failed' : now.status, now.reason) };
    }
    const schedule = this.config.smtpRetrySchedule;
    if (!outcome.ok && outcome.transient && canRetry && row.attempts <= schedule.length) {
      const delaySeconds = schedule[row.attempts - 1];
      await em.query(
        `UPDATE messages SET status = 'deferred', reason = $3, retry_at = now() + make_interval(secs => $4), updated_at = now()
          WHERE tenant_id = $1 AND id = $2`,
        [tenantId, email.id, outcome.reason, delaySeconds],
      );
      return { kind: 'retry', delaySeconds };
    }
    const status = outcome.ok ? 'sent' : 'failed';
    const reason = outcome.ok
      ? null
      : outcome.transient && row.attempts > 1
        ? `gave up after ${row.attempts} attempts: ${outcome.reason}`
        : outcome.reason;
    await em.query(
      `UPDATE messages SET status = $3, reason = $4, retry_at = NULL, updated_at = now() WHERE tenant_id = $1 AND id = $2`,
      [tenantId, email.id, status, reason],
    );
    return { kind: 'settled', record: record(index, email.id, status, reason) };
  }

  /**
   * Closes the message of a step whose job has failed every attempt: a `sending` one's outcome
   * is unknown (never resent), a `deferred` one was not delivered. Answers the step's record, or
   * null when there is no message (the step failed before writing it).
   */
  async giveUp(em: EntityManager, run: RunRef, index: number, reason: string): Promise<SendRecord | null> {
    const [row]: Array<{ id: string; status: MessageStatus; reason: string | null }> = await em.query(
      'SELECT id, status, reason FROM messages WHERE tenant_id = $1 AND run_id = $2 AND step_index = $3 FOR UPDATE',
      [run.tenantId, run.id, index],
    );
    if (!row) return null;
    if (row.status !== 'sending' && row.status !== 'deferred') return record(index, row.id, row.status, row.reason);
    const closed = row.status === 'sending' ? INTERRUPTED : `${reason}; last SMTP answer: ${row.reason ?? 'none'}`.slice(0, 500);
    await em.query(
      `UPDATE messages SET status = 'failed', reason = $3, retry_at = NULL, updated_at = now() WHERE tenant_id = $1 AND id = $2`,
      [run.tenantId, row.id, closed],
    );
    return record(index, row.id, 'failed', closed);
  }

  /**
   * The row exists: an earlier attempt of this step got at least as far as inserting it. A final
   * row is taken as it is. A `sending` row means that attempt stopped between its hand-off and
   * its status update, possibly after SMTP accepted the email: at-most-once, so it is never
   * resent. Once stale it is closed as failed (`interrupted`); while fresh, the job is retried
   * later. A `deferred` row was not delivered: once its retry is due, it is sent again as the
   * contact is now (or blocked, if the contact can no longer be emailed).
   */
  private async settleEarlierAttempt(
    em: EntityManager,
    run: RunRef,
    index: number,
    now: { to: string | null; subject: string; text: string; status: MessageStatus; blocked: BlockReason | null },
  ): Promise<Prepared> {
    const [row]: Array<{ id: string; status: MessageStatus; reason: string | null; stale: boolean; due: boolean }> = await em.query(
      `SELECT id, status, reason, updated_at < now() - make_interval(secs => $4) AS stale, retry_at <= now() AS due
         FROM messages WHERE tenant_id = $1 AND run_id = $2 AND step_index = $3 FOR UPDATE`,
      [run.tenantId, run.id, index, this.staleSeconds],
    );
    if (row.status === 'deferred') {
      if (!row.due) return { kind: 'later' };
      if (now.status !== 'sending') {
        await em.query(
          `UPDATE messages SET status = $3, reason = $4, "to" = $5, retry_at = NULL, updated_at = now() WHERE tenant_id = $1 AND id = $2`,
          [run.tenantId, row.id, now.status, now.blocked, now.to],
        );
        return { kind: 'settled', record: record(index, row.id, now.status, now.blocked) };
      }
      await em.query(
        `UPDATE messages SET status = 'sending', attempts = attempts + 1, "to" = $3, subject = $4, text = $5, retry_at = NULL, updated_at = now()
          WHERE tenant_id = $1 AND id = $2`,
        [run.tenantId, row.id, now.to, now.subject, now.text],
      );
      return {
        kind: 'deliver',
        index,
        email: { id: row.id, to: now.to!, subject: now.subject, text: now.text, unsubscribeUrl: this.unsubscribeUrl(run.tenantId, run.contactId) },
      };
    }
    if (row.status !== 'sending') return { kind: 'settled', record: record(index, row.id, row.status, row.reason) };
    if (!row.stale) throw new Error('an earlier attempt of this send may still be in flight; retrying later');
    await em.query(
      `UPDATE messages SET status = 'failed', reason = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2`,
      [run.tenantId, row.id, INTERRUPTED],
    );
    return { kind: 'settled', record: record(index, row.id, 'failed', INTERRUPTED) };
  }
}

/** Why a send is blocked, the most fundamental reason first; null when it may go. */
export function blockReason(c: Pick<ContactRow, 'email' | 'has_consent' | 'unsubscribed' | 'deactivated'>): BlockReason | null {
  if (c.deactivated) return 'deactivated';
  if (c.unsubscribed) return 'unsubscribed';
  if (!c.email) return 'no_email';
  if (!c.has_consent) return 'no_consent';
  return null;
}

function record(index: number, messageId: string, status: MessageStatus, reason: string | null): SendRecord {
  if (status === 'sending' || status === 'deferred') throw new Error('a send step is recorded once its message is final');
  return { index, type: 'send_email', status, at: new Date().toISOString(), messageId, reason };
}
