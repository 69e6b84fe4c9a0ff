import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Contact } from '../contacts/contact.entity.js';
import { Tenant } from '../tenants/tenant.entity.js';

/** One accepted delivery; its primary key is the dedupe on the provider's event id. */
@Entity('webhook_deliveries')
export class WebhookDelivery {
  @PrimaryColumn('uuid', { name: 'tenant_id', primaryKeyConstraintName: 'PK_webhook_deliveries' })
  tenantId: string;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'PK_webhook_deliveries' })
  provider: string;

  @PrimaryColumn('text', { name: 'delivery_id', primaryKeyConstraintName: 'PK_webhook_deliveries' })
  deliveryId: string;

  @Column('text', { name: 'provider_event_type' })
  providerEventType: string;

  /** `processing` while its transaction runs (so never seen committed), then `ok` or `ignored`. */
  @Column('text')
  outcome: string;

  @Column('text', { name: 'event_type', nullable: true })
  eventType: string | null;

  @Column('uuid', { name: 'contact_id', nullable: true })
  contactId: string | null;

  @Column('text', { nullable: true })
  reason: string | null;

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
