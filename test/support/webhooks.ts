import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import type { DataSource } from 'typeorm';
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

/**
 * An internal error inside the mapping, for tests only: a trigger that refuses the lifecycle
 * event of any delivery whose id holds "fault" (message id `<provider>:<id>`), so the
 * delivery's transaction fails after everything before it ran.
 */
export async function installMappingFault(db: DataSource): Promise<void> {
  await db.query(`
    CREATE OR REPLACE FUNCTION test_refuse_fault_event() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.message_id LIKE '%fault%' THEN RAISE EXCEPTION 'refused by the test trigger: %', NEW.message_id; END IF;
      RETURN NEW;
    END $$;
    DROP TRIGGER IF EXISTS test_refuse_fault_event ON events;
    CREATE TRIGGER test_refuse_fault_event BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION test_refuse_fault_event();`);
}

/** The fix: the fault trigger gone. */
export async function removeMappingFault(db: DataSource): Promise<void> {
  await db.query('DROP TRIGGER IF EXISTS test_refuse_fault_event ON events; DROP FUNCTION IF EXISTS test_refuse_fault_event();');
}
