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
export type ConsentStatus = Schemas['ConsentStatus'];
/** Everything held about one contact (GDPR Art. 15). */
export type ContactExport = Schemas['ContactExportView'];
export type Suppression = Schemas['SuppressionView'];
export type SuppressionPage = Schemas['SuppressionPage'];
export type SignupEvent = Schemas['SignupEventView'];

export type Journey = Schemas['JourneyView'];
export type JourneyPage = Schemas['JourneyPage'];
export type JourneyStatus = Schemas['JourneyStatus'];
/** A `wait` or `send_email` step. */
export type JourneyStep = Schemas['JourneyStep'];
export type CreateJourney = Schemas['CreateJourneyDto'];
export type UpdateJourney = Schemas['UpdateJourneyDto'];
export type JourneyRun = Schemas['RunView'];
export type JourneyRunPage = Schemas['RunPage'];
/** One entry of a run's step history. */
export type StepRecord = Schemas['StepRecord'];
export type Message = Schemas['MessageView'];
export type MessagePage = Schemas['MessagePage'];

export type WebhookDelivery = Schemas['WebhookDeliveryView'];
export type WebhookDeliveryPage = Schemas['WebhookDeliveryPage'];
/** A delivery with `payload`, the provider's JSON as received. */
export type WebhookDeliveryDetail = Schemas['WebhookDeliveryDetailView'];
export type WebhookDeliveryStatus = Schemas['WebhookDeliveryStatus'];
export type WebhookReplay = Schemas['WebhookReplayView'];

/** `limit` (1 to 200, default 50) and `cursor` (a previous page's `nextCursor`). */
export type PageQuery = NonNullable<paths['/admin/tenants']['get']['parameters']['query']>;
/** PageQuery plus `email` and `externalId` filters. */
export type ContactsQuery = NonNullable<paths['/admin/tenants/{tenantId}/contacts']['get']['parameters']['query']>;
/** PageQuery plus `provider` and `status` filters. */
export type WebhookDeliveriesQuery = NonNullable<paths['/admin/tenants/{tenantId}/webhook-deliveries']['get']['parameters']['query']>;
