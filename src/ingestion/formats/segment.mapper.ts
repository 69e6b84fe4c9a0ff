/**
 * Segment's HTTP tracking format (docs/formats.md#segment) to Events-API-shaped ops: `/v1/batch`
 * bodies `{batch: [...], sentAt?, context?}` (what analytics-node sends), and `/v1/track`,
 * `/v1/identify` bodies that are one message whose type the route implies. Fields we do not
 * store (`anonymousId`, `integrations`, `_metadata`, `writeKey`, anything unknown) are put
 * aside silently.
 */
import {
  MAX_MESSAGES,
  at,
  copyInto,
  fail,
  isObject,
  joinName,
  namePath,
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
import { MAX_OP_BYTES } from '../../common/limits.js';
import { instantFromMs, parseInstant } from '../../common/instant.js';

const MESSAGE_TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
type MessageType = (typeof MESSAGE_TYPES)[number];
type StoredType = 'track' | 'identify';

/** Trait keys with their own op field, stored there rather than duplicated into attributes. */
const NON_TRAIT_KEYS = new Set(['email', 'name']);

/** What a `/v1/batch` body lends each of its messages. */
interface BatchDefaults {
  sentAt: unknown;
  context: JsonObject | undefined;
  /** UTF-8 size of `context` as JSON, measured once. */
  contextBytes: number;
}

const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8');

interface MessageInput {
  message: JsonObject;
  type: StoredType;
  path: string;
  defaults: BatchDefaults;
  receivedAt: Date;
}

export function mapSegment(body: unknown, kind: 'batch' | 'track' | 'identify', receivedAt: Date): MappedRequest {
  if (!isObject(body)) fail('', 'must be an object');
  if (kind === 'batch') return mapBatch(body, receivedAt);
  // On /v1/track and /v1/identify the route, not a `type` field, says what the message is.
  const defaults = { sentAt: undefined, context: undefined, contextBytes: 0 };
  return { ops: [mapMessage({ message: body, type: kind, path: '', defaults, receivedAt })], ignored: 0 };
}

function mapBatch(body: JsonObject, receivedAt: Date): MappedRequest {
  const batch = own(body, 'batch');
  if (!Array.isArray(batch) || batch.length === 0 || batch.length > MAX_MESSAGES) {
    fail('batch', `must be an array of 1 to ${MAX_MESSAGES} messages`);
  }
  const context = optionalObject(body, 'context', '');
  const defaults: BatchDefaults = { sentAt: own(body, 'sentAt'), context, contextBytes: context ? jsonBytes(context) : 0 };
  const result: MappedRequest = { ops: [], ignored: 0 };
  batch.forEach((message: unknown, i) => {
    const path = at('batch', i);
    if (!isObject(message)) fail(path, 'must be an object');
    const type = messageType(message, path);
    // The batch context is copied into every track: refuse before copying what would make the
    // op too large anyway, or a 1 MB body of context keys becomes 100 copies of them.
    if (type === 'track' && context && defaults.contextBytes + jsonBytes(message) > MAX_OP_BYTES) {
      fail(path, `operation exceeds ${MAX_OP_BYTES / 1024} KB (with the batch context)`);
    }
    if (type === 'track' || type === 'identify') {
      const mapped = mapMessage({ message, type, path, defaults, receivedAt });
      mapped.fields.type = at(path, 'type');
      result.ops.push(mapped);
    } else {
      result.ignored++;
    }
  });
  return result;
}

function messageType(message: JsonObject, path: string): MessageType {
  const type = own(message, 'type');
  if (type === undefined || type === null) fail(at(path, 'type'), 'is required');
  const known = MESSAGE_TYPES.find((candidate) => candidate === type);
  if (!known) fail(at(path, 'type'), `must be one of ${MESSAGE_TYPES.join(', ')}`);
  return known;
}

function mapMessage(input: MessageInput): MappedOp {
  const { message, type, path } = input;
  const mapped: MappedOp = { op: { type }, path, fields: {} };
  // Segment's userId is the customer's own user id, which is what externalId means here.
  const externalId = optionalIdentity(message, 'userId', path, true);
  if (externalId !== undefined) {
    mapped.op.externalId = externalId;
    mapped.fields.externalId = at(path, 'userId');
  }
  if (type === 'identify') {
    mapIdentify(mapped, message, path);
  } else {
    mapTrack(mapped, input);
  }
  const messageId = optionalIdentity(message, 'messageId', path, true);
  if (messageId !== undefined) {
    mapped.op.messageId = messageId;
    mapped.fields.messageId = at(path, 'messageId');
  }
  mapTimestamp(mapped, input);
  return mapped;
}

/** Email, name and traits from `traits`; an identify's `context` is not stored. */
function mapIdentify(mapped: MappedOp, message: JsonObject, path: string): void {
  const traits = optionalObject(message, 'traits', path);
  if (!traits) return;
  const traitsPath = at(path, 'traits');
  mapEmail(mapped, traits, traitsPath);
  mapName(mapped, traits, traitsPath);
  // Name parts stay as traits: the contact has no first-name field, and greetings use it.
  const kept: JsonObject = {};
  for (const [key, value] of Object.entries(traits)) {
    if (!NON_TRAIT_KEYS.has(key)) put(kept, key, value);
  }
  if (Object.keys(kept).length > 0) {
    mapped.op.traits = kept;
    mapped.fields.traits = traitsPath;
  }
}

function mapEmail({ op, fields }: MappedOp, traits: JsonObject, path: string): boolean {
  const email = optionalIdentity(traits, 'email', path, false);
  if (email === undefined) return false;
  op.email = email;
  fields.email = at(path, 'email');
  return true;
}

/** `traits.name`, else first + last name in Segment's spelling (firstName) or snake case. */
function mapName({ op, fields }: MappedOp, traits: JsonObject, path: string): void {
  const name = optionalString(traits, 'name', path);
  if (name !== undefined && name !== '') {
    op.name = name;
    fields.name = at(path, 'name');
    return;
  }
  const firstKey = sentKey(traits, 'firstName', 'first_name');
  const lastKey = sentKey(traits, 'lastName', 'last_name');
  const first = optionalString(traits, firstKey, path);
  const last = optionalString(traits, lastKey, path);
  const joined = joinName(first, last);
  if (joined === undefined) return;
  op.name = joined;
  fields.name = namePath(path, [firstKey, first], [lastKey, last]);
}

/** The Segment spelling when it carries a value, else the snake-case one. */
function sentKey(traits: JsonObject, camel: string, snake: string): string {
  const value = own(traits, camel);
  return value === undefined || value === null ? snake : camel;
}

/**
 * The event, its properties, and its context flattened into `context_*` properties. The
 * identity of a track is `userId` or an email: `traits.email` if the sender put traits on the
 * track, else the `context.traits.email` that Segment's libraries copy there.
 */
function mapTrack(mapped: MappedOp, { message, path, defaults }: MessageInput): void {
  mapped.op.event = requiredString(message, 'event', path);
  mapped.fields.event = at(path, 'event');
  const traits = optionalObject(message, 'traits', path);
  const context = optionalObject(message, 'context', path);
  const contextTraits = context ? own(context, 'traits') : undefined;
  if (!(traits && mapEmail(mapped, traits, at(path, 'traits'))) && isObject(contextTraits)) {
    mapEmail(mapped, contextTraits, at(at(path, 'context'), 'traits'));
  }
  const properties = trackProperties(message, path, context, defaults.context);
  if (Object.keys(properties).length > 0) {
    mapped.op.properties = properties;
    mapped.fields.properties = at(path, 'properties');
  }
}

/**
 * `properties` first, then the message's context, then the batch's context (Segment applies a
 * batch-level context to every message, the message's own winning). A key already set wins,
 * so an explicit property is never overwritten by context.
 */
function trackProperties(
  message: JsonObject,
  path: string,
  context: JsonObject | undefined,
  batchContext: JsonObject | undefined,
): JsonObject {
  const properties: JsonObject = {};
  const given = optionalObject(message, 'properties', path);
  if (given) copyInto(properties, given);
  if (context) flattenInto(properties, context, 'context');
  if (batchContext) flattenInto(properties, batchContext, 'context');
  return properties;
}

/**
 * Nested objects become `prefix_key_subkey` scalars; arrays are dropped (there is no flat key
 * that keeps their meaning). Depth is bounded by the body check (32 levels) upstream.
 */
function flattenInto(target: JsonObject, source: JsonObject, prefix: string): void {
  for (const [key, value] of Object.entries(source)) {
    const flatKey = `${prefix}_${key}`;
    if (isObject(value)) {
      flattenInto(target, value, flatKey);
    } else if (!Array.isArray(value) && !Object.hasOwn(target, flatKey)) {
      put(target, flatKey, value);
    }
  }
}

/**
 * Segment's clock-skew correction: a device clock that is off shifts both `timestamp` and
 * `sentAt` by the same amount, so `timestamp + (receivedAt - sentAt)` is the event's time on
 * the server's clock. Without a usable pair the value goes on as given, and downstream falls
 * back to arrival time if it is not a valid date.
 */
function mapTimestamp({ op, fields }: MappedOp, { message, path, defaults, receivedAt }: MessageInput): void {
  const key = ['timestamp', 'originalTimestamp'].find((k) => own(message, k) !== undefined && own(message, k) !== null);
  if (key === undefined) return;
  const raw = own(message, key);
  const sentAtRaw = own(message, 'sentAt') ?? defaults.sentAt;
  const timestamp = parseInstant(raw);
  const sentAt = parseInstant(sentAtRaw);
  const corrected =
    timestamp !== null && sentAt !== null
      ? instantFromMs(timestamp.getTime() + (receivedAt.getTime() - sentAt.getTime()))
      : null;
  op.timestamp = corrected?.toISOString() ?? raw;
  fields.timestamp = at(path, key);
}
