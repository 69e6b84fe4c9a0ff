import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AppRequest } from '../request-context.js';
import { applyBodyPolicy, BODY_POLICY, JSON_BODY, type BodyPolicy } from './body.js';

/**
 * Applies the route's body policy (`@RawJsonBody()`, `@DiscardedBody(...)`, JSON otherwise). A
 * guard, because it is the one step that runs after routing (so it sees the route's metadata) and
 * before the routes' own guards, which read the body: the ingestion-key guard Segment's
 * `writeKey`, the webhook guard the raw bytes. It is registered right after PathIdsGuard and
 * before AccessGuard, so a bad body is answered before credentials are, as it always was.
 */
@Injectable()
export class RequestBodyGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const policy =
      this.reflector.getAllAndOverride<BodyPolicy | undefined>(BODY_POLICY, [context.getHandler(), context.getClass()]) ?? JSON_BODY;
    await applyBodyPolicy(context.switchToHttp().getRequest<AppRequest>(), policy);
    return true;
  }
}
