import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { notFound } from '../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { unsubscribeKey, verifyUnsubscribeToken } from './unsubscribe-token.js';

const CONFIRMATION_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Unsubscribed</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem">
<h1>You are unsubscribed</h1>
<p>You will not receive these emails any more.</p>
</body></html>
`;

/** One-click unsubscribe (`/u/{token}`, RFC 8058): signed tokens, no login. */
@Injectable()
export class UnsubscribeService {
  private readonly key: Buffer;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.key = unsubscribeKey(config.secretsKey);
  }

  /**
   * Unsubscribes the token's contact from journey email; repeats keep the first time. A token
   * that is not ours, or whose contact is gone, is a 404.
   */
  async unsubscribe(token: string): Promise<void> {
    const ids = verifyUnsubscribeToken(this.key, token);
    if (!ids) throw notFound('unsubscribe link');
    const [, affected]: [unknown, number] = await this.dataSource.query(
      `UPDATE contacts SET unsubscribed_at = COALESCE(unsubscribed_at, now()) WHERE tenant_id = $1 AND id = $2`,
      [ids.tenantId, ids.contactId],
    );
    if (affected !== 1) throw notFound('unsubscribe link');
  }

  async confirmationPage(token: string): Promise<string> {
    await this.unsubscribe(token);
    return CONFIRMATION_PAGE;
  }

  async oneClick(token: string): Promise<{ status: 'unsubscribed' }> {
    await this.unsubscribe(token);
    return { status: 'unsubscribed' };
  }
}
