/** Every error code of the API with its HTTP status (docs/api.md#errors). */
export const ERROR_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  invalid_signature: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  no_ingestion_key: 412,
  no_webhook_secret: 412,
  unsupported_media_type: 415,
  rate_limited: 429,
  infra: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorBody {
  ok: false;
  code: ErrorCode;
  message: string;
}

/** An error whose code and message are meant for the client. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra response headers (e.g. Retry-After). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  body(): ErrorBody {
    return { ok: false, code: this.code, message: this.message };
  }
}

/**
 * A feature's error (as twenty does it): the feature names its own cases in an enum of reasons
 * (`journey.active_not_editable`), each mapped once to the wire code, and so the status, that the
 * envelope carries. Clients see the wire code and the message; the reason goes to the access log,
 * so that cases sharing a wire code stay apart where an operator looks.
 */
export abstract class DomainError<R extends string> extends AppError {
  protected constructor(
    readonly reason: R,
    wire: Readonly<Record<R, ErrorCode>>,
    message: string,
    headers: Record<string, string> = {},
  ) {
    super(wire[reason], message, headers);
  }
}

/** The reason of an error for the log: the feature's own when it has one, else the wire code. */
export const errorReason = (e: AppError): string => (e instanceof DomainError ? (e.reason as string) : e.code);

export const badRequest = (message: string): AppError => new AppError('bad_request', message);
export const notFound = (what: string): AppError => new AppError('not_found', `${what} not found`);
export const forbidden = (message: string): AppError => new AppError('forbidden', message);
export const unauthorized = (message = 'missing or invalid credentials'): AppError =>
  new AppError('unauthorized', message);
