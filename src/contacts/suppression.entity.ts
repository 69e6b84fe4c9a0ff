import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Tenant } from '../tenants/tenant.entity.js';

/**
 * A tenant's suppression list (docs/data-rights.md#suppressions): addresses that must never get
 * journey email, as a keyed hash of the address only (HMAC under a key of the tenant alone).
 */
@Entity('suppressions')
@Index('ix_suppressions_created', ['tenantId', 'createdAt', 'id'])
export class Suppression {
  @PrimaryColumn('uuid', { name: 'tenant_id', primaryKeyConstraintName: 'PK_suppressions' })
  tenantId: string;

  @PrimaryColumn('text', { name: 'email_hash', primaryKeyConstraintName: 'PK_suppressions' })
  emailHash: string;

  /** The list's keyset id (pagination). */
  @Column('uuid', { default: () => 'gen_random_uuid()' })
  id: string;

  @Column('text', { nullable: true })
  reason: string | null;

  @Column('timestamptz', { name: 'created_at', default: () => "date_trunc('milliseconds', now())" })
  createdAt: Date;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'FK_suppressions_tenant' })
  tenant?: Relation<Tenant>;
}
