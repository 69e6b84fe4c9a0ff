import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Contact } from '../contacts/contact.entity.js';
import type { MessageStatus } from './dto/activity.dto.js';
import { JourneyRun } from './journey-run.entity.js';
import { Journey } from './journey.entity.js';

/** The email outbox: one row per (run, send_email step), written before and after the SMTP hand-off. */
@Entity('messages')
@Check('CHK_messages_status', `"status" IN ('sending', 'deferred', 'sent', 'captured', 'blocked', 'failed')`)
@Index('ix_messages_created', ['tenantId', 'createdAt', 'id'])
@Index('ix_messages_contact', ['tenantId', 'contactId', 'createdAt', 'id'])
// At most one email per (run, step): the second attempt finds the row and does not send.
@Index('uq_messages_run_step', ['tenantId', 'runId', 'stepIndex'], { unique: true })
export class Message {
  @PrimaryColumn('uuid', { name: 'tenant_id', primaryKeyConstraintName: 'PK_messages' })
  tenantId: string;

  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'PK_messages' })
  id: string;

  @Column('uuid', { name: 'journey_id' })
  journeyId: string;

  /** Null once the contact was erased (docs/data-rights.md#erase). */
  @Column('uuid', { name: 'run_id', nullable: true })
  runId: string | null;

  /** Null once the contact was erased (docs/data-rights.md#erase). */
  @Column('uuid', { name: 'contact_id', nullable: true })
  contactId: string | null;

  @Column('integer', { name: 'step_index' })
  stepIndex: number;

  @Column('text', { nullable: true })
  to: string | null;

  @Column('text')
  subject: string;

  @Column('text')
  text: string;

  /** The html part, when the step has one. */
  @Column('text', { nullable: true })
  html: string | null;

  @Column('text')
  status: MessageStatus;

  @Column('text', { nullable: true })
  reason: string | null;

  /** Hand-offs to SMTP so far. */
  @Column('integer', { default: 0 })
  attempts: number;

  /** For `deferred`: when the next attempt is due. */
  @Column('timestamptz', { name: 'retry_at', nullable: true })
  retryAt: Date | null;

  @Column('timestamptz', { name: 'created_at', default: () => "date_trunc('milliseconds', now())" })
  createdAt: Date;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;

  @ManyToOne(() => JourneyRun, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'FK_messages_run' },
    { name: 'run_id', referencedColumnName: 'id', foreignKeyConstraintName: 'FK_messages_run' },
  ])
  run?: Relation<JourneyRun>;

  @ManyToOne(() => Journey, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'FK_messages_journey' },
    { name: 'journey_id', referencedColumnName: 'id', foreignKeyConstraintName: 'FK_messages_journey' },
  ])
  journey?: Relation<Journey>;

  @ManyToOne(() => Contact, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'FK_messages_contact' },
    { name: 'contact_id', referencedColumnName: 'id', foreignKeyConstraintName: 'FK_messages_contact' },
  ])
  contact?: Relation<Contact>;
}
