import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { PageOf } from '../../common/openapi.js';
import { FieldCondition, PerformedCondition, type Condition } from './journey.dto.js';

export const RUN_STATUSES = ['active', 'waiting', 'completed', 'exited', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/**
 * `sending`: written before the SMTP hand-off; it becomes sent, deferred or failed after it.
 * `deferred`: SMTP did not take it for a reason that may pass; it is sent again later.
 */
export const MESSAGE_STATUSES = ['sending', 'deferred', 'sent', 'captured', 'blocked', 'failed'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];
export type BlockReason = 'no_email' | 'no_consent' | 'unsubscribed' | 'deactivated';

const ISO = { type: 'string', format: 'date-time' } as const;
const STEP_PATH = {
  type: 'string',
  description: 'Which step of the definition: `"0"`, `"2"` at the top level, `"2.then.0"` inside branch 2 (docs/journeys.md#step-records).',
  example: '2.then.0',
} as const;

/*
 * One entry of a run's step history: what ran when, and what came of it. One class per step
 * type; `StepRecord` is their union (a plain schema in the document, told apart by `type`).
 */

export class WaitStepRecord {
  @ApiProperty(STEP_PATH)
  path: string;

  @ApiProperty({ enum: ['wait'] })
  type: 'wait';

  @ApiProperty({
    enum: ['scheduled', 'failed'],
    description: '`failed`: the step could not be carried out, whatever the retries (see `reason`); it fails the run.',
  })
  status: 'scheduled' | 'failed';

  @ApiProperty({ ...ISO, description: 'When the wait started (or failed).' })
  at: string;

  @ApiProperty({ type: 'integer', minimum: 0, example: 86400 })
  seconds: number;

  @ApiPropertyOptional({ ...ISO, description: 'With `scheduled`: when the next step is due.' })
  until?: string;

  @ApiPropertyOptional({ type: 'string', description: 'With `failed`: what went wrong.' })
  reason?: string;
}

export class SendEmailStepRecord {
  @ApiProperty(STEP_PATH)
  path: string;

  @ApiProperty({ enum: ['send_email'] })
  type: 'send_email';

  @ApiProperty({
    enum: ['sent', 'captured', 'blocked', 'failed'],
    description:
      'The final status of its outbox message; a `failed` send (refused by SMTP with a 5xx, still failing when its ' +
      'retries ran out, or of unknown outcome) fails the run.',
  })
  status: Exclude<MessageStatus, 'sending' | 'deferred'>;

  @ApiProperty({ ...ISO, description: 'When the send was settled.' })
  at: string;

  @ApiProperty({
    type: 'string',
    format: 'uuid',
    nullable: true,
    description: 'The outbox message (`GET .../messages`); null for a step that failed before writing one.',
  })
  messageId: string | null;

  @ApiProperty({ type: 'string', nullable: true, description: 'Why it was blocked or failed; null otherwise.', example: null })
  reason: string | null;
}

/** One condition of a branch, with what it came to. */
export class ConditionResult {
  @ApiProperty({ oneOf: [{ $ref: getSchemaPath(FieldCondition) }, { $ref: getSchemaPath(PerformedCondition) }] })
  condition: Condition;

  @ApiProperty()
  result: boolean;
}

export class BranchStepRecord {
  @ApiProperty(STEP_PATH)
  path: string;

  @ApiProperty({ enum: ['branch'] })
  type: 'branch';

  @ApiProperty({ enum: ['then', 'else'], description: 'The way the run went.' })
  status: 'then' | 'else';

  @ApiProperty({ ...ISO, description: 'When the branch was evaluated.' })
  at: string;

  @ApiProperty({ type: [ConditionResult], description: 'Every condition of `if`, in order, with its result.' })
  conditions: ConditionResult[];
}

export class UpdateContactStepRecord {
  @ApiProperty(STEP_PATH)
  path: string;

  @ApiProperty({ enum: ['update_contact'] })
  type: 'update_contact';

  @ApiProperty({ enum: ['applied'] })
  status: 'applied';

  @ApiProperty(ISO)
  at: string;
}

export type StepRecord = WaitStepRecord | SendEmailStepRecord | BranchStepRecord | UpdateContactStepRecord;

/** `StepRecord`: an entry of a run's history, told apart by `type`. */
export const STEP_RECORD_SCHEMA = {
  description: 'What a step of a run did, and when.',
  oneOf: [
    { $ref: getSchemaPath(WaitStepRecord) },
    { $ref: getSchemaPath(SendEmailStepRecord) },
    { $ref: getSchemaPath(BranchStepRecord) },
    { $ref: getSchemaPath(UpdateContactStepRecord) },
  ],
  discriminator: {
    propertyName: 'type',
    mapping: {
      wait: getSchemaPath(WaitStepRecord),
      send_email: getSchemaPath(SendEmailStepRecord),
      branch: getSchemaPath(BranchStepRecord),
      update_contact: getSchemaPath(UpdateContactStepRecord),
    },
  },
};

/** The event that started a run. */
export class RunTrigger {
  @ApiProperty({ format: 'uuid' })
  eventId: string;

  @ApiProperty({ example: 'payment-failed' })
  eventType: string;
}

/** The exit event that ended a run. */
export class ExitReason {
  @ApiProperty({ example: 'payment-recovered' })
  eventType: string;

  @ApiProperty({ format: 'uuid' })
  eventId: string;
}

/** One contact's run through a journey (docs/journeys.md#runs). */
export class RunView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  journeyId: string;

  @ApiProperty({ format: 'uuid' })
  contactId: string;

  @ApiProperty({
    enum: RUN_STATUSES,
    enumName: 'RunStatus',
    description:
      '`active`: a step is due (or an email is waiting for an SMTP retry); `waiting`: in a wait step; `completed`: every ' +
      'step ran; `exited`: an exit event ended it (see `exitReason`); `failed`: an email failed, or a step could not be ' +
      'carried out whatever the retries.',
  })
  status: RunStatus;

  @ApiProperty({ type: RunTrigger })
  trigger: RunTrigger;

  @ApiProperty({ type: ExitReason, nullable: true, description: 'With `exited`: the event that ended the run; null otherwise.' })
  exitReason: ExitReason | null;

  @ApiProperty({
    type: 'array',
    items: { $ref: getSchemaPath('StepRecord') },
    description: 'The steps that have run so far, in order.',
  })
  steps: StepRecord[];

  @ApiProperty(ISO)
  createdAt: string;

  @ApiProperty(ISO)
  updatedAt: string;
}

export class RunPage extends PageOf(RunView) {}

/** One email of the outbox: sent, captured (no SMTP_URL), blocked, or failed. */
export class MessageView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  journeyId: string;

  @ApiProperty({ format: 'uuid' })
  runId: string;

  @ApiProperty({ format: 'uuid' })
  contactId: string;

  @ApiProperty({ type: 'string', nullable: true, description: "The contact's email; null when it has none.", example: 'ada@example.com' })
  to: string | null;

  @ApiProperty({ description: 'The rendered subject.', example: 'Welcome, Ada!' })
  subject: string;

  @ApiProperty({
    enum: MESSAGE_STATUSES,
    enumName: 'MessageStatus',
    description:
      '`sending`: handed to SMTP just now; `deferred`: SMTP did not take it for a reason that may pass (refused or ' +
      'dropped connection, timeout, 4xx; see `reason`) and it will be tried again; `sent`: accepted by SMTP; `captured`: ' +
      'kept in the outbox only (no SMTP_URL); `blocked`: not sent (see `reason`); `failed`: SMTP refused it (5xx), it was ' +
      'still deferred when its retries ran out, or the outcome is unknown (see `reason`).',
  })
  status: MessageStatus;

  @ApiProperty({
    type: 'string',
    nullable: true,
    description:
      'For `blocked`: `no_email`, `no_consent`, `unsubscribed` or `deactivated`; for `failed` and `deferred`: what the ' +
      'SMTP server or the connection said. Null otherwise.',
    example: null,
  })
  reason: string | null;

  @ApiProperty(ISO)
  createdAt: string;
}

export class MessagePage extends PageOf(MessageView) {}
