import type { Connector, PreparedOp, Scalar } from '../common/vocabulary.js';
import type { Consent } from './contact.entity.js';

/** A contact as loaded for resolution. */
export interface KnownContact {
  id: string;
  externalId: string | null;
  email: string | null;
  hasConsent: boolean;
  updatedAt: Date;
  /** External ids and emails of contacts merged into this one that the batch carries (docs/data-rights.md#merge-and-aliases). */
  aliasExternalIds?: string[];
  aliasEmails?: string[];
}

/** The changes to write for one contact; null fields are left as they are. */
export interface ContactWrite {
  id: string;
  isNew: boolean;
  externalId: string | null;
  email: string | null;
  name: string | null;
  /** Traits to merge key by key into the attributes. */
  attributes: Record<string, Scalar>;
  consent: Consent | null;
}

interface State extends KnownContact {
  isNew: boolean;
  write: ContactWrite | null;
}

export interface Resolution {
  /** The contact of each op, in order (null where the op carries no identity). */
  contactIds: Array<string | null>;
  /** One entry per contact that changes or is created. */
  writes: ContactWrite[];
  /** Every contact the ops touched. */
  touched: string[];
  /** The contacts touched by identify ops (their connector activity is refreshed). */
  projected: string[];
}

export const hasIdentity = (op: PreparedOp): boolean => Boolean(op.externalId || op.email);

/**
 * Identity resolution (docs/identity.md#contact-resolution), in memory over the contacts loaded for a request,
 * op by op in order, so that later ops of a batch see what earlier ones did:
 * - with an id (externalId wins over userId): the contact with that id; else the email-only
 *   contact with the op's email, which takes the id; else a new contact. A changed email on a
 *   known id updates the contact.
 * - with only an email: the email-only contact with it, else the most recently updated contact
 *   with it, else a new contact.
 * - a contact that gets an email gets lifecycle consent, recorded once.
 * - an alias (the external id or email of a contact merged into another) resolves like the
 *   survivor's own value, but never changes the survivor's email (docs/data-rights.md#merge-and-aliases).
 */
export function resolveIdentities(
  known: KnownContact[],
  ops: Array<PreparedOp | null>,
  ctx: { connector: Connector; at: Date; newId: () => string },
): Resolution {
  const byExternalId = new Map<string, State>();
  const byEmail = new Map<string, State[]>();
  const touched = new Set<string>();
  const projected = new Set<string>();

  const indexEmail = (c: State): void => {
    if (!c.email) return;
    const list = byEmail.get(c.email) ?? [];
    list.push(c);
    byEmail.set(c.email, list);
  };
  const unindexEmail = (c: State): void => {
    if (!c.email) return;
    byEmail.set(c.email, (byEmail.get(c.email) ?? []).filter((x) => x !== c));
  };
  const writeOf = (c: State): ContactWrite =>
    (c.write ??= { id: c.id, isNew: c.isNew, externalId: null, email: null, name: null, attributes: {}, consent: null });

  const states = known.map(
    (k): State => ({
      id: k.id,
      externalId: k.externalId,
      email: k.email,
      hasConsent: k.hasConsent,
      updatedAt: k.updatedAt,
      aliasExternalIds: k.aliasExternalIds,
      aliasEmails: k.aliasEmails,
      isNew: false,
      write: null,
    }),
  );
  for (const state of states) {
    if (state.externalId) byExternalId.set(state.externalId, state);
    indexEmail(state);
  }
  // Aliases after every contact's own values: a value a live contact holds itself wins.
  for (const state of states) {
    for (const alias of state.aliasExternalIds ?? []) if (!byExternalId.has(alias)) byExternalId.set(alias, state);
    for (const alias of state.aliasEmails ?? []) byEmail.set(alias, [...(byEmail.get(alias) ?? []), state]);
  }

  const emailOnly = (email: string): State | undefined => byEmail.get(email)?.find((c) => c.externalId === null);
  const newestWithEmail = (email: string): State | undefined =>
    [...(byEmail.get(email) ?? [])].sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())[0];
  const create = (externalId: string | null, email: string | null): State => {
    const c: State = { id: ctx.newId(), externalId, email, hasConsent: false, updatedAt: ctx.at, isNew: true, write: null };
    const w = writeOf(c);
    w.externalId = externalId;
    w.email = email;
    if (externalId) byExternalId.set(externalId, c);
    indexEmail(c);
    return c;
  };

  const contactIds = ops.map((op) => {
    if (!op || !hasIdentity(op)) return null;
    let c: State | undefined;
    if (op.externalId) {
      c = byExternalId.get(op.externalId);
      if (!c && op.email) {
        c = emailOnly(op.email);
        if (c) {
          c.externalId = op.externalId;
          writeOf(c).externalId = op.externalId;
          byExternalId.set(op.externalId, c);
        }
      }
      if (!c) c = create(op.externalId, op.email);
      else if (op.email && c.email !== op.email && !c.aliasEmails?.includes(op.email)) {
        unindexEmail(c);
        c.email = op.email;
        writeOf(c).email = op.email;
        indexEmail(c);
      }
    } else {
      const email = op.email!;
      c = emailOnly(email) ?? newestWithEmail(email) ?? create(null, email);
    }

    if (op.type === 'identify') {
      projected.add(c.id);
      if (op.name) writeOf(c).name = op.name;
      if (Object.keys(op.traits).length > 0) Object.assign(writeOf(c).attributes, op.traits);
    }
    if (c.email && !c.hasConsent) {
      writeOf(c).consent = { status: 'granted', source: ctx.connector, at: ctx.at.toISOString() };
      c.hasConsent = true;
    }
    c.updatedAt = ctx.at;
    touched.add(c.id);
    return c.id;
  });

  const writes: ContactWrite[] = [];
  const seen = new Set<State>();
  const collect = (c: State): void => {
    if (c.write && !seen.has(c)) {
      seen.add(c);
      writes.push(c.write);
    }
  };
  for (const c of byExternalId.values()) collect(c);
  for (const list of byEmail.values()) for (const c of list) collect(c);
  return { contactIds, writes, touched: [...touched], projected: [...projected] };
}
