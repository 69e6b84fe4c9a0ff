import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AppRequest } from './request-context.js';

/** The tenant the ingestion-key guard resolved for this request. */
export const AuthenticatedTenant = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const tenantId = ctx.switchToHttp().getRequest<AppRequest>().tenantId;
  if (!tenantId) throw new Error('AuthenticatedTenant used on a route without IngestionKeyAuth');
  return tenantId;
});
