import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import nodemailer from 'nodemailer';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

export interface OutgoingEmail {
  /** The outbox row's id, reused as the Message-ID so a receiver can spot a duplicate. */
  id: string;
  to: string;
  subject: string;
  text: string;
  unsubscribeUrl: string;
}

export type DeliveryOutcome = { ok: true } | { ok: false; reason: string };

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
    this.transport = config.smtpUrl
      ? nodemailer.createTransport({
          url: config.smtpUrl,
          pool: true,
          maxConnections: 4,
          // Bounded, so a step job always ends well within its pg-boss expiry (JourneyJobs).
          connectionTimeout: 20_000,
          greetingTimeout: 20_000,
          socketTimeout: 40_000,
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
        messageId: `<${email.id}@${this.domain}>`,
        headers: {
          'List-Unsubscribe': `<${email.unsubscribeUrl}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
      });
      return { ok: true };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      return { ok: false, reason: reason.slice(0, 500) };
    }
  }

  /** After the workers have stopped (JourneyJobs stops them before application shutdown). */
  onApplicationShutdown(): void {
    this.transport?.close();
  }
}
