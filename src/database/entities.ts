import { ContactConnector } from '../contacts/contact-connector.entity.js';
import { ContactEvent } from '../contacts/contact-event.entity.js';
import { Contact } from '../contacts/contact.entity.js';
import { Suppression } from '../contacts/suppression.entity.js';
import { DashboardSession } from '../dashboard/dashboard-session.entity.js';
import { JourneyRun } from '../journeys/journey-run.entity.js';
import { Journey } from '../journeys/journey.entity.js';
import { Message } from '../journeys/message.entity.js';
import { TenantRateLimit } from '../tenants/rate-limit.entity.js';
import { TenantSecret } from '../tenants/tenant-secret.entity.js';
import { Tenant } from '../tenants/tenant.entity.js';
import { ClerkImport, ProviderCustomer, ProviderStateRow, WebhookDelivery } from '../webhooks/webhook.entities.js';

/** Every entity, listed so that the app, the tests and the CLI load the same set without globs. */
export const ENTITIES = [
  Tenant, TenantSecret, TenantRateLimit, Contact, ContactEvent, ContactConnector, Suppression,
  WebhookDelivery, ProviderCustomer, ProviderStateRow, ClerkImport,
  Journey, JourneyRun, Message, DashboardSession,
];
