import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { ContactEvent } from '../contacts/contact-event.entity.js';
import { Contact } from '../contacts/contact.entity.js';
import type { JourneyStep } from './dto/journey.dto.js';
import type { ExitReason, RunStatus, StepRecord } from './dto/activity.dto.js';
import { Journey } from './journey.entity.js';

/** One contact's pass through a journey, started by one event. */
@Entity('journey_runs')
@Check('CHK_journey_runs_status', `"status" IN ('active', 'waiting', 'completed', 'exited', 'failed')`)
@Index('ix_journey_runs_journey', ['tenantId', 'journeyId', 'createdAt', 'id'])
@Index('ix_journey_runs_contact', ['tenantId', 'contactId', 'createdAt', 'id'])
@Index('ix_journey_runs_running', ['tenantId', 'contactId', 'journeyId'], { where: `"status" IN ('active', 'waiting')` })
// Reentry is decided here: `once` runs carry the contact id as once_key, `every_event` runs NULL
// (and no entry: the index is partial), and enrollment inserts with ON CONFLICT DO NOTHING.
@Index('uq_journey_runs_once', ['tenantId', 'journeyId', 'onceKey'], { unique: true, where: '"once_key" IS NOT NULL' })
export class JourneyRun {
  @PrimaryColumn('uuid', { name: 'tenant_id', primaryKeyConstraintName: 'PK_journey_runs' })
  tenantId: string;

  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'PK_journey_runs' })
  id: string;

  @Column('uuid', { name: 'journey_id' })
  journeyId: string;

  @Column('uuid', { name: 'contact_id' })
  contactId: string;

  @Column('uuid', { name: 'event_id' })
  eventId: string;

  @Column('uuid', { name: 'once_key', nullable: true })
  onceKey: string | null;

  @Column('text')
  status: RunStatus;

  @Column('text', { name: 'trigger_event_type' })
  triggerEventType: string;

  /**
   * Ordinal of the step the run's pending job executes: the number of step records before it
   * (a step's job and its outbox message carry this number).
   */
  @Column('integer', { name: 'current_step' })
  currentStep: number;

  /** Path of that step in the definition (`"2.then.0"`, docs/journeys.md#step-records). */
  @Column('text', { name: 'current_path' })
  currentPath: string;

  /** With `exited`: the event that ended the run. */
  @Column('jsonb', { name: 'exit_reason', nullable: true })
  exitReason: ExitReason | null;

  /** The journey's steps when the run started: edits to the journey never change a run in flight. */
  @Column('jsonb')
  definition: JourneyStep[];

  @Column('jsonb', { default: () => `'[]'` })
  history: StepRecord[];

  @Column('timestamptz', { name: 'created_at', default: () => "date_trunc('milliseconds', now())" })
  createdAt: Date;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;

  // No foreign keys (migration RunsWithoutForeignKeys): enrollment and erasure keep the references whole.
  @ManyToOne(() => Journey, { createForeignKeyConstraints: false })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'FK_journey_runs_journey' },
    { name: 'journey_id', referencedColumnName: 'id', foreignKeyConstraintName: 'FK_journey_runs_journey' },
  ])
  journey?: Relation<Journey>;

  @ManyToOne(() => Contact, { createForeignKeyConstraints: false })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'FK_journey_runs_contact' },
    { name: 'contact_id', referencedColumnName: 'id', foreignKeyConstraintName: 'FK_journey_runs_contact' },
  ])
  contact?: Relation<Contact>;

  @ManyToOne(() => ContactEvent, { createForeignKeyConstraints: false })
  @JoinColumn([
    { name: 'tenant_id', referencedColumnName: 'tenantId', foreignKeyConstraintName: 'FK_journey_runs_event' },
    { name: 'event_id', referencedColumnName: 'id', foreignKeyConstraintName: 'FK_journey_runs_event' },
  ])
  event?: Relation<ContactEvent>;
}
