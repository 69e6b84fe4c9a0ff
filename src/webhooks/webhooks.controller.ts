import { applyDecorators, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../common/access.decorator.js';
import { RawJsonBody } from '../common/http/body.js';
import { ApiErrors, ApiTenantParam, JSON_BODY_ERRORS } from '../common/openapi.js';
import type { VerifiedDelivery, WebhookProviderName } from './adapters/webhook-adapter.js';
import { WebhookAnswerView } from './dto/webhook.dto.js';
import { VerifiedWebhook, WebhookProvider, WebhookSignatureGuard } from './webhook-signature.guard.js';
import { WebhooksService } from './webhooks.service.js';

type Delivery = VerifiedDelivery & { provider: WebhookProviderName; tenantId: string; raw: string };

/** The headers each provider signs with (docs/webhooks.md#signatures), verified on the raw body. */
const SIGNATURE_HEADERS: Record<WebhookProviderName, Array<{ name: string; description: string; example: string }>> = {
  stripe: [
    {
      name: 'Stripe-Signature',
      description: 'Timestamp and HMAC-SHA256 signatures, verified with `stripe.webhooks.constructEvent` (300 s tolerance).',
      example: 't=1765000000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd',
    },
  ],
  polar: [
    { name: 'webhook-id', description: 'Standard Webhooks message id; deliveries are deduplicated on it.', example: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W' },
    { name: 'webhook-timestamp', description: 'Unix seconds; refused when more than 300 s away.', example: '1765000000' },
    { name: 'webhook-signature', description: 'Standard Webhooks `v1,<base64 HMAC>` list.', example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=' },
  ],
  clerk: [
    { name: 'svix-id', description: 'Svix message id; deliveries are deduplicated on it.', example: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W' },
    { name: 'svix-timestamp', description: 'Unix seconds; refused when more than 300 s away.', example: '1765000000' },
    { name: 'svix-signature', description: 'Svix `v1,<base64 HMAC>` list, verified with the `svix` library.', example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=' },
  ],
};

const LABEL: Record<WebhookProviderName, string> = { stripe: 'Stripe', polar: 'Polar', clerk: 'Clerk' };

/**
 * One provider's webhook route: its signature guard, and its document (signature headers, the
 * provider's own JSON as the body, the answers of docs/webhooks.md#answers).
 */
function WebhookRoute(provider: WebhookProviderName): MethodDecorator {
  return applyDecorators(
    Post(`${provider}/:tenantId`),
    HttpCode(200),
    Access('webhook'),
    // The signature is verified on the exact bytes, which are parsed only then (by the guard).
    RawJsonBody(),
    WebhookProvider(provider),
    UseGuards(WebhookSignatureGuard),
    ApiOperation({
      operationId: `receive${LABEL[provider]}Webhook`,
      summary: `${LABEL[provider]} webhook`,
      description:
        `Point ${LABEL[provider]}'s webhooks here (the URL is on the Integrations settings row). The signature is ` +
        'checked on the raw body before anything else; a redelivery of a processed event answers `duplicate`.',
    }),
    ApiTenantParam(),
    ...SIGNATURE_HEADERS[provider].map((h) => ApiHeader({ ...h, required: true })),
    ApiBody({
      description: `${LABEL[provider]}'s event JSON, exactly as ${LABEL[provider]} sends it.`,
      schema: { type: 'object', additionalProperties: true },
    }),
    ApiOkResponse({ type: WebhookAnswerView }),
    ApiErrors(...JSON_BODY_ERRORS, 'invalid_signature', 'no_webhook_secret'),
  );
}

@ApiTags('Webhooks')
@Controller('api/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @WebhookRoute('stripe')
  stripe(@VerifiedWebhook() delivery: Delivery): Promise<WebhookAnswerView> {
    return this.webhooks.process(delivery);
  }

  @WebhookRoute('polar')
  polar(@VerifiedWebhook() delivery: Delivery): Promise<WebhookAnswerView> {
    return this.webhooks.process(delivery);
  }

  @WebhookRoute('clerk')
  clerk(@VerifiedWebhook() delivery: Delivery): Promise<WebhookAnswerView> {
    return this.webhooks.process(delivery);
  }
}
