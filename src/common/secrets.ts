import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Compares two secrets in constant time (hashing first makes the lengths equal). */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * A key of one tenant for one purpose, derived from SECRETS_KEY with HKDF (the tenant id is the
 * salt): what one tenant's key produces says nothing about another's, and SECRETS_KEY itself
 * never keys anything directly.
 */
export function tenantKey(secretsKey: Buffer, purpose: string, tenantId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secretsKey, Buffer.from(tenantId), `mara:${purpose}`, 32));
}

/** HMAC-SHA256 of `value` under `key`, hex. */
export function keyedHash(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value).digest('hex');
}
