import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { AppRequest } from '../request-context.js';

/** A client's `X-Request-Id` is kept when it is a sane token; anything else gets a new UUID. */
const SANE_ID = /^[\w.:-]{1,128}$/;

/** First step of every request: its id, echoed in `X-Request-Id` and written on every log line about it. */
export function requestId() {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && SANE_ID.test(incoming) ? incoming : randomUUID();
    (req as AppRequest).id = id;
    res.setHeader('X-Request-Id', id);
    next();
  };
}
