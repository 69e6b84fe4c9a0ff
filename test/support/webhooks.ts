import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import { adminAuth, type TestApp } from './app.js';

export type Provider = 'stripe' | 'polar' | 'clerk';

export const fixture = (provider: Provider, name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.resolve('test/fixtures/webhooks', provider, `${name}.json`), 'utf8'));

export const SECRETS: Record<Provider, string> = {
  stripe: `whsec_test_${randomBytes(12).toString('hex')}`,
  polar: `whsec_polar_${randomBytes(12).toString('hex')}`,
  clerk: `whsec_${randomBytes(24).toString('base64')}`,
};

const stripe = new Stripe('sk_test_placeholder');

/** Signs a body with the provider's own library, the way the provider sends it. */
export function signedHeaders(
  provider: Provider,
  body: string,
  opts: { secret?: string; at?: Date; id?: string } = {},
): Record<string, string> {
  const secret = opts.secret ?? SECRETS[provider];
  const at = opts.at ?? new Date();
  const id = opts.id ?? `msg_${randomUUID()}`;
  switch (provider) {
    case 'stripe':
      return {
        'stripe-signature': stripe.webhooks.generateTestHeaderString({
          payload: body,
          secret,
          timestamp: Math.floor(at.getTime() / 1000),
        }),
      };
    case 'polar': {
      // Polar keys HMAC with the raw UTF-8 bytes of the whole secret string.
      const wh = new StandardWebhook(Buffer.from(secret, 'utf8').toString('base64'));
      return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': wh.sign(id, at, body) };
    }
    case 'clerk': {
      const wh = new SvixWebhook(secret);
      return { 'svix-id': id, 'svix-timestamp': String(Math.floor(at.getTime() / 1000)), 'svix-signature': wh.sign(id, at, body) };
    }
  }
}

export async function configureSecrets(t: TestApp, tenantId: string): Promise<void> {
  for (const provider of ['stripe', 'polar', 'clerk'] as const) {
    await t.http().put(`/admin/tenants/${tenantId}/webhook-secrets/${provider}`).set(adminAuth).send({ secret: SECRETS[provider] }).expect(204);
  }
}

/** Posts a payload signed for its provider; `id` fixes the delivery id (redeliveries reuse it). */
export function deliver(
  t: TestApp,
  provider: Provider,
  tenantId: string,
  payload: Record<string, unknown> | string,
  opts: { secret?: string; at?: Date; id?: string; headers?: Record<string, string> } = {},
) {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return t
    .http()
    .post(`/api/webhooks/${provider}/${tenantId}`)
    .set('Content-Type', 'application/json')
    .set(opts.headers ?? signedHeaders(provider, body, opts))
    .send(body);
}
