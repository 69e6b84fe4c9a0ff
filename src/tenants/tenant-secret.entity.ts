import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Tenant } from './tenant.entity.js';

export const SECRET_KINDS = ['stripe', 'polar', 'clerk', 'clerk_backend_api'] as const;
export type SecretKind = (typeof SECRET_KINDS)[number];

/** A provider secret, encrypted with AES-256-GCM under SECRETS_KEY (see secret-box.ts). */
@Entity('tenant_secrets')
export class TenantSecret {
  @PrimaryColumn('uuid', { name: 'tenant_id', primaryKeyConstraintName: 'PK_tenant_secrets' })
  tenantId: string;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'PK_tenant_secrets' })
  kind: SecretKind;

  @Column('text')
  ciphertext: string;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'FK_tenant_secrets_tenant' })
  tenant?: Relation<Tenant>;
}
