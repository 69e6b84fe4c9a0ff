/**
 * Usermaven's server-to-server format (docs/formats.md#usermaven) to
 * Events-API-shaped ops. Fields we do not store (`api_key`, `ids`, `screen_resolution`,
 * `vp_size`, `doc_encoding`, `user.anonymous_id`, anything unknown) are put aside silently.
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
import { instantFromEpoch } from '../../common/instant.js';

const IDENTIFY_EVENT = 'user_identify';

/** Top-level page fields, kept on tracks as `context_<field>` properties. */
const PAGE_FIELDS = ['url', 'page_title', 'doc_path', 'doc_host', 'doc_search', 'user_agent', 'user_language', 'src'];

export function mapUsermaven(body: unknown): MappedRequest {
  // A single object's fields are named from the root (`event_type`), an array's by index (`[2].event_type`).
  if (isObject(body)) return { ops: [mapEvent(body, '')], ignored: 0 };
  if (!Array.isArray(body) || body.length === 0 || body.length > MAX_MESSAGES) {
    fail('', `must be an event object or an array of 1 to ${MAX_MESSAGES} event objects`);
  }
  return { ops: body.map((event, i) => mapEvent(event, at('', i))), ignored: 0 };
}

function mapEvent(event: unknown, path: string): MappedOp {
  if (!isObject(event)) fail(path, 'must be an object');
  const eventType = requiredString(event, 'event_type', path);
  if (eventType === '') fail(at(path, 'event_type'), 'must not be empty');

  const mapped: MappedOp =
    eventType === IDENTIFY_EVENT
      ? { op: { type: 'identify' }, path, fields: { type: at(path, 'event_type') } }
      : {
          op: { type: 'track', event: eventType },
          path,
          fields: { type: at(path, 'event_type'), event: at(path, 'event_type') },
        };
  const user = optionalObject(event, 'user', path);
  if (user) mapIdentity(mapped, user, at(path, 'user'));
  if (mapped.op.type === 'identify') {
    mapProfile(mapped, event, path, user);
  } else {
    mapProperties(mapped, event, path);
  }
  mapMessageId(mapped, event, path);
  mapTimestamp(mapped, event, path);
  return mapped;
}

/** `user.id` and `user.email`: the only part of `user` a track uses. */
function mapIdentity({ op, fields }: MappedOp, user: JsonObject, path: string): void {
  const externalId = optionalIdentity(user, 'id', path, true);
  if (externalId !== undefined) {
    op.externalId = externalId;
    fields.externalId = at(path, 'id');
  }
  const email = optionalIdentity(user, 'email', path, false);
  if (email !== undefined) {
    op.email = email;
    fields.email = at(path, 'email');
  }
}

/**
 * Name and traits, for user_identify only. Company traits are identify-only too: a track's
 * `company` describes the account at that moment, and merging it into the contact on every
 * event would let any event overwrite the profile that identify owns (docs/formats.md#usermaven: for other
 * events `user` serves identity only; we read `company` the same way).
 */
function mapProfile(mapped: MappedOp, event: JsonObject, path: string, user: JsonObject | undefined): void {
  const traits: JsonObject = {};
  if (user) mapUserProfile(mapped, traits, user, at(path, 'user'));
  const company = optionalObject(event, 'company', path);
  if (company) mapCompany(traits, company, at(path, 'company'));
  if (Object.keys(traits).length > 0) {
    mapped.op.traits = traits;
    mapped.fields.traits = traitsPath(path, user);
  }
}

/**
 * Traits merge several sources; name the one most traits come from (`user.custom`, whose keys
 * keep their names), so that `<path>.<key>` is exact for them.
 */
function traitsPath(path: string, user: JsonObject | undefined): string {
  if (user && isObject(own(user, 'custom'))) return at(at(path, 'user'), 'custom');
  return at(path, user ? 'user' : 'company');
}

function mapUserProfile({ op, fields }: MappedOp, traits: JsonObject, user: JsonObject, path: string): void {
  const first = optionalString(user, 'first_name', path);
  const last = optionalString(user, 'last_name', path);
  const name = joinName(first, last);
  if (name !== undefined) {
    op.name = name;
    fields.name = namePath(path, ['first_name', first], ['last_name', last]);
  }
  const custom = optionalObject(user, 'custom', path);
  if (custom) copyInto(traits, custom);
  // The documented field wins over a custom key of the same name.
  if (own(user, 'created_at') !== undefined) put(traits, 'created_at', own(user, 'created_at'));
}

function mapCompany(traits: JsonObject, company: JsonObject, path: string): void {
  for (const key of ['id', 'name', 'created_at']) {
    if (own(company, key) !== undefined) put(traits, `company_${key}`, own(company, key));
  }
  const custom = optionalObject(company, 'custom', path);
  // company_id/name/created_at are documented fields: a custom key must not overwrite them.
  if (custom) {
    for (const [key, value] of Object.entries(custom)) {
      if (!Object.hasOwn(traits, `company_${key}`)) put(traits, `company_${key}`, value);
    }
  }
}

/** `event_attributes.*`, then the page fields as `context_*` (an attribute of the same name wins). */
function mapProperties({ op, fields }: MappedOp, event: JsonObject, path: string): void {
  const properties: JsonObject = {};
  const attributes = optionalObject(event, 'event_attributes', path);
  if (attributes) copyInto(properties, attributes);
  for (const field of PAGE_FIELDS) {
    const value = own(event, field);
    const key = `context_${field}`;
    if (value !== undefined && !Object.hasOwn(properties, key)) put(properties, key, value);
  }
  if (Object.keys(properties).length > 0) {
    op.properties = properties;
    fields.properties = attributes ? at(path, 'event_attributes') : path || 'body';
  }
}

/** `event_id` when a non-empty string; Usermaven's own examples send "" for "none". */
function mapMessageId({ op, fields }: MappedOp, event: JsonObject, path: string): void {
  const eventId = own(event, 'event_id');
  if (typeof eventId === 'string' && eventId !== '') {
    op.messageId = eventId;
    fields.messageId = at(path, 'event_id');
  }
}

/**
 * `_timestamp` is UTC milliseconds (a number small enough to be seconds is read as seconds, see
 * common/instant.ts). Anything else (a string, a number out of range) is
 * passed on raw so that downstream falls back to arrival time with a warning instead of
 * failing the request: the field is optional in Usermaven's format.
 */
function mapTimestamp({ op, fields }: MappedOp, event: JsonObject, path: string): void {
  const raw = own(event, '_timestamp');
  if (raw === undefined || raw === null) return;
  op.timestamp = instantFromEpoch(raw)?.toISOString() ?? raw;
  fields.timestamp = at(path, '_timestamp');
}
