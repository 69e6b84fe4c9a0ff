import type { PreparedOp } from '../common/vocabulary.js';
import { type KnownContact, resolveIdentities } from './identity-resolution.js';

const op = (o: Partial<PreparedOp>): PreparedOp => ({
  type: 'track',
  externalId: null,
  email: null,
  name: null,
  traits: {},
  event: 'e',
  properties: {},
  occurredAt: null,
  messageId: null,
  warnings: [],
  ...o,
});
const at = new Date('2026-01-01T00:00:00Z');
let n = 0;
const ctx = { connector: 'events_api' as const, at, newId: () => `new-${++n}` };
const known = (k: Partial<KnownContact>): KnownContact => ({ id: 'k', externalId: null, email: null, hasConsent: true, updatedAt: new Date(0), ...k });

describe('resolveIdentities (docs/identity.md#contact-resolution)', () => {
  beforeEach(() => (n = 0));

  it('creates one contact for repeated ids in a batch and records consent with the email', () => {
    const r = resolveIdentities([], [op({ type: 'identify', externalId: 'u1', email: 'a@x.io', name: 'A' }), op({ externalId: 'u1' })], ctx);
    expect(r.contactIds).toEqual(['new-1', 'new-1']);
    expect(r.writes).toEqual([
      { id: 'new-1', isNew: true, externalId: 'u1', email: 'a@x.io', name: 'A', attributes: {}, consent: { status: 'granted', source: 'events_api', at: at.toISOString() } },
    ]);
    expect(r.projected).toEqual(['new-1']);
  });

  it('lets an id claim the email-only contact', () => {
    const r = resolveIdentities([known({ id: 'c1', email: 'a@x.io' })], [op({ externalId: 'u1', email: 'a@x.io' })], ctx);
    expect(r.contactIds).toEqual(['c1']);
    expect(r.writes).toEqual([expect.objectContaining({ id: 'c1', isNew: false, externalId: 'u1', email: null })]);
  });

  it('does not let an id take another identified contact', () => {
    const r = resolveIdentities([known({ id: 'c1', externalId: 'u1', email: 'a@x.io' })], [op({ externalId: 'u2', email: 'a@x.io' })], ctx);
    expect(r.contactIds).toEqual(['new-1']);
  });

  it('updates a known id whose email changed', () => {
    const r = resolveIdentities([known({ id: 'c1', externalId: 'u1', email: 'old@x.io' })], [op({ externalId: 'u1', email: 'new@x.io' })], ctx);
    expect(r.contactIds).toEqual(['c1']);
    expect(r.writes).toEqual([expect.objectContaining({ id: 'c1', email: 'new@x.io' })]);
  });

  it('matches only an email to the email-only contact first, else the newest with it', () => {
    const contacts = [
      known({ id: 'old', externalId: 'u1', email: 'a@x.io', updatedAt: new Date(1) }),
      known({ id: 'newer', externalId: 'u2', email: 'a@x.io', updatedAt: new Date(2) }),
    ];
    expect(resolveIdentities(contacts, [op({ email: 'a@x.io' })], ctx).contactIds).toEqual(['newer']);
    const withEmailOnly = [...contacts, known({ id: 'eo', email: 'a@x.io', updatedAt: new Date(0) })];
    expect(resolveIdentities(withEmailOnly, [op({ email: 'a@x.io' })], ctx).contactIds).toEqual(['eo']);
  });

  it('merges traits key by key across a batch and writes nothing for untouched known contacts', () => {
    const r = resolveIdentities(
      [known({ id: 'c1', externalId: 'u1', email: 'a@x.io' })],
      [op({ type: 'identify', externalId: 'u1', traits: { a: 1 } }), op({ type: 'identify', externalId: 'u1', traits: { b: null } }), op({ externalId: 'u1' })],
      ctx,
    );
    expect(r.writes).toEqual([expect.objectContaining({ id: 'c1', attributes: { a: 1, b: null }, consent: null })]);
    expect(resolveIdentities([known({ id: 'c1', externalId: 'u1', email: 'a@x.io' })], [op({ externalId: 'u1' })], ctx).writes).toEqual([]);
  });

  it('leaves ops without identity unresolved', () => {
    expect(resolveIdentities([], [op({}), null], ctx)).toEqual({ contactIds: [null, null], writes: [], touched: [], projected: [] });
  });
  it('resolves aliases of a merged contact to the survivor without changing its identity (docs/data-rights.md#merge-and-aliases)', () => {
    const survivor = known({ id: 's', externalId: 'u_main', email: 'main@x.io', aliasExternalIds: ['u_old'], aliasEmails: ['old@x.io'] });
    const r = resolveIdentities(
      [survivor],
      [op({ externalId: 'u_old', email: 'old@x.io' }), op({ email: 'old@x.io' }), op({ type: 'identify', externalId: 'u_old', traits: { a: 1 } })],
      ctx,
    );
    expect(r.contactIds).toEqual(['s', 's', 's']);
    expect(r.writes).toEqual([expect.objectContaining({ id: 's', externalId: null, email: null, attributes: { a: 1 } })]);
  });

  it("lets a live contact's own value win over another contact's alias", () => {
    const r = resolveIdentities(
      [known({ id: 's', externalId: 'u_main', aliasExternalIds: ['u_x'] }), known({ id: 'live', externalId: 'u_x' })],
      [op({ externalId: 'u_x' })],
      ctx,
    );
    expect(r.contactIds).toEqual(['live']);
  });
});
