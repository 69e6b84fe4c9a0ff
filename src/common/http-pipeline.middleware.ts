import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AppError } from './errors.js';
import { findJsonProblem, isJsonContentType, MAX_BODY_BYTES, parseJsonBody } from './json-body.js';
import { PINO_LOGGER } from './logger.js';
import { Counters } from './ports.js';
import type { AppRequest } from './request-context.js';
import { crossOriginProblem, isCookieWrite } from './session-http.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Webhook bodies are verified raw before they are parsed (by the webhook guard). */
const RAW_ONLY_PREFIX = '/api/webhooks/';
/**
 * Unsubscribe links take RFC 8058 one-click posts, a form body (`List-Unsubscribe=One-Click`)
 * whatever the content type; the token in the path is all they need, so the body is discarded.
 */
const UNSUBSCRIBE_PREFIX = '/u/';
const UNSUBSCRIBE_MAX_BODY_BYTES = 8 * 1024;

function readBody(req: AppRequest, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new AppError('payload_too_large', `body: exceeds ${limit} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new AppError('payload_too_large', `body: exceeds ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (!failed) reject(err);
    });
  });
}

/** Routing ignores letter case (`/U/…` reaches the unsubscribe route), so prefix checks do too. */
const hasPrefix = (url: string, prefix: string): boolean => url.slice(0, prefix.length).toLowerCase() === prefix;

/**
 * The path only, since query strings may carry a key (`?token=`), and with unsubscribe tokens
 * (capabilities in `/u/{token}`, whatever the case of the `u`) cut out.
 */
export function loggablePath(url: string): string {
  const path = url.split('?')[0];
  return hasPrefix(path, UNSUBSCRIBE_PREFIX) ? `${UNSUBSCRIBE_PREFIX}[redacted]` : path;
}

function hasBody(req: AppRequest): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

/**
 * First stop of every request: request id, access log, the dashboard cookie's same-origin rule,
 * and the JSON body (1 MB limit, strict UTF-8, 415 for other content types, depth and NUL
 * checks). Errors reach the global filter.
 */
@Injectable()
export class HttpPipelineMiddleware implements NestMiddleware {
  constructor(
    @Inject(PINO_LOGGER) private readonly logger: Logger,
    private readonly metrics: Counters,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async use(req: AppRequest, res: Response, next: NextFunction): Promise<void> {
    const incoming = req.headers['x-request-id'];
    req.id = typeof incoming === 'string' && /^[\w.:-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // The route pattern, not the path: ids in paths would make a series per tenant.
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      const labels = { method: req.method, route, status: String(res.statusCode) };
      this.metrics.inc('http_requests_total', 'HTTP requests answered.', labels);
      this.metrics.inc('http_request_duration_seconds_sum', 'Total seconds spent answering HTTP requests.', labels,
        Number(process.hrtime.bigint() - started) / 1e9);
      this.logger.info(
        {
          requestId: req.id,
          method: req.method,
          path: loggablePath(req.originalUrl),
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        },
        'request',
      );
    });

    // A state change that rides on the dashboard's cookie from another origin is refused before
    // its body is even read, whatever its content type (the AccessGuard checks the rest).
    if (isCookieWrite(req)) {
      const problem = crossOriginProblem(req, this.config.publicBaseUrl);
      if (problem) throw new AppError('forbidden', problem);
    }

    if (!BODY_METHODS.has(req.method) || !hasBody(req)) {
      req.body = undefined;
      next();
      return;
    }
    if (hasPrefix(req.originalUrl, UNSUBSCRIBE_PREFIX)) {
      await readBody(req, UNSUBSCRIBE_MAX_BODY_BYTES);
      req.body = undefined;
      next();
      return;
    }
    if (!isJsonContentType(req.headers['content-type'])) {
      throw new AppError('unsupported_media_type', 'Content-Type must be application/json');
    }
    const raw = await readBody(req, MAX_BODY_BYTES);
    req.rawBody = raw;
    if (hasPrefix(req.originalUrl, RAW_ONLY_PREFIX)) {
      next();
      return;
    }
    let parsed: unknown;
    try {
      parsed = parseJsonBody(raw);
    } catch (e) {
      throw new AppError('bad_request', (e as Error).message);
    }
    const problem = findJsonProblem(parsed);
    if (problem) throw new AppError('bad_request', problem);
    req.body = parsed;
    next();
  }
}
