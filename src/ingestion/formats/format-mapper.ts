/**
 * What the format mappers (Usermaven, Event Intake, Segment) produce, and the small shape helpers
 * they share. A mapper only checks the shape of its own wire format; the Events API rules (event
 * name charset, email validity, lengths, sanitization) run downstream on the produced ops, which
 * is why every op carries the source path of each of its fields.
 */
import { badRequest } from '../../common/errors.js';
import { joinPath } from '../../common/json-body.js';
import type { EventsApiOp } from '../recording/op.types.js';

export interface MappedOp {
  op: EventsApiOp;
  /** For error messages: the source field path of each op field, e.g. { event: '[2].event_type', email: '[2].user.email' }. */
  fields: Partial<Record<keyof EventsApiOp, string>>;
}

export interface MappedRequest {
  ops: MappedOp[];
  /** ops accepted but not stored (Segment page/screen/group/alias) */
  ignored: number;
}

/** Most messages one request may carry, as in the Events API's batch. */
export const MAX_MESSAGES = 100;

export type JsonObject = Record<string, unknown>;

/** A JSON object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The source path of a child field; the root path is '' so top-level fields read `event_type`. */
export const at = joinPath;

/** Throws the 400 every mapper uses: `<path>: <problem>` (the root is called `body`). */
export function fail(path: string, problem: string): never {
  throw badRequest(`${path || 'body'}: ${problem}`);
}

/**
 * Reads an own field only: the body is client JSON, and `obj.constructor` or `obj.toString`
 * must not be mistaken for a field the client sent.
 */
export function own(obj: JsonObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
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

/**
 * Sets an own, enumerable key even when it is `__proto__`: a plain assignment would change the
 * target's prototype instead, and the key would vanish before downstream sanitization could
 * drop it with a warning.
 */
export function put(target: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Copies every own key of `source` into `target`, optionally prefixed, keeping the order received. */
export function copyInto(target: JsonObject, source: JsonObject, prefix = ''): void {
  for (const [key, value] of Object.entries(source)) put(target, prefix + key, value);
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

/**
 * A date and a time with seconds and fraction optional, and a timezone (Z or ±hh:mm, ±hhmm).
 * Strict on purpose: Date.parse alone accepts "1", "March 7" and local times, whose meaning
 * depends on the server's zone.
 */
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:[Zz]|[+-](\d{2}):?(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Epoch milliseconds of a strict ISO 8601 date-time with a timezone, else null. Ranges are
 * checked here because Date.parse rolls 2025-02-30 over into March.
 */
export function parseIsoDateTime(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const m = ISO_DATE_TIME.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute, second, offHour, offMinute] = m.slice(1).map((part) => Number(part ?? 0));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59 || offHour > 23 || offMinute > 59) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

/** ISO string of epoch milliseconds, or null when outside what a Date can hold. */
export function msToIso(ms: number): string | null {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
