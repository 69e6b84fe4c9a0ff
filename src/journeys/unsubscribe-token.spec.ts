import { signUnsubscribeToken, unsubscribeKey, verifyUnsubscribeToken } from './unsubscribe-token.js';

const key = unsubscribeKey(Buffer.alloc(32, 7));
const tenantId = '3f0c2a4e-8d1b-4c3a-9e2f-0a1b2c3d4e5f';
const contactId = '9a1f0000-1111-4222-8333-444455556666';

describe('unsubscribe tokens', () => {
  it('round-trips the tenant and contact ids in a url-safe token', () => {
    const token = signUnsubscribeToken(key, tenantId, contactId);
    expect(token).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(verifyUnsubscribeToken(key, token)).toEqual({ tenantId, contactId });
  });

  it('refuses a token signed with another key, or altered anywhere', () => {
    const token = signUnsubscribeToken(key, tenantId, contactId);
    expect(verifyUnsubscribeToken(unsubscribeKey(Buffer.alloc(32, 8)), token)).toBeNull();
    for (const i of [0, 20, 42, 63]) {
      const c = token[i] === 'A' ? 'B' : 'A';
      expect(verifyUnsubscribeToken(key, token.slice(0, i) + c + token.slice(i + 1))).toBeNull();
    }
  });

  it('refuses anything that is not a token', () => {
    for (const bad of ['', 'abc', 'x'.repeat(64), signUnsubscribeToken(key, tenantId, contactId) + 'A', '%'.repeat(64)]) {
      expect(verifyUnsubscribeToken(key, bad)).toBeNull();
    }
  });

  it('derives a key distinct from the secrets key', () => {
    expect(key.equals(Buffer.alloc(32, 7))).toBe(false);
    expect(key).toHaveLength(32);
  });
});
