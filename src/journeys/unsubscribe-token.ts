/**
 * Unsubscribe tokens, opaque: the tenant id and contact id (16 bytes each) sealed with
 * AES-256-GCM under a key derived from SECRETS_KEY with HKDF, as
 * base64url(iv[12] | ciphertext[32] | tag[16]) (80 characters). A token reveals neither id, a
 * fresh IV makes every email's token different, and opening one needs no table: the tag proves
 * it is ours. The encryption key of provider secrets itself never touches a token.
 *
 * Emails sent before tokens were sealed carry the earlier, signed format (both ids in clear and
 * 16 bytes of HMAC-SHA256, 64 characters); those links keep working.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { isUuid } from '../common/ids.js';

const IV_BYTES = 12;
const IDS_BYTES = 32;
const TAG_BYTES = 16;
const SEALED_LENGTH = Math.ceil(((IV_BYTES + IDS_BYTES + TAG_BYTES) * 4) / 3); // 80
const LEGACY_MAC_BYTES = 16;
const LEGACY_LENGTH = Math.ceil(((IDS_BYTES + LEGACY_MAC_BYTES) * 4) / 3); // 64
const AAD = Buffer.from('mara:unsubscribe-token');

export type UnsubscribeKeyVersion = 'v1' | 'v2';

/** v2 seals tokens; v1 is the HMAC key of the earlier signed tokens, kept to open old links. */
export function unsubscribeKey(secretsKey: Buffer, version: UnsubscribeKeyVersion = 'v2'): Buffer {
  return Buffer.from(hkdfSync('sha256', secretsKey, Buffer.alloc(0), `mara:unsubscribe-token:${version}`, 32));
}

const uuidBytes = (id: string): Buffer => Buffer.from(id.replace(/-/g, ''), 'hex');
const uuidText = (b: Buffer): string => {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};
const idsOf = (ids: Buffer): { tenantId: string; contactId: string } => ({
  tenantId: uuidText(ids.subarray(0, 16)),
  contactId: uuidText(ids.subarray(16)),
});

export function sealUnsubscribeToken(key: Buffer, tenantId: string, contactId: string): string {
  if (!isUuid(tenantId) || !isUuid(contactId)) throw new Error('unsubscribe tokens carry uuids');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(AAD);
  const sealed = Buffer.concat([cipher.update(Buffer.concat([uuidBytes(tenantId), uuidBytes(contactId)])), cipher.final()]);
  return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
}

/**
 * The ids a token was made for, or null for anything that is not one of ours. `legacyKey` (the v1
 * key) also opens the signed tokens of older emails.
 */
export function openUnsubscribeToken(key: Buffer, token: string, legacyKey?: Buffer): { tenantId: string; contactId: string } | null {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return null;
  if (token.length === SEALED_LENGTH) {
    const raw = Buffer.from(token, 'base64url');
    if (raw.length !== IV_BYTES + IDS_BYTES + TAG_BYTES || raw.toString('base64url') !== token) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES }).setAAD(AAD);
      decipher.setAuthTag(raw.subarray(IV_BYTES + IDS_BYTES));
      return idsOf(Buffer.concat([decipher.update(raw.subarray(IV_BYTES, IV_BYTES + IDS_BYTES)), decipher.final()]));
    } catch {
      return null;
    }
  }
  if (token.length === LEGACY_LENGTH && legacyKey) {
    const raw = Buffer.from(token, 'base64url');
    if (raw.length !== IDS_BYTES + LEGACY_MAC_BYTES || raw.toString('base64url') !== token) return null;
    const ids = raw.subarray(0, IDS_BYTES);
    const mac = createHmac('sha256', legacyKey).update(ids).digest().subarray(0, LEGACY_MAC_BYTES);
    return timingSafeEqual(raw.subarray(IDS_BYTES), mac) ? idsOf(ids) : null;
  }
  return null;
}
