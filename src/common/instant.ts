/**
 * The one reader of instants, used by every intake path and every webhook adapter (docs/api.md,
 * "Timestamps"): ISO 8601 / RFC 3339 date-times with a timezone, and epoch numbers.
 *
 * Strict on purpose. `Date.parse` accepts "1", "March 7" and zone-less local times (whose meaning
 * depends on the server's zone), and rolls 2025-02-30 over into March; every field is range
 * checked here instead, and the instant must fall in years 1 to 9999 (UTC), what a four-digit
 * ISO year writes and PostgreSQL's timestamptz stores.
 */

/** `2025-12-22T10:30:00Z`, `...T10:30Z`, `...T10:30:00.123456+02:00`, `...-0500`; `t`/`z` too. */
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

const MS_PER_DAY = 86_400_000;

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z, in epoch milliseconds. */
export const MIN_INSTANT_MS = daysFromCivil(1, 1, 1) * MS_PER_DAY;
export const MAX_INSTANT_MS = daysFromCivil(10000, 1, 1) * MS_PER_DAY - 1;

/** A Date for epoch milliseconds within years 1 to 9999, else null. */
export function instantFromMs(ms: number): Date | null {
  return Number.isFinite(ms) && ms >= MIN_INSTANT_MS && ms <= MAX_INSTANT_MS ? new Date(Math.trunc(ms)) : null;
}

/**
 * An ISO 8601 date-time with a timezone, else null. Seconds and their fraction are optional;
 * a fraction finer than milliseconds is truncated. Refused: a missing zone, a date alone, a
 * space for the `T`, impossible dates (Feb 30, hour 24, second 60), offsets beyond ±23:59.
 */
export function parseInstant(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const m = ISO_DATE_TIME.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute] = m.slice(1, 6).map(Number);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const [offHour, offMinute] = [Number(m[10]), Number(m[11])];
    if (offHour > 23 || offMinute > 59) return null;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offHour * 60 + offMinute);
  }
  const local = daysFromCivil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
  return instantFromMs(local - offsetMinutes * 60_000);
}

/**
 * Epoch numbers at or above this magnitude are milliseconds, below it seconds: 1e11 seconds is
 * the year 5138, 1e11 milliseconds is March 1973. Providers document a unit per field (Stripe
 * `created` in seconds, Clerk `timestamp` in milliseconds, Usermaven `_timestamp` in
 * milliseconds), but senders mix them up; reading by magnitude gets both right for any instant
 * after March 1973.
 */
export const EPOCH_MS_THRESHOLD = 1e11;

/** An epoch number in seconds or milliseconds (told apart by magnitude), else null. */
export function instantFromEpoch(value: unknown): Date | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  return instantFromMs(Math.abs(value) < EPOCH_MS_THRESHOLD ? value * 1000 : value);
}

/** A provider field that is an ISO string or an epoch number (in either unit), else null. */
export function instantFrom(value: unknown): Date | null {
  return typeof value === 'number' ? instantFromEpoch(value) : parseInstant(value);
}
