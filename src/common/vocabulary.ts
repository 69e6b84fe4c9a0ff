/**
 * The vocabulary every module may speak: connectors, scalars and the op shapes. Each intake
 * format (Events API, Usermaven, Event Intake, Segment), each webhook adapter and the Clerk
 * import produces Events-API-shaped ops; one factory (src/ingestion/prepare-ops.ts) validates and
 * sanitizes them into PreparedOps; one recorder writes them; contacts resolve their identities.
 * It lives in common so that contacts and ingestion both depend on it, not on each other.
 */

/** Who delivered an op: one connector per intake format or provider (ingestion-health keys). */
export const CONNECTORS = ['events_api', 'stripe', 'polar', 'clerk', 'usermaven', 'intake', 'segment'] as const;
export type Connector = (typeof CONNECTORS)[number];

/** A flat scalar, the only kind of value kept in traits, properties and attributes. */
export type Scalar = string | number | boolean | null;

/** An op in the Events API's own wire shape (docs/api.md#events-api), before validation. */
export interface EventsApiOp {
  type: 'identify' | 'track';
  userId?: string;
  externalId?: string;
  email?: string;
  name?: string;
  traits?: Record<string, unknown>;
  event?: string;
  properties?: Record<string, unknown>;
  /** ISO 8601 string; anything invalid falls back to arrival time with a warning. */
  timestamp?: unknown;
  messageId?: string;
}

/** A validated, sanitized op, ready for the recorder. */
export interface PreparedOp {
  type: 'identify' | 'track';
  /** externalId, else userId. */
  externalId: string | null;
  /** Trimmed, validated, lower-cased. */
  email: string | null;
  name: string | null;
  traits: Record<string, Scalar>;
  event: string | null;
  properties: Record<string, Scalar>;
  /** null: arrival time. */
  occurredAt: Date | null;
  messageId: string | null;
  /** What sanitization dropped or cut, e.g. `traits.password: dropped, secret-looking key`. */
  warnings: string[];
}

export type OpStatus = 'ok' | 'duplicate' | 'skipped_no_identity';

export interface OpResult {
  status: OpStatus;
  contactId: string | null;
  eventId?: string;
  warnings?: string[];
}
