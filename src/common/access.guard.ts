import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ACCESS_KEY, type RouteAccess } from './access.decorator.js';
import { unauthorized } from './errors.js';
import type { AppRequest } from './request-context.js';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Compares two secrets in constant time (hashing first makes the lengths equal). */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

export function bearerToken(req: AppRequest): string | null {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

/** Global guard: deny by default; admin routes need the admin bearer token. */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ACCESS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    switch (access) {
      case 'public':
      case 'ingestion': // IngestionKeyGuard on the route does the check
      case 'webhook': // the webhook signature guard on the route does the check
        return true;
      case 'admin': {
        const token = bearerToken(context.switchToHttp().getRequest<AppRequest>());
        if (token && secretsEqual(token, this.config.adminApiToken)) return true;
        throw unauthorized('missing or invalid admin token');
      }
      case undefined:
        throw unauthorized('route is not open');
    }
  }
}
