import { applyDecorators, SetMetadata } from '@nestjs/common';
import { accessDocs } from './openapi.js';

/**
 * Who may call a route. Every route must say it: the global AccessGuard denies routes that do
 * not (deny by default, so a forgotten decorator closes a route rather than opening it).
 * - `public`: anyone (health, docs, unsubscribe links).
 * - `admin`: the ADMIN_API_TOKEN bearer, or a dashboard session cookie (with the CSRF rules).
 * - `session`: a dashboard session cookie only (the session routes of the dashboard).
 * - `ingestion`: an ingestion key, checked by IngestionKeyGuard on the route.
 * - `webhook`: a provider signature, checked by the webhook signature guard on the route.
 * The same decorator declares the route's security scheme and access errors in the OpenAPI
 * document, so the document cannot disagree with the guard.
 */
export type RouteAccess = 'public' | 'admin' | 'session' | 'ingestion' | 'webhook';

export const ACCESS_KEY = 'mara:access';

export const Access = (access: RouteAccess): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(ACCESS_KEY, access), ...accessDocs(access));
