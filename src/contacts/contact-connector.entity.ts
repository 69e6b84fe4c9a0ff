import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Contact } from './contact.entity.js';

/** Which connectors have delivered for a contact, for exact ingestion-health counts. */
@Entity('contact_connectors')
export class ContactConnector {
  @PrimaryColumn('uuid', { name: 'tenant_id', primaryKeyConstraintName: 'PK_contact_connectors' })
  tenantId: string;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'PK_contact_connectors' })
  connector: string;

  @PrimaryColumn('uuid', { name: 'contact_id', primaryKeyConstraintName: 'PK_contact_connectors' })
  contactId: string;

  @Column('timestamptz', { name: 'first_seen_at' })
  firstSeenAt: Date;

  @Column('timestamptz', { name: 'last_seen_at' })
  lastSeenAt: Date;

  @ManyToOne(() => Contact, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'FK_contact_connectors_contact' },
    { name: 'contact_id', referencedColumnName: 'id', foreignKeyConstraintName: 'FK_contact_connectors_contact' },
  ])
  contact?: Relation<Contact>;
}
