import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { AppRequest } from '../request-context.js';

/** Routing ignores letter case (`/U/…` reaches the unsubscribe route), so prefix checks do too. */
const hasPrefix = (path: string, prefix: string): boolean => path.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase();

/**
 * The path only, since query strings may carry a key (`?token=`), and with the capability in a
 * path cut out: `capabilityPrefixes` are paths whose next segment is a credential (the unsubscribe
 * links' `/u/{token}`), logged as `<prefix>[redacted]` whatever the letter case.
 */
export function loggablePath(url: string, capabilityPrefixes: readonly string[]): string {
  const path = url.split('?')[0];
  const prefix = capabilityPrefixes.find((p) => hasPrefix(path, p));
  return prefix ? `${prefix}[redacted]` : path;
}

/** Where the error filter leaves the reason of an error answer, for the access line. */
export const ERROR_REASON_LOCAL = 'errorReason';

/**
 * One access line per answered request: request id, method, path (see loggablePath), status,
 * duration, and for an error its reason (the feature's own, e.g. `journey.active_not_editable`).
 * Never a body, a query string or a header.
 */
export function accessLog(logger: Logger, capabilityPrefixes: readonly string[]) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const reason = res.locals[ERROR_REASON_LOCAL] as string | undefined;
      logger.info(
        {
          requestId: (req as AppRequest).id,
          method: req.method,
          path: loggablePath(req.originalUrl, capabilityPrefixes),
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
          ...(reason ? { error: reason } : {}),
        },
        'request',
      );
    });
    next();
  };
}
