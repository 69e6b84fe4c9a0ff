import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Tenant } from '../tenants/tenant.entity.js';
import type { Scalar } from '../common/vocabulary.js';

export const CONSENT_STATUSES = ['granted', 'withdrawn'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

/** Lifecycle consent (docs/data-rights.md#consent): `withdrawn` is only ever set, or lifted, by the admin route. */
export interface Consent {
  status: ConsentStatus;
  source: string;
  at: string;
}

@Entity('contacts')
@Index('uq_contacts_external_id', ['tenantId', 'externalId'], { unique: true, where: 'external_id IS NOT NULL' })
@Index('uq_contacts_email_only', ['tenantId', 'email'], { unique: true, where: 'external_id IS NULL' })
@Index('ix_contacts_email', ['tenantId', 'email'])
@Index('ix_contacts_created', ['tenantId', 'createdAt', 'id'])
export class Contact {
  @PrimaryColumn('uuid', { name: 'tenant_id', primaryKeyConstraintName: 'PK_contacts' })
  tenantId: string;

  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'PK_contacts' })
  id: string;

  @Column('text', { name: 'external_id', nullable: true })
  externalId: string | null;

  @Column('text', { nullable: true })
  email: string | null;

  @Column('text', { nullable: true })
  name: string | null;

  @Column('jsonb', { default: () => `'{}'` })
  attributes: Record<string, Scalar>;

  @Column('jsonb', { nullable: true })
  consent: Consent | null;

  @Column('timestamptz', { name: 'unsubscribed_at', nullable: true })
  unsubscribedAt: Date | null;

  @Column('timestamptz', { name: 'deactivated_at', nullable: true })
  deactivatedAt: Date | null;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'FK_contacts_tenant' })
  tenant?: Relation<Tenant>;
}
