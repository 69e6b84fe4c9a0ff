import type { components } from './generated/schema.js';

export type ErrorCode = components['schemas']['ErrorCode'];

/**
 * A non-2xx answer from Mara, after any retries: `code` and `message` come from the error
 * envelope `{ok: false, code, message}` (`'unknown'` when the body was not one, e.g. a proxy page).
 * For `bad_request` the message names the field path, e.g. `batch[3].event: ...`.
 */
export class MaraApiError extends Error {
  override readonly name = 'MaraApiError';

  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'unknown',
    message: string,
    /** The server's `X-Request-Id`, to find the request in its logs. */
    readonly requestId: string | null,
    /** `Retry-After` of a 429, in seconds. */
    readonly retryAfterSeconds: number | null,
  ) {
    super(message);
  }
}

/** The request got no HTTP answer (connection refused, reset, or the timeout), after any retries. */
export class MaraNetworkError extends Error {
  override readonly name = 'MaraNetworkError';

  constructor(
    message: string,
    readonly timedOut: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const ERROR_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'bad_request',
  'unauthorized',
  'invalid_signature',
  'forbidden',
  'not_found',
  'conflict',
  'payload_too_large',
  'no_ingestion_key',
  'no_webhook_secret',
  'unsupported_media_type',
  'rate_limited',
  'infra',
]);

/** `Retry-After` as milliseconds (delay-seconds or an HTTP date), or null. */
export function retryAfterMs(response: Response, now = Date.now()): number | null {
  const raw = response.headers.get('Retry-After');
  if (raw === null || raw.trim() === '') return null;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim()) * 1000;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** The error for a non-2xx response whose body openapi-fetch has already read (`body`). */
export function apiError(response: Response, body: unknown): MaraApiError {
  const envelope = typeof body === 'object' && body !== null ? (body as { code?: unknown; message?: unknown }) : {};
  const code = typeof envelope.code === 'string' && ERROR_CODES.has(envelope.code) ? (envelope.code as ErrorCode) : 'unknown';
  const message =
    typeof envelope.message === 'string'
      ? envelope.message
      : `HTTP ${response.status}${typeof body === 'string' && body ? `: ${body.slice(0, 200)}` : ''}`;
  const wait = retryAfterMs(response);
  return new MaraApiError(
    response.status,
    code,
    message,
    response.headers.get('X-Request-Id'),
    wait === null ? null : Math.ceil(wait / 1000),
  );
}
