import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { forbidden, unauthorized } from './errors.js';
import { SessionAuthenticator } from './ports.js';
import type { AppRequest } from './request-context.js';
import { ACCESS_KEY, type RouteAccess } from './route-access.js';
import { secretsEqual } from './secrets.js';
import { SAFE_METHODS, sessionCookie } from './session-http.js';

export { secretsEqual } from './secrets.js';

export function bearerToken(req: AppRequest): string | null {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

/**
 * Global guard: deny by default. Admin routes take the admin bearer token, or a dashboard
 * session cookie; session routes take the cookie only. With a cookie, a state change must come
 * from the dashboard's own origin and carry the session's CSRF token (403 otherwise).
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: SessionAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ACCESS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const req = context.switchToHttp().getRequest<AppRequest>();
    switch (access) {
      case 'public':
      case 'ingestion': // IngestionKeyGuard on the route does the check
      case 'webhook': // the webhook signature guard on the route does the check
        return true;
      case 'admin': {
        if (req.headers.authorization !== undefined) {
          const token = bearerToken(req);
          if (token && secretsEqual(token, this.config.adminApiToken)) return true;
          throw unauthorized('missing or invalid admin token');
        }
        if (sessionCookie(req) === null) throw unauthorized('missing or invalid admin token');
        await this.requireSession(req);
        return true;
      }
      case 'session':
        await this.requireSession(req);
        return true;
      case undefined:
        // No credentials could open it: 403, not 401 (deny by default, see access.decorator.ts).
        throw forbidden('route is not open');
    }
  }

  private async requireSession(req: AppRequest): Promise<void> {
    const rawId = sessionCookie(req);
    const changes = !SAFE_METHODS.has(req.method);
    if (changes) this.sessions.assertSameOrigin(req);
    req.dashboardSession = { rawId: rawId ?? '', ...(await this.sessions.require(rawId)) };
    if (changes && rawId) this.sessions.assertCsrfToken(req, rawId);
  }
}
