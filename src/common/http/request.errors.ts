import { DomainError, type ErrorCode } from '../errors.js';

/** What can be wrong with a request before any route's own rules run: its body, its origin. */
export enum RequestErrorCode {
  BodyTooLarge = 'request.body_too_large',
  UnsupportedMediaType = 'request.unsupported_media_type',
  /** Not UTF-8, not JSON. */
  InvalidJson = 'request.invalid_json',
  /** Valid JSON that PostgreSQL cannot hold or that nests too deep (NUL, lone surrogate, depth). */
  UnstorableJson = 'request.unstorable_json',
  /** The body could not be read: aborted, or shorter or longer than its Content-Length. */
  UnreadableBody = 'request.unreadable_body',
  /** A dashboard-cookie state change from another origin. */
  CrossOrigin = 'request.cross_origin',
}

const WIRE: Record<RequestErrorCode, ErrorCode> = {
  [RequestErrorCode.BodyTooLarge]: 'payload_too_large',
  [RequestErrorCode.UnsupportedMediaType]: 'unsupported_media_type',
  [RequestErrorCode.InvalidJson]: 'bad_request',
  [RequestErrorCode.UnstorableJson]: 'bad_request',
  [RequestErrorCode.UnreadableBody]: 'bad_request',
  [RequestErrorCode.CrossOrigin]: 'forbidden',
};

export class RequestError extends DomainError<RequestErrorCode> {
  constructor(reason: RequestErrorCode, message: string) {
    super(reason, WIRE, message);
  }
}

export const bodyTooLarge = (limit: number): RequestError =>
  new RequestError(RequestErrorCode.BodyTooLarge, `body: exceeds ${limit} bytes`);
