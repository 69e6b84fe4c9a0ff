/** Friendly names for the generated schema types (generated/schema.ts, from openapi.json). */
import type { components, paths } from './generated/schema.js';

type Schemas = components['schemas'];

export type IdentifyOp = Schemas['IdentifyOp'];
export type TrackOp = Schemas['TrackOp'];
/** One Events API op: identify or track. */
export type EventsOp = Schemas['EventsOp'];
export type OpResult = Schemas['OpResultView'];
export type OpStatus = Schemas['OpStatus'];
export type Scalar = Schemas['Scalar'];

export type Tenant = Schemas['TenantView'];
export type TenantPage = Schemas['TenantPage'];
export type IngestionKey = Schemas['IngestionKeyView'];
export type Integrations = Schemas['IntegrationsView'];
export type RateLimit = Schemas['RateLimitView'];
export type WebhookProvider = Schemas['WebhookProvider'];
export type Contact = Schemas['ContactView'];
export type ContactPage = Schemas['ContactPage'];
export type ContactEvent = Schemas['ContactEventView'];
export type ContactEventPage = Schemas['ContactEventPage'];
export type IngestionHealth = Schemas['IngestionHealthView'];

/** `limit` (1 to 200, default 50) and `cursor` (a previous page's `nextCursor`). */
export type PageQuery = NonNullable<paths['/admin/tenants']['get']['parameters']['query']>;
/** PageQuery plus `email` and `externalId` filters. */
export type ContactsQuery = NonNullable<paths['/admin/tenants/{tenantId}/contacts']['get']['parameters']['query']>;
