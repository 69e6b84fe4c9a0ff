import { decryptSecret, encryptSecret } from '../tenants/secret-box.js';

/**
 * A delivery's raw body at rest: AES-256-GCM with SECRETS_KEY and a fresh nonce, like the
 * provider secrets. The additional data binds the ciphertext to its tenant and its log entry, so a
 * payload copied to another row or tenant does not decrypt.
 */
const context = (tenantId: string, id: string): string => `${tenantId}:webhook-delivery:${id}`;

export function sealPayload(key: Buffer, tenantId: string, id: string, raw: string): string {
  return encryptSecret(key, raw, context(tenantId, id));
}

export function openPayload(key: Buffer, tenantId: string, id: string, sealed: string): string {
  return decryptSecret(key, sealed, context(tenantId, id));
}
