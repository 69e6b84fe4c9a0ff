import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ContactsRepository, type Recipient } from '../contacts/contacts.repository.js';
import { EventsRepository } from '../contacts/events.repository.js';
import type { BlockReason, MessageStatus, StepRecord } from './dto/activity.dto.js';
import type { JourneyStep } from './dto/journey.dto.js';
import { type DeliveryOutcome, Mailer, type OutgoingEmail } from './mailer.service.js';
import { MessagesRepository } from './messages.repository.js';
import { renderEmail, type TemplateContext } from './template.js';
import { longestSendSeconds } from './journey-jobs.service.js';
import { sealUnsubscribeToken, unsubscribeKey } from './unsubscribe-token.js';

/** The run fields a send step needs. */
export interface RunRef {
  tenantId: string;
  id: string;
  journeyId: string;
  contactId: string;
  eventId: string;
  /** The due step's path in the definition (its records name it). */
  path: string;
}

type EmailStep = Extract<JourneyStep, { type: 'send_email' }>;
type SendRecord = Extract<StepRecord, { type: 'send_email' }>;

/**
 * What the step does now: it is settled in this transaction; or an email must be handed to SMTP
 * after it commits; or nothing (a deferred send whose retry is not due: its own job will come).
 */
export type Prepared =
  | { kind: 'settled'; record: SendRecord }
  | { kind: 'deliver'; email: OutgoingEmail; index: number; path: string }
  | { kind: 'later' };

/** After a hand-off: the step is settled, or the send is retried after `delaySeconds`. */
export type Finished = { kind: 'settled'; record: SendRecord } | { kind: 'retry'; delaySeconds: number };

const INTERRUPTED = 'interrupted: the delivery outcome is unknown, so it was not resent';

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
    private readonly messages: MessagesRepository,
    private readonly contacts: ContactsRepository,
    private readonly events: EventsRepository,
  ) {
    this.tokenKey = unsubscribeKey(config.secretsKey);
    this.staleSeconds = longestSendSeconds(config);
  }

  unsubscribeUrl(tenantId: string, contactId: string): string {
    return `${this.config.publicBaseUrl}/u/${sealUnsubscribeToken(this.tokenKey, tenantId, contactId)}`;
  }

  async prepare(em: EntityManager, run: RunRef, index: number, step: EmailStep): Promise<Prepared> {
    // A run's contact and event cannot go away while the run exists (foreign keys).
    const contact = (await this.contacts.findRecipient(em, run.tenantId, run.contactId))!;
    const event = await this.events.findById(em, run.tenantId, run.eventId);
    const ctx: TemplateContext = {
      contact: { name: contact.name, email: contact.email, attributes: contact.attributes },
      event: event && { type: event.type, properties: event.properties },
    };
    const { subject, text, html } = renderEmail(step, ctx);
    const blocked = blockReason(contact);
    const status: MessageStatus = blocked ? 'blocked' : this.mailer.capturing ? 'captured' : 'sending';

    const id = await this.messages.insertFirstAttempt(em, {
      tenantId: run.tenantId,
      journeyId: run.journeyId,
      runId: run.id,
      contactId: run.contactId,
      stepIndex: index,
      to: contact.email,
      subject,
      text,
      html,
      status,
      reason: blocked,
      attempts: status === 'sending' ? 1 : 0,
    });
    if (id === null) return this.settleEarlierAttempt(em, run, index, { to: contact.email, subject, text, html, status, blocked });
    if (status !== 'sending') return { kind: 'settled', record: record(run.path, id, status, blocked) };
    return {
      kind: 'deliver',
      index,
      path: run.path,
      email: { id, to: contact.email!, subject, text, html, unsubscribeUrl: this.unsubscribeUrl(run.tenantId, run.contactId) },
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
    path: string,
    email: OutgoingEmail,
    outcome: DeliveryOutcome,
    canRetry: boolean,
  ): Promise<Finished> {
    const row = await this.messages.lockSending(em, tenantId, email.id);
    if (!row) {
      // Closed meanwhile (a dead-letter handler gave up on this step): take it as it is.
      const now = await this.messages.findState(em, tenantId, email.id);
      return { kind: 'settled', record: record(path, email.id, now.status === 'sending' || now.status === 'deferred' ? 'failed' : now.status, now.reason) };
    }
    const schedule = this.config.smtpRetrySchedule;
    if (!outcome.ok && outcome.transient && canRetry && row.attempts <= schedule.length) {
      const delaySeconds = schedule[row.attempts - 1];
      await this.messages.defer(em, tenantId, email.id, outcome.reason, delaySeconds);
      return { kind: 'retry', delaySeconds };
    }
    const status = outcome.ok ? 'sent' : 'failed';
    const reason = outcome.ok
      ? null
      : outcome.transient && row.attempts > 1
        ? `gave up after ${row.attempts} attempts: ${outcome.reason}`
        : outcome.reason;
    await this.messages.settle(em, tenantId, email.id, status, reason);
    return { kind: 'settled', record: record(path, email.id, status, reason) };
  }

  /**
   * Closes the message of a step whose job has failed every attempt: a `sending` one's outcome
   * is unknown (never resent), a `deferred` one was not delivered. Answers the step's record, or
   * null when there is no message (the step failed before writing it).
   */
  async giveUp(em: EntityManager, run: RunRef, index: number, reason: string): Promise<SendRecord | null> {
    const row = await this.messages.lockOfStep(em, run.tenantId, run.id, index);
    if (!row) return null;
    if (row.status !== 'sending' && row.status !== 'deferred') return record(run.path, row.id, row.status, row.reason);
    const closed = row.status === 'sending' ? INTERRUPTED : `${reason}; last SMTP answer: ${row.reason ?? 'none'}`.slice(0, 500);
    await this.messages.settle(em, run.tenantId, row.id, 'failed', closed);
    return record(run.path, row.id, 'failed', closed);
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
    now: { to: string | null; subject: string; text: string; html: string | null; status: MessageStatus; blocked: BlockReason | null },
  ): Promise<Prepared> {
    const row = await this.messages.lockEarlierAttempt(em, run.tenantId, run.id, index, this.staleSeconds);
    if (row.status === 'deferred') {
      if (!row.due) return { kind: 'later' };
      if (now.status !== 'sending') {
        await this.messages.settleFor(em, run.tenantId, row.id, now.status, now.blocked, now.to);
        return { kind: 'settled', record: record(run.path, row.id, now.status, now.blocked) };
      }
      await this.messages.resend(em, run.tenantId, row.id, now);
      return {
        kind: 'deliver',
        index,
        path: run.path,
        email: {
          id: row.id,
          to: now.to!,
          subject: now.subject,
          text: now.text,
          html: now.html,
          unsubscribeUrl: this.unsubscribeUrl(run.tenantId, run.contactId),
        },
      };
    }
    if (row.status !== 'sending') return { kind: 'settled', record: record(run.path, row.id, row.status, row.reason) };
    if (!row.stale) throw new Error('an earlier attempt of this send may still be in flight; retrying later');
    await this.messages.settle(em, run.tenantId, row.id, 'failed', INTERRUPTED);
    return { kind: 'settled', record: record(run.path, row.id, 'failed', INTERRUPTED) };
  }
}

/** Why a send is blocked, the most fundamental reason first; null when it may go. */
export function blockReason(c: Pick<Recipient, 'email' | 'hasConsent' | 'unsubscribed' | 'deactivated'>): BlockReason | null {
  if (c.deactivated) return 'deactivated';
  if (c.unsubscribed) return 'unsubscribed';
  if (!c.email) return 'no_email';
  if (!c.hasConsent) return 'no_consent';
  return null;
}

function record(path: string, messageId: string, status: MessageStatus, reason: string | null): SendRecord {
  if (status === 'sending' || status === 'deferred') throw new Error('a send step is recorded once its message is final');
  return { path, type: 'send_email', status, at: new Date().toISOString(), messageId, reason };
}
