import { Inject, Injectable } from '@nestjs/common';
import { notFound } from '../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ContactsRepository } from '../contacts/contacts.repository.js';
import { openUnsubscribeToken, unsubscribeKey } from './unsubscribe-token.js';

const page = (title: string, body: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${title}</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem">
${body}
</body></html>
`;

/**
 * What GET and HEAD answer: a question and a button. The form has no action, so it posts back to
 * the URL the page was served from (whatever path PUBLIC_BASE_URL has), with the RFC 8058 body.
 */
const CONFIRM_PAGE = page(
  'Unsubscribe',
  `<h1>Unsubscribe from these emails?</h1>
<form method="post">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button>
</form>`,
);

const DONE_PAGE = page('Unsubscribed', `<h1>You are unsubscribed</h1>\n<p>You will not receive these emails any more.</p>`);

/**
 * `/u/{token}`: the tokens are opaque capabilities (unsubscribe-token.ts), no login. Mail link
 * scanners follow GET and HEAD, so only a POST (the page's button, or an RFC 8058 one-click
 * client) unsubscribes.
 */
@Injectable()
export class UnsubscribeService {
  private readonly key: Buffer;
  private readonly legacyKey: Buffer;

  constructor(
    private readonly contacts: ContactsRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.key = unsubscribeKey(config.secretsKey);
    this.legacyKey = unsubscribeKey(config.secretsKey, 'v1');
  }

  private ids(token: string): { tenantId: string; contactId: string } {
    const ids = openUnsubscribeToken(this.key, token, this.legacyKey);
    if (!ids) throw notFound('unsubscribe link');
    return ids;
  }

  /** GET/HEAD: reads only. A token that is not ours, or whose contact is gone, is a 404. */
  async confirmationPage(token: string): Promise<string> {
    const { tenantId, contactId } = this.ids(token);
    const unsubscribed = await this.contacts.isUnsubscribed(tenantId, contactId);
    if (unsubscribed === null) throw notFound('unsubscribe link');
    return unsubscribed ? DONE_PAGE : CONFIRM_PAGE;
  }

  /** POST: unsubscribes the token's contact from journey email; repeats keep the first time. */
  async unsubscribe(token: string): Promise<string> {
    const { tenantId, contactId } = this.ids(token);
    if (!(await this.contacts.markUnsubscribed(tenantId, contactId))) throw notFound('unsubscribe link');
    return DONE_PAGE;
  }
}
