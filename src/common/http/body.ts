/**
 * Request bodies: how they are read (once, before routing, by body-parser through Nest's raw-body
 * support) and what each route does with them (route metadata, applied by RequestBodyGuard).
 * The rules are those of docs/api.md#bodies: JSON only (415 otherwise), 1 MB (413), strict UTF-8,
 * no NUL or lone surrogate, 32 levels at most (400).
 */
import { SetMetadata } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { findJsonProblem, isJsonContentType, parseJsonBody } from '../json-body.js';
import { MAX_BODY_BYTES } from '../limits.js';
import type { AppRequest } from '../request-context.js';
import { bodyTooLarge, RequestError, RequestErrorCode } from './request.errors.js';

/** Methods whose body is read; a body on any other method is ignored. */
const BODY_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** What a route does with a request body. */
export interface BodyPolicy {
  /** `json`: `application/json` or `application/*+json`, else 415; `any`: whatever is sent. */
  accepts: 'json' | 'any';
  /**
   * `parsed`: `req.body` is the checked JSON. `raw`: `req.rawBody` only, the exact bytes (a webhook
   * verifies its signature on them, then parses). `discarded`: read and dropped.
   */
  keeps: 'parsed' | 'raw' | 'discarded';
  /** At most MAX_BODY_BYTES, which the reader enforces for every route. */
  maxBytes: number;
}

/** Every route's policy unless it declares another. */
export const JSON_BODY: BodyPolicy = { accepts: 'json', keeps: 'parsed', maxBytes: MAX_BODY_BYTES };

export const BODY_POLICY = 'mara:body-policy';

/** The route verifies the exact bytes of its JSON body before parsing them itself (webhooks). */
export const RawJsonBody = (): MethodDecorator & ClassDecorator =>
  SetMetadata(BODY_POLICY, { accepts: 'json', keeps: 'raw', maxBytes: MAX_BODY_BYTES } satisfies BodyPolicy);

/** The route takes a body of any type, up to `maxBytes`, and ignores it (RFC 8058 one-click posts). */
export const DiscardedBody = (maxBytes: number): MethodDecorator & ClassDecorator =>
  SetMetadata(BODY_POLICY, { accepts: 'any', keeps: 'discarded', maxBytes } satisfies BodyPolicy);

/**
 * The options of the one body reader (`app.useBodyParser('raw', ...)`; Nest's `rawBody: true`
 * keeps the bytes in `req.rawBody`). It reads JSON-typed bodies of body methods only, checking
 * Content-Length before reading and the size while reading; compressed bodies are refused (415).
 */
export const BODY_READER = {
  type: (req: IncomingMessage): boolean => BODY_METHODS.has(req.method ?? '') && isJsonContentType(req.headers['content-type']),
  limit: MAX_BODY_BYTES,
  inflate: false,
};

function hasBody(req: AppRequest): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

/** Reads and drops a body the reader did not take, up to `limit` bytes (413 beyond). */
function drain(req: AppRequest, limit: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(bodyTooLarge(limit));
      return;
    }
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (!failed && size > limit) {
        failed = true;
        reject(bodyTooLarge(limit));
      }
    });
    req.on('end', () => {
      if (!failed) resolve();
    });
    req.on('error', (err) => {
      if (!failed) reject(err);
    });
  });
}

/** Applies a route's policy to the request as the reader left it. */
export async function applyBodyPolicy(req: AppRequest, policy: BodyPolicy): Promise<void> {
  const raw = req.rawBody;
  const unread = raw === undefined && BODY_METHODS.has(req.method) && hasBody(req);
  req.body = undefined;
  if (raw === undefined && !unread) return;
  if (unread && policy.accepts === 'json') {
    throw new RequestError(RequestErrorCode.UnsupportedMediaType, 'Content-Type must be application/json');
  }
  if (unread) {
    await drain(req, policy.maxBytes);
    return;
  }
  if (raw!.length > policy.maxBytes) throw bodyTooLarge(policy.maxBytes);
  if (policy.keeps === 'discarded') {
    delete req.rawBody;
    return;
  }
  if (policy.keeps === 'raw') return;
  let parsed: unknown;
  try {
    parsed = parseJsonBody(raw!);
  } catch (e) {
    throw new RequestError(RequestErrorCode.InvalidJson, (e as Error).message);
  }
  const problem = findJsonProblem(parsed);
  if (problem) throw new RequestError(RequestErrorCode.UnstorableJson, problem);
  req.body = parsed;
}

/** The envelope of an error the body reader (body-parser) passed on, or null for any other error. */
export function bodyReaderError(e: unknown): RequestError | null {
  if (typeof e !== 'object' || e === null) return null;
  const { type, limit } = e as { type?: unknown; limit?: unknown };
  switch (type) {
    case 'entity.too.large':
      return bodyTooLarge(typeof limit === 'number' ? limit : MAX_BODY_BYTES);
    case 'encoding.unsupported':
      return new RequestError(RequestErrorCode.UnsupportedMediaType, 'Content-Encoding: compressed bodies are not accepted');
    case 'entity.parse.failed':
      return new RequestError(RequestErrorCode.InvalidJson, 'body: is not valid JSON');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.not.readable':
      return new RequestError(RequestErrorCode.UnreadableBody, 'body: could not be read whole (aborted, or not the length Content-Length says)');
    default:
      return null;
  }
}
