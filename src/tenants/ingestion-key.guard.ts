import { applyDecorators, CanActivate, ExecutionContext, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { Access } from '../common/access.decorator.js';
import { bearerToken, secretsEqual } from '../common/access.guard.js';
import { AppError, unauthorized } from '../common/errors.js';
import { isUuid } from '../common/ids.js';
import { isObject, own } from '../common/json-object.js';
import { ingestionKeyDocs, SECURITY, type SecurityScheme } from '../common/openapi.js';
import type { AppRequest } from '../common/request-context.js';
import { hashIngestionKey } from './ingestion-key.js';
import { type BucketAnswer, RateLimitService } from './rate-limit.service.js';
import { TenantsRepository } from './tenants.repository.js';

/**
 * Where a route accepts the ingestion key from, in order of precedence: `body-write-key` is
 * Segment's `writeKey` field of the JSON body, listed last so that a header wins over it.
 */
export type KeySource = 'bearer' | 'basic' | 'query-token' | 'body-write-key';
const KEY_SOURCES = 'mara:key-sources';

function basicUsername(req: AppRequest): string | null {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Basic\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const user = decoded.split(':')[0];
  return user || null;
}

/** `?token=API_KEY.SERVER_TOKEN`: the last `.`-separated part is the ingestion key. */
function queryToken(req: AppRequest): string | null {
  const token = req.query.token;
  if (typeof token !== 'string' || !token) return null;
  const parts = token.split('.');
  return parts[parts.length - 1] || null;
}

/** `writeKey` of a JSON object body (Segment's HTTP API accepts the write key there). */
function bodyWriteKey(req: AppRequest): string | null {
  const body: unknown = req.body;
  if (!isObject(body)) return null;
  const key = own(body, 'writeKey');
  return typeof key === 'string' && key !== '' ? key : null;
}

function keyFrom(req: AppRequest, source: KeySource): string | null {
  switch (source) {
    case 'bearer':
      return bearerToken(req);
    case 'basic':
      return basicUsername(req);
    case 'query-token':
      return queryToken(req);
    case 'body-write-key':
      return bodyWriteKey(req);
  }
}

/** The first key found, in the route's order of sources (a presented header wins, even if wrong). */
export function presentedKey(req: AppRequest, sources: KeySource[]): string | null {
  for (const source of sources) {
    const key = keyFrom(req, source);
    if (key) return key;
  }
  return null;
}

/**
 * Resolves the tenant from its ingestion key on every request (no cache, so a rotation takes
 * effect at once on every instance). On `/api/tenants/:tenantId/...` the key must belong to
 * that tenant; an unknown tenant answers like a wrong key.
 */
@Injectable()
export class IngestionKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tenants: TenantsRepository,
    private readonly rateLimits: RateLimitService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AppRequest>();
    const sources = this.reflector.getAllAndOverride<KeySource[] | undefined>(KEY_SOURCES, [context.getHandler(), context.getClass()]) ?? ['bearer'];
    const key = presentedKey(req, sources);
    const pathTenant = req.params.tenantId as string | undefined;

    if (pathTenant !== undefined) {
      if (!isUuid(pathTenant)) throw unauthorized('unknown tenant or wrong ingestion key');
      // The key check and the rate-limit take in one statement: the token is taken only when the
      // presented key's hash is the tenant's (so bad keys drain nothing), and RateLimitGuard
      // answers with it.
      const presented = key ? hashIngestionKey(key) : null;
      const { hash, answer } = await this.rateLimits.takeWithKey(pathTenant, presented);
      if (hash === undefined) throw unauthorized('unknown tenant or wrong ingestion key');
      if (hash === null) {
        throw new AppError('no_ingestion_key', 'no ingestion key has been generated for this tenant yet');
      }
      if (!presented || !secretsEqual(presented, hash)) {
        throw unauthorized('missing or wrong ingestion key');
      }
      req.tenantId = pathTenant;
      if (answer) req.takenToken = answer;
      return true;
    }

    if (!key) throw unauthorized('missing ingestion key');
    const tenantId = await this.tenants.findByKeyHash(hashIngestionKey(key));
    if (tenantId === null) throw unauthorized('wrong ingestion key');
    req.tenantId = tenantId;
    return true;
  }
}

/** Takes one token from the tenant's bucket; runs after IngestionKeyGuard, so bad keys drain nothing. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(private readonly rateLimits: RateLimitService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AppRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    const answer = (req.takenToken as BucketAnswer | undefined) ?? (await this.rateLimits.take(req.tenantId!));
    res.setHeader('RateLimit-Limit', String(answer.limit));
    res.setHeader('RateLimit-Remaining', String(answer.remaining));
    res.setHeader('RateLimit-Reset', String(answer.resetSeconds));
    if (!answer.allowed) {
      throw new AppError('rate_limited', `rate limit exceeded; retry after ${answer.retryAfterSeconds} s`, {
        'Retry-After': String(answer.retryAfterSeconds),
      });
    }
    return true;
  }
}

/** How the OpenAPI document names each key source (alternative security requirements). */
const SCHEME_OF: Record<KeySource, SecurityScheme | null> = {
  bearer: SECURITY.ingestionKey,
  basic: SECURITY.segmentWriteKey,
  'query-token': SECURITY.usermavenToken,
  // A body field is no OpenAPI security scheme: the route's body schema documents `writeKey`.
  'body-write-key': null,
};

/**
 * Marks a route as keyed intake: ingestion-key check, then the tenant's rate limit. The accepted
 * key sources also become the route's security requirements in the OpenAPI document.
 */
export const IngestionKeyAuth = (...sources: KeySource[]): MethodDecorator & ClassDecorator => {
  const accepted: KeySource[] = sources.length ? sources : ['bearer'];
  return applyDecorators(
    Access('ingestion'),
    SetMetadata(KEY_SOURCES, accepted),
    UseGuards(IngestionKeyGuard, RateLimitGuard),
    ...ingestionKeyDocs(accepted.flatMap((s) => SCHEME_OF[s] ?? [])),
  );
};
