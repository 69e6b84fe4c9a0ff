/**
 * The Event Intake format (docs/formats.md#event-intake) to one Events-API track:
 * `event_type` → event, `occurred_at` → timestamp, `idempotency_key` → messageId, `data` →
 * properties, except its identity keys. Unknown top-level fields are put aside silently.
 */
import {
  at,
  fail,
  isObject,
  optionalIdentity,
  optionalObject,
  optionalString,
  own,
  put,
  requiredString,
  type JsonObject,
  type MappedOp,
  type MappedRequest,
} from './format-mapper.js';
import { parseInstant } from '../../common/instant.js';

/** Keys of `data` that become the op's identity instead of properties. */
const IDENTITY_KEYS: ReadonlyArray<readonly [string, 'userId' | 'externalId' | 'email']> = [
  ['user_id', 'userId'],
  ['external_id', 'externalId'],
  ['email', 'email'],
];

export function mapIntake(body: unknown): MappedRequest {
  if (!isObject(body)) fail('', 'must be an object');
  // Empty or ill-named event types are left to the Events API's event rules downstream.
  const event = requiredString(body, 'event_type', '');
  const mapped: MappedOp = {
    op: { type: 'track', event, timestamp: occurredAt(body) },
    fields: { event: 'event_type', timestamp: 'occurred_at' },
  };
  mapMessageId(mapped, body);
  const data = optionalObject(body, 'data', '');
  if (data) mapData(mapped, data);
  return { ops: [mapped], ignored: 0 };
}

/**
 * Unlike the Events API's optional `timestamp`, `occurred_at` is required and a bad one is a 400
 * (docs/formats.md#event-intake: a missing or invalid occurred_at is a 400). Normalized to UTC ISO so that downstream
 * reads exactly the instant validated here.
 */
function occurredAt(body: JsonObject): string {
  const raw = own(body, 'occurred_at');
  if (raw === undefined || raw === null) fail('occurred_at', 'is required');
  const instant = parseInstant(raw);
  if (instant === null) fail('occurred_at', 'must be an ISO 8601 date-time');
  return instant.toISOString();
}

/**
 * An empty key is refused rather than ignored: the client sent it to make retries safe, and
 * silently storing the event without it would break that promise on the next retry.
 */
function mapMessageId({ op, fields }: MappedOp, body: JsonObject): void {
  const key = optionalString(body, 'idempotency_key', '');
  if (key === undefined) return;
  if (key === '') fail('idempotency_key', 'must not be empty');
  op.messageId = key;
  fields.messageId = 'idempotency_key';
}

/** Identity keys of `data` become the op's identity; every other key is kept as a property. */
function mapData({ op, fields }: MappedOp, data: JsonObject): void {
  for (const [key, field] of IDENTITY_KEYS) {
    const value = optionalIdentity(data, key, 'data', field !== 'email');
    if (value === undefined) continue;
    op[field] = value;
    fields[field] = at('data', key);
  }
  const properties: JsonObject = {};
  for (const [key, value] of Object.entries(data)) {
    if (!IDENTITY_KEYS.some(([identityKey]) => identityKey === key)) put(properties, key, value);
  }
  if (Object.keys(properties).length > 0) {
    op.properties = properties;
    fields.properties = 'data';
  }
}
