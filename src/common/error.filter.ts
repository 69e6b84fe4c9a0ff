import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { AppError, errorReason, type ErrorCode } from './errors.js';
import { ERROR_REASON_LOCAL } from './http/access-log.middleware.js';
import { bodyReaderError } from './http/body.js';
import { loggableError, PINO_LOGGER } from './logger.js';
import type { AppRequest } from './request-context.js';

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

/** Turns a framework HttpException into our envelope without leaking its internals. */
function fromHttpException(e: HttpException, req: AppRequest): AppError {
  const status = e.getStatus();
  const code = CODE_BY_STATUS[status];
  if (!code) return new AppError('infra', 'internal error');
  if (code === 'not_found') return new AppError('not_found', `no route for ${req.method} ${req.path}`);
  const response = e.getResponse();
  const message =
    typeof response === 'object' && response !== null && 'message' in response
      ? String((response as { message: unknown }).message)
      : e.message;
  return new AppError(code, message);
}

/** The one place every error becomes `{ok: false, code, message}` (docs/api.md#errors). */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(@Inject(PINO_LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<AppRequest>();
    const res = ctx.getResponse<Response>();
    let error: AppError;
    if (exception instanceof AppError) error = exception;
    else {
      // Express hands the body reader's (http-errors) errors on as an HttpException caused by them.
      const cause = exception instanceof HttpException ? exception.cause : undefined;
      error =
        bodyReaderError(cause ?? exception) ??
        (exception instanceof HttpException ? fromHttpException(exception, req) : new AppError('infra', 'internal error; safe to retry'));
    }

    // The access line's `error`: the feature's reason (journey.active_not_editable) or the code.
    const reason = errorReason(error);
    if (error.code === 'infra') {
      this.logger.error({ requestId: req.id, err: loggableError(exception) }, 'unhandled error');
      error = new AppError('infra', `internal error (request ${req.id}); safe to retry`);
    }
    res.locals[ERROR_REASON_LOCAL] = reason;
    if (res.headersSent) return;
    for (const [name, value] of Object.entries(error.headers)) {
      res.setHeader(name, value);
    }
    // The envelope is JSON even where a route declared another type for its success answer (/u/).
    res.status(error.status).type('application/json').json(error.body());
  }
}
