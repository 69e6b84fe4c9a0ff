import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('tenants')
export class Tenant {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'PK_tenants' })
  id: string;

  @Column('text')
  name: string;

  /** SHA-256 (hex) of the current ingestion key; the raw key is never stored. */
  @Index('uq_tenants_ingestion_key_hash', { unique: true })
  @Column('text', { name: 'ingestion_key_hash', nullable: true })
  ingestionKeyHash: string | null;

  @Column('text', { name: 'ingestion_key_prefix', nullable: true })
  ingestionKeyPrefix: string | null;

  @Column('timestamptz', { name: 'ingestion_key_created_at', nullable: true })
  ingestionKeyCreatedAt: Date | null;

  @Column('text', { name: 'signup_event_type', nullable: true })
  signupEventType: string | null;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;
}
