import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Contact } from '../contacts/contact.entity.js';
import { Tenant } from '../tenants/tenant.entity.js';

/** Where a delivery ended: `processing` only ever exists inside the transaction handling it. */
export const DELIVERY_STATUSES = ['ok', 'ignored', 'duplicate', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * The delivery log (docs/webhooks.md, "Delivery log and replay"). One entry per provider event,
 * which is also its dedupe (the partial unique index): `ok`, `ignored`, or `failed` until a
 * retry or a replay processes it. Each redelivery of an already processed event adds a
 * `duplicate` row, which the index leaves out. The payload is the raw body, encrypted.
 */
@Entity('webhook_deliveries')
@Index('uq_webhook_deliveries_event', ['tenantId', 'provider', 'deliveryId'], { unique: true, where: `"status" <> 'duplicate'` })
@Index('ix_webhook_deliveries_received', ['tenantId', 'receivedAt', 'id'])
@Check('CHK_webhook_deliveries_status', `"status" IN ('processing', 'ok', 'ignored', 'duplicate', 'failed')`)
export class WebhookDelivery {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'PK_webhook_deliveries' })
  id: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId: string;

  @Column('text')
  provider: string;

  /** The provider's event id, the dedupe key (Stripe event id, Polar webhook-id, Clerk svix-id). */
  @Column('text', { name: 'delivery_id' })
  deliveryId: string;

  @Column('text', { name: 'provider_event_type' })
  providerEventType: string;

  /** `processing` while its transaction runs (so never seen committed), then `ok` or `ignored`. */
  @Column('text')
  status: DeliveryStatus | 'processing';

  @Column('text', { name: 'event_type', nullable: true })
  eventType: string | null;

  @Column('uuid', { name: 'contact_id', nullable: true })
  contactId: string | null;

  /** Why an ignored delivery maps to nothing. */
  @Column('text', { nullable: true })
  reason: string | null;

  /** The message of the internal error a `failed` delivery hit. */
  @Column('text', { nullable: true })
  error: string | null;

  /** The raw body, sealed with SECRETS_KEY (AES-256-GCM); null for entries older than the log. Loaded on request only. */
  @Column('text', { nullable: true, select: false })
  payload: string | null;

  /** Deliveries and replays that processed this entry (a failed one, then its retry: 2). */
  @Column('integer', { default: 1 })
  attempts: number;

  @Column('timestamptz', { name: 'received_at' })
  receivedAt: Date;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'FK_webhook_deliveries_tenant' })
  tenant?: Relation<Tenant>;
}

/** A provider customer id (Stripe cus_..., Polar customer) linked to the contact it belongs to. */
@Entity('provider_customers')
export class ProviderCustomer {
  @PrimaryColumn('uuid', { name: 'tenant_id', primaryKeyConstraintName: 'PK_provider_customers' })
  tenantId: string;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'PK_provider_customers' })
  provider: string;

  @PrimaryColumn('text', { name: 'customer_id', primaryKeyConstraintName: 'PK_provider_customers' })
  customerId: string;

  @Column('uuid', { name: 'contact_id' })
  contactId: string;

  @Column('timestamptz', { name: 'linked_at' })
  linkedAt: Date;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'FK_provider_customers_tenant' })
  tenant?: Relation<Tenant>;

  @ManyToOne(() => Contact, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'FK_provider_customers_contact' },
    { name: 'contact_id', referencedColumnName: 'id', foreignKeyConstraintName: 'FK_provider_customers_contact' },
  ])
  contact?: Relation<Contact>;
}

/** What a connector remembers between deliveries (last subscription status and plan, failed invoices). */
@Entity('provider_state')
export class ProviderStateRow {
  @PrimaryColumn('uuid', { name: 'tenant_id', primaryKeyConstraintName: 'PK_provider_state' })
  tenantId: string;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'PK_provider_state' })
  provider: string;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'PK_provider_state' })
  key: string;

  @Column('jsonb')
  state: Record<string, unknown>;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt: Date;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'FK_provider_state_tenant' })
  tenant?: Relation<Tenant>;
}

/** A Clerk user backfill run: one durable job per page, the cursor kept here. */
@Entity('clerk_imports')
// One running import per tenant.
@Index('uq_clerk_imports_running', ['tenantId'], { unique: true, where: `"status" = 'running'` })
export class ClerkImport {
  @PrimaryColumn('uuid', { name: 'tenant_id', primaryKeyConstraintName: 'PK_clerk_imports' })
  tenantId: string;

  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'PK_clerk_imports' })
  id: string;

  /** running | completed | failed */
  @Column('text')
  status: string;

  @Column('integer', { default: 0 })
  pages: number;

  @Column('integer', { name: 'users_seen', default: 0 })
  usersSeen: number;

  @Column('integer', { name: 'contacts_created', default: 0 })
  contactsCreated: number;

  /** The cursor: the offset in Clerk's user list of the next page to import. */
  @Column('integer', { name: 'next_offset', default: 0 })
  nextOffset: number;

  @Column('text', { nullable: true })
  error: string | null;

  @Column('timestamptz', { name: 'started_at' })
  startedAt: Date;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt: Date | null;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'FK_clerk_imports_tenant' })
  tenant?: Relation<Tenant>;
}
