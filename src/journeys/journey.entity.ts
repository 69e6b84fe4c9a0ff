import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Tenant } from '../tenants/tenant.entity.js';
import type { Condition, ConditionValue, JourneyStatus, JourneyStep, Reentry } from './dto/journey.dto.js';

/** A journey definition. One `status` column: draft → active ⇄ paused. */
@Entity('journeys')
@Check('CHK_journeys_status', `"status" IN ('draft', 'active', 'paused')`)
@Check('CHK_journeys_reentry', `"reentry" IN ('once', 'every_event')`)
@Index('ix_journeys_trigger', ['tenantId', 'triggerEventType', 'status'])
@Index('ix_journeys_created', ['tenantId', 'createdAt', 'id'])
@Index('uq_journeys_seed_key', ['tenantId', 'seedKey'], { unique: true })
export class Journey {
  @PrimaryColumn('uuid', { name: 'tenant_id', primaryKeyConstraintName: 'PK_journeys' })
  tenantId: string;

  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'PK_journeys' })
  id: string;

  @Column('text')
  name: string;

  @Column('text')
  status: JourneyStatus;

  @Column('text', { name: 'trigger_event_type' })
  triggerEventType: string;

  /** The trigger's `where` conditions (field conditions only), evaluated in the enrollment statement. */
  @Column('jsonb', { name: 'trigger_where', default: () => `'[]'` })
  triggerWhere: Condition[];

  /**
   * `triggerWhere` compiled (conditions.ts `triggerPaths`; `jsonpath` columns, so PostgreSQL
   * checks them when they are written): what the enrollment statement evaluates. Written with
   * `triggerWhere`, by JourneysRepository only.
   */
  @Column('text', { name: 'trigger_event_path', nullable: true })
  triggerEventPath: string | null;

  @Column('text', { name: 'trigger_contact_path', nullable: true })
  triggerContactPath: string | null;

  @Column('jsonb', { name: 'trigger_vars', default: () => `'{}'` })
  triggerVars: Record<string, ConditionValue>;

  @Column('text')
  reentry: Reentry;

  @Column('text', { name: 'exit_on', array: true, default: () => `'{}'` })
  exitOn: string[];

  @Column('integer', { name: 'max_event_age_seconds', default: 86400 })
  maxEventAgeSeconds: number;

  @Column('jsonb')
  steps: JourneyStep[];

  /** Set on journeys the app seeds (`welcome:<eventType>`), so each is seeded once. */
  @Column('text', { name: 'seed_key', nullable: true })
  seedKey: string | null;

  @Column('timestamptz', { name: 'created_at', default: () => "date_trunc('milliseconds', now())" })
  createdAt: Date;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'FK_journeys_tenant' })
  tenant?: Relation<Tenant>;
}
