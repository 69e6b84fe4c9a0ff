import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Tenant } from '../tenants/tenant.entity.js';
import { Contact } from './contact.entity.js';
import type { Scalar } from '../common/vocabulary.js';

/** One event on a contact's timeline (or unlinked, for billing events with no identity). */
@Entity('events')
@Index('uq_events_message_id', ['tenantId', 'messageId'], { unique: true })
@Index('ix_events_contact_timeline', ['tenantId', 'contactId', 'occurredAt', 'id'])
export class ContactEvent {
  @PrimaryColumn('uuid', { name: 'tenant_id', primaryKeyConstraintName: 'PK_events' })
  tenantId: string;

  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'PK_events' })
  id: string;

  @Column('uuid', { name: 'contact_id', nullable: true })
  contactId: string | null;

  @Column('text')
  type: string;

  @Column('jsonb', { default: () => `'{}'` })
  properties: Record<string, Scalar>;

  @Column('timestamptz', { name: 'occurred_at' })
  occurredAt: Date;

  @Column('timestamptz', { name: 'received_at' })
  receivedAt: Date;

  @Column('text', { name: 'message_id', nullable: true })
  messageId: string | null;

  @Column('text')
  source: string;

  /** Recorded with `?backfill=true`: history that enrolls and exits nothing (docs/journeys.md#backfill). */
  @Column('boolean', { default: false })
  backfill: boolean;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'FK_events_tenant' })
  tenant?: Relation<Tenant>;

  @ManyToOne(() => Contact, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'FK_events_contact' },
    { name: 'contact_id', referencedColumnName: 'id', foreignKeyConstraintName: 'FK_events_contact' },
  ])
  contact?: Relation<Contact>;
}
