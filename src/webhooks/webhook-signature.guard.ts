import { CanActivate, createParamDecorator, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError } from '../common/errors.js';
import { isUuid } from '../common/ids.js';
import { findJsonProblem } from '../common/json-body.js';
import type { AppRequest } from '../common/request-context.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { adapterFor } from './adapters/registry.js';
import {
  InvalidSignatureError,
  MalformedPayloadError,
  type VerifiedDelivery,
  type WebhookProviderName,
} from './adapters/webhook-adapter.js';

export interface WebhookRequest extends AppRequest {
  webhook?: VerifiedDelivery & { provider: WebhookProviderName };
}

const invalidSignature = (): AppError => new AppError('invalid_signature', 'missing or invalid webhook signature');

const WEBHOOK_PROVIDER = 'mara:webhook-provider';

/** Names the provider whose signature a route's WebhookSignatureGuard verifies. */
export const WebhookProvider = (provider: WebhookProviderName): MethodDecorator & ClassDecorator =>
  SetMetadata(WEBHOOK_PROVIDER, provider);

/**
 * Verifies the raw body with the provider's own library (through its adapter) before anything
 * else looks at it. An unknown tenant answers like a wrong signature; a tenant with no secret
 * answers 412. Nothing is written for a refused delivery.
 */
@Injectable()
export class WebhookSignatureGuard implements CanActivate {
  constructor(
    private readonly tenants: TenantsService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<WebhookRequest>();
    const { tenantId } = req.params as { tenantId: string };
    // One route per provider (so each is its own operation in the OpenAPI document, with its headers).
    const provider = this.reflector.get<WebhookProviderName | undefined>(WEBHOOK_PROVIDER, context.getHandler());
    const adapter = provider ? adapterFor(provider) : null;
    if (!adapter) throw new Error('WebhookSignatureGuard used on a route without @WebhookProvider');
    if (!isUuid(tenantId)) throw invalidSignature();
    const secret = await this.tenants.readWebhookSecretIfTenant(tenantId, adapter.provider);
    if (secret === undefined) throw invalidSignature();
    if (secret === null) {
      throw new AppError('no_webhook_secret', `no ${provider} signing secret is configured for this tenant`);
    }
    try {
      req.webhook = { provider: adapter.provider, ...adapter.verify(req.rawBody ?? Buffer.alloc(0), req.headers, secret) };
    } catch (err) {
      if (err instanceof MalformedPayloadError) {
        throw new AppError('bad_request', `body: ${err.message.replace(/^body /, '')}`);
      }
      if (err instanceof InvalidSignatureError) throw invalidSignature();
      throw err;
    }
    const problem = findJsonProblem(req.webhook.payload);
    if (problem) throw new AppError('bad_request', problem);
    return true;
  }
}

/** The delivery WebhookSignatureGuard verified, with its tenant and its body as received. */
export const VerifiedWebhook = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): NonNullable<WebhookRequest['webhook']> & { tenantId: string; raw: string } => {
    const req = ctx.switchToHttp().getRequest<WebhookRequest>();
    if (!req.webhook) throw new Error('VerifiedWebhook used on a route without WebhookSignatureGuard');
    // The adapters verified and parsed exactly this UTF-8 text.
    return { ...req.webhook, tenantId: req.params.tenantId as string, raw: (req.rawBody ?? Buffer.alloc(0)).toString('utf8') };
  },
);
