import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import nodemailer from 'nodemailer';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

export interface OutgoingEmail {
  /** The outbox row's id, reused as the Message-ID so a receiver can spot a duplicate. */
  id: string;
  to: string;
  subject: string;
  text: string;
  /** With an html part, the email is multipart/alternative (text, then html). */
  html: string | null;
  unsubscribeUrl: string;
}

/**
 * What came of a hand-off. `transient`: the server did not take the email for a reason that may
 * pass (connection refused, reset or timed out, an SMTP 4xx), so it may be sent again; otherwise
 * (an SMTP 5xx, a message nodemailer cannot build) sending it again would fail the same way.
 */
export type DeliveryOutcome = { ok: true } | { ok: false; transient: boolean; reason: string };

/** nodemailer's codes for a connection that could not be made, broke or went silent. */
const TRANSIENT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'EPROTOCOL', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE']);

/** Sorts a failed hand-off: the SMTP reply code decides when there is one, else the error's kind. */
export function classifySmtpError(err: unknown): { transient: boolean; reason: string } {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { message?: unknown; code?: unknown; responseCode?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(err);
  const code = typeof e.code === 'string' ? e.code : null;
  const reason = (code && !message.startsWith(code) ? `${code}: ${message}` : message).slice(0, 400);
  if (typeof e.responseCode === 'number') return { transient: e.responseCode >= 400 && e.responseCode < 500, reason };
  return { transient: code !== null && TRANSIENT_CODES.has(code), reason };
}

/**
 * SMTP hand-off with nodemailer to SMTP_URL. With no SMTP_URL there is no transport and journey
 * emails are only captured in the outbox (the step runner asks `capturing` first).
 */
@Injectable()
export class Mailer implements OnApplicationShutdown {
  private readonly transport: ReturnType<typeof nodemailer.createTransport> | null;
  private readonly domain: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.domain = config.emailFrom.split('@')[1];
    const timeout = config.smtpTimeoutSeconds * 1000;
    this.transport = config.smtpUrl
      ? nodemailer.createTransport({
          url: config.smtpUrl,
          pool: true,
          maxConnections: 4,
          // Bounded (SMTP_TIMEOUT_SECONDS), so an attempt always ends well within its job's
          // expiry and the outbox's stale window (longestSendSeconds).
          connectionTimeout: timeout,
          greetingTimeout: timeout,
          socketTimeout: 2 * timeout,
        })
      : null;
  }

  get capturing(): boolean {
    return this.transport === null;
  }

  async send(email: OutgoingEmail): Promise<DeliveryOutcome> {
    if (!this.transport) throw new Error('Mailer.send called without SMTP_URL');
    try {
      await this.transport.sendMail({
        from: this.config.emailFrom,
        to: email.to,
        subject: email.subject,
        text: email.text,
        ...(email.html !== null ? { html: email.html } : {}),
        messageId: `<${email.id}@${this.domain}>`,
        headers: {
          'List-Unsubscribe': `<${email.unsubscribeUrl}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
      });
      return { ok: true };
    } catch (err) {
      return { ok: false, ...classifySmtpError(err) };
    }
  }

  /** After the workers have stopped (JobQueue stops them before application shutdown). */
  onApplicationShutdown(): void {
    this.transport?.close();
  }
}
