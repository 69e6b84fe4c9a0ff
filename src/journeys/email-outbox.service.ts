import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { BlockReason, MessageStatus, StepRecord } from './dto/activity.dto.js';
import type { JourneyStep } from './dto/journey.dto.js';
import { type DeliveryOutcome, Mailer, type OutgoingEmail } from './mailer.service.js';
import { type Fields, renderSubject, renderTemplate, type TemplateContext } from './template.js';
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

/** Either the step is settled in this transaction, or an email must be handed to SMTP after it commits. */
export type Prepared = { kind: 'settled'; record: SendRecord } | { kind: 'deliver'; email: OutgoingEmail; index: number };

/**
 * A `sending` row older than this belongs to an attempt that died (a live one gives up on SMTP
 * well before: see the Mailer's timeouts); a younger one may still be in flight elsewhere.
 */
const SENDING_STALE_SECONDS = 150;

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
 * 3. `finish` (in a new transaction) records `sent` or `failed`.
 * The unique (tenant_id, run_id, step_index) row is what a retried job finds: it never sends again.
 */
@Injectable()
export class EmailOutbox {
  private readonly tokenKey: Buffer;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly mailer: Mailer,
  ) {
    this.tokenKey = unsubscribeKey(config.secretsKey);
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
      `INSERT INTO messages (tenant_id, id, journey_id, run_id, contact_id, step_index, "to", subject, text, status, reason)
       VALUES ($1, gen_random_uuid(), $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (tenant_id, run_id, step_index) DO NOTHING
       RETURNING id`,
      [run.tenantId, run.journeyId, run.id, run.contactId, index, row.email, subject, text, status, blocked],
    );
    if (inserted.length === 0) return { kind: 'settled', record: await this.settleEarlierAttempt(em, run, index) };
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

  async finish(em: EntityManager, tenantId: string, index: number, email: OutgoingEmail, outcome: DeliveryOutcome): Promise<SendRecord> {
    const status = outcome.ok ? 'sent' : 'failed';
    const reason = outcome.ok ? null : outcome.reason;
    await em.query(
      `UPDATE messages SET status = $3, reason = $4, updated_at = now()
        WHERE tenant_id = $1 AND id = $2 AND status = 'sending'`,
      [tenantId, email.id, status, reason],
    );
    return record(index, email.id, status, reason);
  }

  /**
   * The row exists: an earlier attempt of this step got at least as far as inserting it. A final
   * row is taken as it is. A `sending` row means that attempt stopped between its insert and its
   * status update, possibly after SMTP accepted the email: at-most-once, so it is never resent.
   * Once stale it is closed as failed (`interrupted`); while fresh, the job is retried later.
   */
  private async settleEarlierAttempt(em: EntityManager, run: RunRef, index: number): Promise<SendRecord> {
    const [row]: Array<{ id: string; status: MessageStatus; reason: string | null; stale: boolean }> = await em.query(
      `SELECT id, status, reason, updated_at < now() - make_interval(secs => $4) AS stale
         FROM messages WHERE tenant_id = $1 AND run_id = $2 AND step_index = $3 FOR UPDATE`,
      [run.tenantId, run.id, index, SENDING_STALE_SECONDS],
    );
    if (row.status !== 'sending') return record(index, row.id, row.status, row.reason);
    if (!row.stale) throw new Error('an earlier attempt of this send may still be in flight; retrying later');
    const reason = 'interrupted: the delivery outcome is unknown, so it was not resent';
    await em.query(
      `UPDATE messages SET status = 'failed', reason = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2`,
      [run.tenantId, row.id, reason],
    );
    return record(index, row.id, 'failed', reason);
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
  if (status === 'sending') throw new Error('a send step is recorded once its message is final');
  return { index, type: 'send_email', status, at: new Date().toISOString(), messageId, reason };
}
