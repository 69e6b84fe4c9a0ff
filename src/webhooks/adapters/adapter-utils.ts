import type { IncomingHttpHeaders } from 'node:http';

import { instantFromEpoch } from '../../common/instant.js';
import { put } from '../../common/json-object.js';
import { InvalidSignatureError, MalformedPayloadError } from './webhook-adapter.js';

/** docs/webhooks.md#signatures: every provider refuses timestamps more than 300 s old or ahead. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** Metadata keys that name the customer's own user id, in docs/webhooks.md#contact-resolution order. */
const EXTERNAL_ID_KEYS = ['externalId', 'userId', 'user_id'] as const;

export type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value as an object, or an empty one, so nested paths read without null checks. */
export function obj(value: unknown): Json {
  return isRecord(value) ? value : {};
}

/** A non-blank string, else null (providers send "" and null interchangeably for absent fields). */
export function str(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

export function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Stripe fields like `customer` are an id, or the expanded object when the caller asked for it. */
export function idOf(value: unknown): string | null {
  return str(value) ?? str(obj(value).id);
}

export function firstString(...values: unknown[]): string | null {
  for (const value of values) {
    const s = str(value);
    if (s !== null) return s.trim();
  }
  return null;
}

/**
 * The first externalId/userId/user_id found, looking through each metadata object in turn.
 * Polar metadata may hold integers, so a finite number counts as an id too.
 */
export function externalIdFromMetadata(...metadatas: unknown[]): string | null {
  for (const metadata of metadatas) {
    const m = obj(metadata);
    for (const key of EXTERNAL_ID_KEYS) {
      const value = m[key];
      const s = str(value);
      if (s !== null) return s.trim();
      if (num(value) !== null) return String(value);
    }
  }
  return null;
}

/**
 * Merges metadata objects into one attribute bag. Earlier sources win and keep their key order,
 * because the service keeps only the first 50 keys in the order received. Keys are written as
 * own properties (a `__proto__` key reaches sanitization, which drops it with a warning).
 */
export function mergeMetadata(...metadatas: unknown[]): Json {
  const out: Json = {};
  for (const metadata of metadatas) {
    for (const [key, value] of Object.entries(obj(metadata))) {
      if (!Object.hasOwn(out, key)) put(out, key, value);
    }
  }
  return out;
}

/** Drops null/undefined so event properties stay a small flat bag of the fields that exist. */
export function compact(values: Record<string, string | number | boolean | null | undefined>): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(values)) {
    if (value !== null && value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * An epoch number (seconds or milliseconds, told apart by magnitude: common/instant.ts) as ISO
 * text, for flat properties such as a retry date; null when absent or out of range.
 */
export function isoFromEpoch(value: unknown): string | null {
  return instantFromEpoch(value)?.toISOString() ?? null;
}

/**
 * A single header value. Node lower-cases incoming header names, but callers (tests, other
 * frameworks) may not, so the lookup ignores case. Arrays only happen for repeated headers,
 * which no provider sends for its signature headers: treated as absent.
 */
export function header(headers: IncomingHttpHeaders, name: string): string | null {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return typeof value === 'string' && value !== '' ? value : null;
  }
  return null;
}

/** Strict unix-seconds header value (digits only). */
export function parseUnixSeconds(value: string): number | null {
  return /^\d{1,12}$/.test(value.trim()) ? Number(value.trim()) : null;
}

/**
 * Refuses a signature timestamp outside +/-300 s of `now`. The providers' libraries check
 * against the real clock (and stripe-node not at all for future timestamps), so this is the
 * check that honours an injected `now`.
 */
export function assertFresh(timestampSeconds: number, now: Date): void {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (nowSeconds - timestampSeconds > SIGNATURE_TOLERANCE_SECONDS) {
    throw new InvalidSignatureError('signature timestamp is too old');
  }
  if (timestampSeconds - nowSeconds > SIGNATURE_TOLERANCE_SECONDS) {
    throw new InvalidSignatureError('signature timestamp is in the future');
  }
}

/** The three Standard Webhooks headers (Svix's `svix-*` are the same scheme under another prefix). */
export interface SignedDeliveryHeaders {
  id: string;
  timestamp: string;
  signature: string;
}

/**
 * Reads `<prefix>-id`, `-timestamp` and `-signature` (the first prefix that has each wins) and
 * refuses a timestamp outside +/-300 s of `now`, before any signature work.
 */
export function readSignedDeliveryHeaders(headers: IncomingHttpHeaders, prefixes: string[], now: Date): SignedDeliveryHeaders {
  const read = (suffix: string): string | null =>
    prefixes.reduce<string | null>((found, prefix) => found ?? header(headers, `${prefix}-${suffix}`), null);
  const [id, timestamp, signature] = [read('id'), read('timestamp'), read('signature')];
  const p = prefixes[0];
  if (id === null || timestamp === null || signature === null) {
    throw new InvalidSignatureError(`missing ${p}-id, ${p}-timestamp or ${p}-signature header`);
  }
  const seconds = parseUnixSeconds(timestamp);
  if (seconds === null) throw new InvalidSignatureError(`malformed ${p}-timestamp header`);
  // The libraries check +/-300 s against the real clock; this applies the same bound to `now`.
  assertFresh(seconds, now);
  return { id, timestamp, signature };
}

/**
 * Runs the provider library's check on the body (any throw is a 401), then parses the body,
 * which only a passed signature makes worth reading (a malformed one is a 400).
 */
export function verifiedDelivery(rawBody: Buffer, deliveryId: string, check: (body: string) => void): { deliveryId: string; payload: Json } {
  const body = rawBody.toString('utf8');
  try {
    check(body);
  } catch (err) {
    throw new InvalidSignatureError(errorMessage(err));
  }
  const payload = parseJsonObject(body);
  requireType(payload);
  return { deliveryId, payload };
}

/** JSON.parse of a body whose signature already passed; anything but an object is malformed. */
export function parseJsonObject(body: string): Json {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new MalformedPayloadError('body is not valid JSON');
  }
  if (!isRecord(parsed)) throw new MalformedPayloadError('body is not a JSON object');
  return parsed;
}

/** Every provider envelope names its event in a string `type`. */
export function requireType(payload: Json): string {
  const type = str(payload.type);
  if (type === null) throw new MalformedPayloadError('payload has no "type"');
  return type;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
