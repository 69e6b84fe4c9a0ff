import { ApiProperty, ApiPropertyOptional, getSchemaPath, type ApiPropertyOptions } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  registerDecorator,
  ValidateNested,
  type ValidationArguments,
} from 'class-validator';
import { EVENT_TYPE_PATTERN, EVENT_TYPE_RULE, NAME_MAX_LENGTH } from '../../common/limits.js';
import { PageOf } from '../../common/openapi.js';
import { PathUuid } from '../../common/path-params.js';
import { TenantParams } from '../../tenants/dto/tenant.dto.js';
import { TEMPLATE_VARIABLES, templateProblem } from '../template.js';

export const JOURNEY_STATUSES = ['draft', 'active', 'paused'] as const;
export type JourneyStatus = (typeof JOURNEY_STATUSES)[number];
export const REENTRY_RULES = ['once', 'every_event'] as const;
export type Reentry = (typeof REENTRY_RULES)[number];
export const STEP_TYPES = ['wait', 'send_email'] as const;

/** The same rule as an event's type (docs/api.md#lengths). */
const EVENT_TYPE_MESSAGE = `$property ${EVENT_TYPE_RULE}`;
/** A year: waits longer than that are more likely a unit mistake than a plan. */
export const MAX_WAIT_SECONDS = 366 * 24 * 3600;
export const MAX_STEPS = 50;
export const SUBJECT_MAX_LENGTH = 200;
export const TEXT_MAX_LENGTH = 20_000;

/** A string that uses only the documented template variables. */
function IsTemplate(): PropertyDecorator {
  return (target: object, propertyName: string | symbol): void => {
    registerDecorator({
      name: 'isTemplate',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || templateProblem(value) === null,
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property} ${templateProblem(String(args?.value))}`,
      },
    });
  };
}

const EVENT_TYPE_DOC = { pattern: EVENT_TYPE_PATTERN.source, example: 'user.signed_up' } as const;
const TEMPLATE_NOTE = `A template: \`{{${TEMPLATE_VARIABLES.join('}}`, `{{')}}}\` are replaced per contact and event.`;

export class JourneyParams extends TenantParams {
  @PathUuid('journey')
  journeyId: string;
}

/** `{type: "event", eventType}`: a run starts when an event of that type is recorded for a contact. */
export class TriggerDto {
  @ApiProperty({ enum: ['event'], description: 'The only trigger kind: an event recorded for the contact.' })
  @IsIn(['event'], { message: '$property must be "event"' })
  type: 'event';

  @ApiProperty({ ...EVENT_TYPE_DOC, description: 'The event type that starts a run (the track `event`).' })
  @IsString()
  @Matches(EVENT_TYPE_PATTERN, { message: EVENT_TYPE_MESSAGE })
  eventType: string;
}

/**
 * What every step has: its type. The discriminator falls back to this for an unknown step type,
 * so only `type` is checked (and refused).
 */
export class StepBase {
  @IsIn(STEP_TYPES as unknown as string[], { message: `$property must be one of ${STEP_TYPES.join(', ')}` })
  type: string;
}

/** Waits before the next step. */
export class WaitStep extends StepBase {
  @ApiProperty({ enum: ['wait'] })
  override type: 'wait' = 'wait';

  @ApiProperty({ type: 'integer', minimum: 0, maximum: MAX_WAIT_SECONDS, description: 'Seconds to wait (at most 366 days).', example: 86400 })
  @IsInt()
  @Min(0)
  @Max(MAX_WAIT_SECONDS)
  seconds: number;
}

/** Sends the contact an email (blocked and recorded in the outbox when it may not be sent). */
export class SendEmailStep extends StepBase {
  @ApiProperty({ enum: ['send_email'] })
  override type: 'send_email' = 'send_email';

  @ApiProperty({ minLength: 1, maxLength: SUBJECT_MAX_LENGTH, description: TEMPLATE_NOTE, example: 'Welcome, {{contact.name}}!' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(SUBJECT_MAX_LENGTH)
  @IsTemplate()
  subject: string;

  @ApiProperty({
    minLength: 1,
    maxLength: TEXT_MAX_LENGTH,
    description: `The plain-text body. ${TEMPLATE_NOTE}`,
    example: 'Hi {{contact.name}},\n\nWelcome aboard!',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(TEXT_MAX_LENGTH)
  @IsTemplate()
  text: string;
}

export type JourneyStep = WaitStep | SendEmailStep;

/** `JourneyStep`: a wait or a send_email step, told apart by `type` (a plain schema, not a class). */
export const JOURNEY_STEP_SCHEMA = {
  description: 'A journey step: `wait` or `send_email`.',
  oneOf: [{ $ref: getSchemaPath(WaitStep) }, { $ref: getSchemaPath(SendEmailStep) }],
  discriminator: {
    propertyName: 'type',
    mapping: { wait: getSchemaPath(WaitStep), send_email: getSchemaPath(SendEmailStep) },
  },
};

const STEPS_EXAMPLE: JourneyStep[] = [
  {
    type: 'send_email',
    subject: 'Welcome, {{contact.name}}!',
    text: 'Hi {{contact.name}},\n\nWelcome aboard! We are glad you signed up.',
  },
  { type: 'wait', seconds: 259200 },
  { type: 'send_email', subject: 'How is it going, {{contact.name}}?', text: 'Reply to this email if we can help.' },
];

const STEPS_DOC = {
  type: 'array',
  minItems: 1,
  maxItems: MAX_STEPS,
  items: { $ref: getSchemaPath('JourneyStep') },
  description: `Run in order, 1 to ${MAX_STEPS} of them.`,
  example: STEPS_EXAMPLE,
} satisfies ApiPropertyOptions;

const NAME_DOC = { minLength: 1, maxLength: NAME_MAX_LENGTH, example: 'Welcome' } as const;

const REENTRY_DOC = {
  enum: REENTRY_RULES,
  enumName: 'Reentry',
  description: '`once`: at most one run per contact; `every_event`: a run for every matching event.',
} as const;

const stepsType = () => StepBase;
const stepsOptions = {
  discriminator: {
    property: 'type',
    subTypes: [
      { value: WaitStep, name: 'wait' },
      { value: SendEmailStep, name: 'send_email' },
    ],
  },
  keepDiscriminatorProperty: true,
};

export class CreateJourneyDto {
  @ApiProperty(NAME_DOC)
  @IsString()
  @IsNotEmpty()
  @MaxLength(NAME_MAX_LENGTH)
  name: string;

  @ApiProperty({ type: TriggerDto })
  @ValidateNested()
  @Type(() => TriggerDto)
  trigger: TriggerDto;

  // Defaults to `once`, said in the operation: a schema `default` would make generated clients require it,
  // and the description is that of the shared Reentry enum.
  @ApiPropertyOptional(REENTRY_DOC)
  @IsOptional()
  @IsIn(REENTRY_RULES as unknown as string[], { message: `$property must be one of ${REENTRY_RULES.join(', ')}` })
  reentry?: Reentry;

  @ApiProperty(STEPS_DOC)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_STEPS)
  @ValidateNested({ each: true })
  @Type(stepsType, stepsOptions)
  steps: StepBase[];
}

/** Every field optional; an active journey is edited by pausing it first. */
export class UpdateJourneyDto {
  @ApiPropertyOptional(NAME_DOC)
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(NAME_MAX_LENGTH)
  name?: string;

  @ApiPropertyOptional({ type: TriggerDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => TriggerDto)
  trigger?: TriggerDto;

  @ApiPropertyOptional(REENTRY_DOC)
  @IsOptional()
  @IsIn(REENTRY_RULES as unknown as string[], { message: `$property must be one of ${REENTRY_RULES.join(', ')}` })
  reentry?: Reentry;

  @ApiPropertyOptional({ ...STEPS_DOC, description: 'Replaces all the steps.' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_STEPS)
  @ValidateNested({ each: true })
  @Type(stepsType, stepsOptions)
  steps?: StepBase[];
}

export class SetSignupEventDto {
  @ApiProperty({ ...EVENT_TYPE_DOC, description: 'The event type that means "a new user signed up".' })
  @IsString()
  @Matches(EVENT_TYPE_PATTERN, { message: EVENT_TYPE_MESSAGE })
  eventType: string;
}

const ISO = { type: 'string', format: 'date-time' } as const;

/** A journey definition (docs/journeys.md#journey). */
export class JourneyView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Welcome' })
  name: string;

  @ApiProperty({
    enum: JOURNEY_STATUSES,
    enumName: 'JourneyStatus',
    description: 'New journeys are `draft`; only `active` ones start runs.',
  })
  status: JourneyStatus;

  @ApiProperty({ type: TriggerDto })
  trigger: { type: 'event'; eventType: string };

  @ApiProperty(REENTRY_DOC)
  reentry: Reentry;

  @ApiProperty({ ...STEPS_DOC, description: 'Run in order.' })
  steps: JourneyStep[];

  @ApiProperty(ISO)
  createdAt: string;

  @ApiProperty(ISO)
  updatedAt: string;
}

export class JourneyPage extends PageOf(JourneyView) {}

export class SignupEventView {
  @ApiProperty({ example: 'user.signed_up' })
  signupEventType: string;

  @ApiProperty({
    format: 'uuid',
    description: 'The welcome journey seeded for this event type (the existing one when it was seeded before).',
  })
  journeyId: string;
}
