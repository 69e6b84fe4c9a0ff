/**
 * What the format mappers (Usermaven, Event Intake, Segment) produce, and the small shape helpers
 * they share. A mapper only checks the shape of its own wire format; the Events API rules (event
 * name charset, email validity, lengths, sanitization) run downstream on the produced ops, which
 * is why every op carries the source path of each of its fields.
 */
import { badRequest } from '../../common/errors.js';
import { joinPath } from '../../common/json-body.js';
import { MAX_BATCH_OPS } from '../../common/limits.js';
import { isObject, own, type JsonObject } from '../../common/json-object.js';
import type { EventsApiOp } from '../../common/vocabulary.js';

export interface MappedOp {
  op: EventsApiOp;
  /** Where the op sits in the request, for op-level messages: '' (the body), 'batch[3]', '[2]'. */
  path?: string;
  /** For error messages: the source field path of each op field, e.g. { event: '[2].event_type', email: '[2].user.email' }. */
  fields: Partial<Record<keyof EventsApiOp, string>>;
}

export interface MappedRequest {
  ops: MappedOp[];
  /** ops accepted but not stored (Segment page/screen/group/alias) */
  ignored: number;
}

/** Most messages one request may carry, as in the Events API's batch. */
export const MAX_MESSAGES = MAX_BATCH_OPS;

export { copyInto, isObject, own, put, type JsonObject } from '../../common/json-object.js';

/** The source path of a child field; the root path is '' so top-level fields read `event_type`. */
export const at = joinPath;

/** Throws the 400 every mapper uses: `<path>: <problem>` (the root is called `body`). */
export function fail(path: string, problem: string): never {
  throw badRequest(`${path || 'body'}: ${problem}`);
}

/** Both null and absence mean "not sent": SDKs commonly serialize unset fields as null. */
function isAbsent(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

/** An optional nested object; anything else but null is a 400 naming the field. */
export function optionalObject(obj: JsonObject, key: string, path: string): JsonObject | undefined {
  const value = own(obj, key);
  if (isAbsent(value)) return undefined;
  if (!isObject(value)) fail(at(path, key), 'must be an object');
  return value;
}

/** An optional string field; anything else but null is a 400 naming the field. */
export function optionalString(obj: JsonObject, key: string, path: string): string | undefined {
  const value = own(obj, key);
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'string') fail(at(path, key), 'must be a string');
  return value;
}

/** A required string field: `is required` when absent, `must be a string` when not a string. */
export function requiredString(obj: JsonObject, key: string, path: string): string {
  const value = optionalString(obj, key, path);
  if (value === undefined) fail(at(path, key), 'is required');
  return value;
}

/**
 * An optional identity field (a user id or an email). Numbers are accepted for ids because
 * database ids often are numbers and these SDKs pass them through; an empty string counts as
 * absent because SDKs send "" for "unknown" (Usermaven's own examples do).
 */
export function optionalIdentity(
  obj: JsonObject,
  key: string,
  path: string,
  allowNumber: boolean,
): string | undefined {
  const value = own(obj, key);
  if (allowNumber && typeof value === 'number' && Number.isFinite(value)) return String(value);
  const text = optionalString(obj, key, path);
  return text === '' ? undefined : text;
}

/** First and last name joined with a space; undefined when both are empty. */
export function joinName(first: string | undefined, last: string | undefined): string | undefined {
  const name = [first, last]
    .map((part) => part?.trim() ?? '')
    .filter((part) => part !== '')
    .join(' ');
  return name === '' ? undefined : name;
}

/** Path of the name: the one part that contributed, or the parent object when both did. */
export function namePath(parent: string, first: [string, string | undefined], last: [string, string | undefined]): string {
  const firstUsed = !!first[1]?.trim();
  const lastUsed = !!last[1]?.trim();
  if (firstUsed && !lastUsed) return at(parent, first[0]);
  if (lastUsed && !firstUsed) return at(parent, last[0]);
  return parent || 'body';
}
