import type { EventsApiOp, PreparedOp } from '../common/vocabulary.js';
import { type OpAtPath, prepareProviderOps } from '../ingestion/prepare-ops.js';
import type { IdentityCandidates, Normalized } from './adapters/webhook-adapter.js';

type Processed = Extract<Normalized, { outcome: 'ok' }>;

/** The identity a delivery is recorded under, chosen in docs/webhooks.md#contact-resolution order. */
export interface ChosenIdentity {
  externalId: string | null;
  email: string | null;
  /** What the op rules dropped of the candidates (`email: dropped, …`); deliveryOps reports it on the ops. */
  warnings?: string[];
}

/** A candidate as the op rules keep it (trimmed; an email also lower-cased), or null with the reason. */
function checked(field: 'externalId' | 'email', value: string | null): { value: string | null; warnings: string[] } {
  if (!value?.trim()) return { value: null, warnings: [] };
  const [op] = prepareProviderOps([{ op: { type: 'identify', [field]: value.trim() } satisfies EventsApiOp, path: '' }]).ops;
  return { value: op[field], warnings: op.warnings };
}

/**
 * Picks the first identity that applies: a metadata or client_reference id; else the contact a
 * provider customer id is linked to (by that contact's own id or email); else the email. A
 * candidate is checked with the op factory's rules (prepareProviderOps): one they drop (an id
 * over 255 characters, an invalid email) does not apply, the next one is tried, and the reason
 * is kept in `warnings`. So what is chosen is valid, trimmed and (an email) lower-cased.
 */
export function chooseIdentity(
  candidates: IdentityCandidates,
  linked: { externalId: string | null; email: string | null } | null,
): ChosenIdentity {
  const id = checked('externalId', candidates.externalId);
  if (id.value) return { externalId: id.value, email: null, warnings: id.warnings };
  if (linked && (linked.externalId || linked.email)) return { externalId: linked.externalId, email: linked.email, warnings: id.warnings };
  const email = checked('email', candidates.email);
  return { externalId: null, email: email.value, warnings: [...id.warnings, ...email.warnings] };
}

/** Where a provider op's fields are named in warnings: its metadata is `metadata.<key>`. */
const IDENTIFY_FIELDS: OpAtPath['fields'] = { traits: 'metadata' };

function identityFields(identity: ChosenIdentity, email: string | null): Pick<EventsApiOp, 'externalId' | 'email'> {
  return {
    ...(identity.externalId ? { externalId: identity.externalId } : {}),
    ...(email ? { email } : {}),
  };
}

/**
 * Turns a processed delivery into ops for the one recording path, through the one op factory
 * (prepareProviderOps: the Events API's rules, with what breaks them dropped and warned about):
 * an identify that projects the provider metadata (sanitized like traits) and name, then the
 * lifecycle track. Clerk's user identity carries its email too (the user record is the source
 * of truth for it). A track the rules cannot keep (its event name breaks the rule) is left out;
 * the contact is still touched by an identify op, which carries the warning.
 */
export function deliveryOps(normalized: Processed, identity: ChosenIdentity, messageId: string, withEmail: string | null): PreparedOp[] {
  const email = withEmail ? withEmail.trim() : identity.email;
  // An identify is recorded for the name, the email or a delivery without an event; for the
  // metadata only when sanitization keeps some of it.
  const identifyFor = Boolean(normalized.name || withEmail || !normalized.event);
  const items: OpAtPath[] = [];
  if (identifyFor || Object.keys(normalized.attributes).length > 0) {
    const op: EventsApiOp = {
      type: 'identify',
      ...identityFields(identity, email),
      ...(normalized.name ? { name: normalized.name } : {}),
      traits: normalized.attributes,
    };
    items.push({ op, path: '', fields: IDENTIFY_FIELDS });
  }
  if (normalized.event) {
    const op: EventsApiOp = {
      type: 'track',
      ...identityFields(identity, email),
      event: normalized.event.type,
      properties: normalized.event.properties,
      timestamp: normalized.event.occurredAt.toISOString(),
      ...(messageId ? { messageId } : {}),
    };
    items.push({ op, path: '' });
  }
  const prepared = prepareProviderOps(items);
  let ops = prepared.ops;
  const identify = ops.find((op) => op.type === 'identify');
  const track = ops.find((op) => op.type === 'track');
  if (identify && track && !identifyFor && Object.keys(identify.traits).length === 0) {
    // Nothing of the metadata was kept: the track alone, with what sanitization reported.
    ops = [{ ...track, warnings: [...identify.warnings, ...track.warnings] }];
  }
  if (prepared.dropped.length > 0) {
    ops = ops.some((op) => op.type === 'identify')
      ? ops.map((op) => (op.type === 'identify' ? { ...op, warnings: [...op.warnings, ...prepared.dropped] } : op))
      : [...ops, ...identifyOps({ externalId: identity.externalId, email }).map((op) => ({ ...op, warnings: [...op.warnings, ...prepared.dropped] }))];
  }
  // What choosing the identity dropped is said first, on the first op.
  const [first, ...rest] = ops;
  return identity.warnings?.length && first ? [{ ...first, warnings: [...identity.warnings, ...first.warnings] }, ...rest] : ops;
}

/**
 * A bare identify of the chosen identity, through the same factory: what an ignored delivery
 * that still names the customer's user records (a subscription Checkout links its customer).
 * When the rules keep none of the identity (an invalid email), the op has none: the recorder
 * skips it, and its warning says why.
 */
export function identifyOps(identity: ChosenIdentity): PreparedOp[] {
  return prepareProviderOps([{ op: { type: 'identify', ...identityFields(identity, identity.email) } satisfies EventsApiOp, path: '' }]).ops;
}
