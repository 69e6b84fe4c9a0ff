/**
 * Unsubscribe tokens: tenant id and contact id (16 bytes each) followed by the first 16 bytes of
 * an HMAC-SHA256 over them, base64url (64 characters). The HMAC key is derived from SECRETS_KEY
 * with HKDF, so the encryption key itself never signs anything.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { isUuid } from '../common/ids.js';

const MAC_BYTES = 16;
const TOKEN_BYTES = 32 + MAC_BYTES;

export function unsubscribeKey(secretsKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', secretsKey, Buffer.alloc(0), 'mara:unsubscribe-token:v1', 32));
}

const uuidBytes = (id: string): Buffer => Buffer.from(id.replace(/-/g, ''), 'hex');
const uuidText = (b: Buffer): string => {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};
const mac = (key: Buffer, ids: Buffer): Buffer => createHmac('sha256', key).update(ids).digest().subarray(0, MAC_BYTES);

export function signUnsubscribeToken(key: Buffer, tenantId: string, contactId: string): string {
  if (!isUuid(tenantId) || !isUuid(contactId)) throw new Error('unsubscribe tokens carry uuids');
  const ids = Buffer.concat([uuidBytes(tenantId), uuidBytes(contactId)]);
  return Buffer.concat([ids, mac(key, ids)]).toString('base64url');
}

/** The ids a token was signed for, or null for anything that is not such a token. */
export function verifyUnsubscribeToken(key: Buffer, token: string): { tenantId: string; contactId: string } | null {
  if (!/^[A-Za-z0-9_-]{64}$/.test(token)) return null;
  const raw = Buffer.from(token, 'base64url');
  if (raw.length !== TOKEN_BYTES) return null;
  const ids = raw.subarray(0, 32);
  if (!timingSafeEqual(raw.subarray(32), mac(key, ids))) return null;
  return { tenantId: uuidText(ids.subarray(0, 16)), contactId: uuidText(ids.subarray(16)) };
}
