import { createHmac } from 'node:crypto';
import { openUnsubscribeToken, sealUnsubscribeToken, unsubscribeKey } from './unsubscribe-token.js';

const secretsKey = Buffer.alloc(32, 7);
const key = unsubscribeKey(secretsKey);
const tenantId = '3f0c2a4e-8d1b-4c3a-9e2f-0a1b2c3d4e5f';
const contactId = '9a1f0000-1111-4222-8333-444455556666';

/** Every way an id could show through a token: hex, base64, base64url of its bytes, the text itself. */
function spellings(id: string): string[] {
  const bytes = Buffer.from(id.replace(/-/g, ''), 'hex');
  const b64 = (b: Buffer): string[] => [b.toString('base64url'), b.toString('base64').replace(/=+$/, '')];
  // Any 6-byte window of the id, aligned any way, in every encoding.
  const windows = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].flatMap((i) => b64(bytes.subarray(i, i + 6)).map((s) => s.slice(1, -1)));
  return [id, id.replace(/-/g, ''), ...windows];
}

describe('unsubscribe tokens', () => {
  it('round-trips the tenant and contact ids in a url-safe token', () => {
    const token = sealUnsubscribeToken(key, tenantId, contactId);
    expect(token).toMatch(/^[A-Za-z0-9_-]{80}$/);
    expect(openUnsubscribeToken(key, token)).toEqual({ tenantId, contactId });
  });

  it('reveals neither the tenant id nor the contact id', () => {
    for (let i = 0; i < 20; i++) {
      const token = sealUnsubscribeToken(key, tenantId, contactId);
      const raw = Buffer.from(token, 'base64url');
      for (const id of [tenantId, contactId]) {
        expect(raw.includes(Buffer.from(id.replace(/-/g, ''), 'hex').subarray(0, 6))).toBe(false);
        for (const s of spellings(id)) expect(token.toLowerCase()).not.toContain(s.toLowerCase());
      }
    }
    // Two emails to the same contact carry unrelated tokens.
    expect(sealUnsubscribeToken(key, tenantId, contactId)).not.toBe(sealUnsubscribeToken(key, tenantId, contactId));
  });

  it('refuses a token sealed with another key, or altered anywhere', () => {
    const token = sealUnsubscribeToken(key, tenantId, contactId);
    expect(openUnsubscribeToken(unsubscribeKey(Buffer.alloc(32, 8)), token)).toBeNull();
    for (const i of [0, 11, 16, 40, 62, 79]) {
      const c = token[i] === 'A' ? 'B' : 'A';
      expect(openUnsubscribeToken(key, token.slice(0, i) + c + token.slice(i + 1))).toBeNull();
    }
  });

  it('refuses anything that is not a token', () => {
    const token = sealUnsubscribeToken(key, tenantId, contactId);
    for (const bad of ['', 'abc', 'x'.repeat(80), token + 'A', token.slice(0, 79), '%'.repeat(80), 'A'.repeat(64)]) {
      expect(openUnsubscribeToken(key, bad)).toBeNull();
    }
  });

  it('still opens the signed tokens of emails sent before tokens were sealed', () => {
    // The earlier format: both ids in clear, then 16 bytes of HMAC-SHA256 under a key derived the v1 way.
    const ids = Buffer.concat([tenantId, contactId].map((id) => Buffer.from(id.replace(/-/g, ''), 'hex')));
    const v1Key = unsubscribeKey(secretsKey, 'v1');
    const legacy = Buffer.concat([ids, createHmac('sha256', v1Key).update(ids).digest().subarray(0, 16)]).toString('base64url');
    expect(openUnsubscribeToken(key, legacy, v1Key)).toEqual({ tenantId, contactId });
    const forged = Buffer.concat([ids, Buffer.alloc(16)]).toString('base64url');
    expect(openUnsubscribeToken(key, forged, v1Key)).toBeNull();
  });

  it('derives keys distinct from the secrets key and from each other', () => {
    expect(key.equals(secretsKey)).toBe(false);
    expect(key).toHaveLength(32);
    expect(unsubscribeKey(secretsKey, 'v1').equals(key)).toBe(false);
  });
});
