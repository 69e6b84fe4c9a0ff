import type { NextFunction, Request, Response } from 'express';
import type { AppRequest } from '../request-context.js';
import { crossOriginProblem, isCookieWrite } from '../session-http.js';
import { RequestError, RequestErrorCode } from './request.errors.js';

/**
 * A state change that rides on the dashboard's session cookie from another origin is refused
 * (403) before its body is even read, whatever its content type: a cross-origin form post gets
 * 403, never 415 (docs/dashboard.md#csrf). The AccessGuard checks the rest (session, CSRF token).
 */
export function refuseCrossOriginCookieWrites(publicBaseUrl: string) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const appReq = req as AppRequest;
    const problem = isCookieWrite(appReq) ? crossOriginProblem(appReq, publicBaseUrl) : null;
    next(problem ? new RequestError(RequestErrorCode.CrossOrigin, problem) : undefined);
  };
}
