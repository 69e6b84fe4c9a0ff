import { isEmail } from 'class-validator';
import { cutCodePoints } from '../common/unicode.js';
import type { PreparedOp } from '../ingestion/recording/op.types.js';
import { sanitizeFields } from '../ingestion/sanitize.js';
import type { Normalized } from './adapters/webhook-adapter.js';

type Processed = Extract<Normalized, { outcome: 'ok' }>;

/** The identity a delivery is recorded under, chosen in docs/webhooks.md#contact-resolution order. */
export interface ChosenIdentity {
  externalId: string | null;
  email: string | null;
}

const cleanEmail = (email: string | null): string | null => {
  const trimmed = email?.trim().toLowerCase() ?? '';
  return trimmed && trimmed.length <= 254 && isEmail(trimmed) ? trimmed : null;
};

/**
 * Picks the first identity that applies: a metadata or client_reference id; else the contact a
 * provider customer id is linked to (by that contact's own id or email); else the email.
 */
export function chooseIdentity(
  candidates: Processed['identity'],
  linked: { externalId: string | null; email: string | null } | null,
): ChosenIdentity {
  const externalId = cutCodePoints(candidates.externalId?.trim() ?? '', 255) || null;
  if (externalId) return { externalId, email: null };
  if (linked && (linked.externalId || linked.email)) return linked;
  return { externalId: null, email: cleanEmail(candidates.email) };
}

/**
 * Turns a processed delivery into Events-API ops for the one recording path: an identify that
 * projects the provider metadata (sanitized like traits) and name, then the lifecycle track.
 * Clerk's user identity carries its email too (the user record is the source of truth for it).
 */
export function deliveryOps(
  normalized: Processed,
  identity: ChosenIdentity,
  messageId: string,
  withEmail: string | null,
): PreparedOp[] {
  const attributes = sanitizeFields(normalized.attributes, 'metadata');
  const ops: PreparedOp[] = [];
  const email = withEmail ? cleanEmail(withEmail) : identity.email;
  if (Object.keys(attributes.values).length > 0 || normalized.name || withEmail || !normalized.event) {
    ops.push({
      type: 'identify',
      externalId: identity.externalId,
      email,
      name: cutCodePoints(normalized.name ?? '', 200) || null,
      traits: attributes.values,
      event: null,
      properties: {},
      occurredAt: null,
      messageId: null,
      warnings: attributes.warnings,
    });
  }
  if (normalized.event) {
    const properties = sanitizeFields(normalized.event.properties, 'properties');
    ops.push({
      type: 'track',
      externalId: identity.externalId,
      email,
      name: null,
      traits: {},
      event: normalized.event.type,
      properties: properties.values,
      occurredAt: normalized.event.occurredAt,
      messageId,
      warnings: properties.warnings,
    });
  }
  return ops;
}
