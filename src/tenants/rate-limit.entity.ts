import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Tenant } from './tenant.entity.js';

/** A tenant's token-bucket settings and state, shared by every instance (docs/api.md#rate-limit). */
@Entity('tenant_rate_limits')
export class TenantRateLimit {
  @PrimaryColumn('uuid', { name: 'tenant_id', primaryKeyConstraintName: 'PK_tenant_rate_limits' })
  tenantId: string;

  @Column('integer', { name: 'requests_per_hour', default: 600 })
  requestsPerHour: number;

  @Column('integer', { default: 600 })
  burst: number;

  @Column('double precision')
  tokens: number;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;

  @OneToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'FK_tenant_rate_limits_tenant' })
  tenant?: Relation<Tenant>;
}
