/**
 * Who may call a route. Every route must say it (the `Access` decorator): the global AccessGuard
 * denies routes that do not (deny by default, so a forgotten decorator closes a route rather than
 * opening it).
 * - `public`: anyone (health, docs, unsubscribe links).
 * - `admin`: the ADMIN_API_TOKEN bearer, or a dashboard session cookie (with the CSRF rules).
 * - `session`: a dashboard session cookie only (the session routes of the dashboard).
 * - `ingestion`: an ingestion key, checked by IngestionKeyGuard on the route.
 * - `webhook`: a provider signature, checked by the webhook signature guard on the route.
 * Its own file, so that the decorator, the guard and the OpenAPI helpers all depend on it and
 * not on each other.
 */
export type RouteAccess = 'public' | 'admin' | 'session' | 'ingestion' | 'webhook';

/** The route metadata key the decorator sets and the guard reads. */
export const ACCESS_KEY = 'mara:access';
