import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { canonicalId } from './ids.js';
import type { AppRequest } from './request-context.js';

/**
 * Normalizes every UUID path parameter (`:tenantId`, `:contactId`, ...) to lower case, once, at
 * the edge. It is a global guard, not a pipe, because guards run before pipes: the ingestion-key
 * and webhook-signature guards read `:tenantId` too, and must see the same id the handler does.
 * Global guards run before any route's own guards, so nothing reads a parameter before this.
 * `/admin/tenants/3F0C...` then stores a secret the webhook URL `/3f0c...` can decrypt, and
 * takes the same advisory locks as a request spelled in lower case.
 */
@Injectable()
export class PathIdsGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const params = context.switchToHttp().getRequest<AppRequest>().params as Record<string, unknown> | undefined;
    if (!params) return true;
    for (const [name, value] of Object.entries(params)) {
      if (typeof value === 'string') params[name] = canonicalId(value);
    }
    return true;
  }
}
