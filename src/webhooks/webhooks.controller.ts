import { Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { Access } from '../common/access.decorator.js';
import type { VerifiedDelivery, WebhookProviderName } from './adapters/webhook-adapter.js';
import { VerifiedWebhook, WebhookSignatureGuard } from './webhook-signature.guard.js';
import { type WebhookAnswer, WebhooksService } from './webhooks.service.js';

@Controller('api/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  /** Stripe, Polar or Clerk; the guard has verified the signature on the raw body. */
  @Post(':provider/:tenantId')
  @HttpCode(200)
  @Access('webhook')
  @UseGuards(WebhookSignatureGuard)
  receive(
    @VerifiedWebhook() delivery: VerifiedDelivery & { provider: WebhookProviderName; tenantId: string },
  ): Promise<WebhookAnswer> {
    return this.webhooks.process(delivery);
  }
}
