import { ClerkAdapter } from './clerk.adapter.js';
import { PolarAdapter } from './polar.adapter.js';
import { StripeAdapter } from './stripe.adapter.js';
import type { WebhookAdapter, WebhookProviderName } from './webhook-adapter.js';

/** Every provider this server accepts webhooks from; a fourth is one adapter file and one line here. */
export const WEBHOOK_ADAPTERS: Record<WebhookProviderName, WebhookAdapter> = {
  stripe: new StripeAdapter(),
  polar: new PolarAdapter(),
  clerk: new ClerkAdapter(),
};

export function adapterFor(provider: string): WebhookAdapter | null {
  return Object.hasOwn(WEBHOOK_ADAPTERS, provider) ? WEBHOOK_ADAPTERS[provider as WebhookProviderName] : null;
}
