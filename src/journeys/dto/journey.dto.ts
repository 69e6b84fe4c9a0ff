import { ApiProperty, ApiPropertyOptional, getSchemaPath, type ApiPropertyOptions } from '@nestjs/swagger';
import { plainToInstance, Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsUUID,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  registerDecorator,
  ValidateIf,
  ValidateNested,
  type ValidationArguments,
} from 'class-validator';
import {
  EMAIL_HTML_MAX_LENGTH,
  EMAIL_SUBJECT_MAX_LENGTH,
  EMAIL_TEXT_MAX_LENGTH,
  EVENT_TYPE_PATTERN,
  EVENT_TYPE_RULE,
  JOURNEY_DEFAULT_MAX_EVENT_AGE_SECONDS,
  JOURNEY_MAX_CONDITIONS,
  JOURNEY_MAX_EXIT_EVENTS,
  JOURNEY_MAX_SECONDS,
  JOURNEY_MAX_STEPS,
  NAME_MAX_LENGTH,
} from '../../common/limits.js';
import { ApiScalarMap, PageOf } from '../../common/openapi.js';
import { PathUuid } from '../../common/path-params.js';
import { TenantParams } from '../../tenants/dto/tenant.dto.js';
import { TEMPLATE_VARIABLES, templateProblem } from '../template.js';

export const JOURNEY_STATUSES = ['draft', 'active', 'paused'] as const;
export type JourneyStatus = (typeof JOURNEY_STATUSES)[number];
export const REENTRY_RULES = ['once', 'every_event'] as const;
export type Reentry = (typeof REENTRY_RULES)[number];
export const STEP_TYPES = ['wait', 'send_email', 'branch', 'update_contact'] as const;
export type StepType = (typeof STEP_TYPES)[number];

/** The same rule as an event's type (docs/api.md#lengths). */
const EVENT_TYPE_MESSAGE = `$property ${EVENT_TYPE_RULE}`;
/** A year: waits longer than that are more likely a unit mistake than a plan. */
export const MAX_WAIT_SECONDS = JOURNEY_MAX_SECONDS;
export const MAX_STEPS = JOURNEY_MAX_STEPS;
export const SUBJECT_MAX_LENGTH = EMAIL_SUBJECT_MAX_LENGTH;
export const TEXT_MAX_LENGTH = EMAIL_TEXT_MAX_LENGTH;

/** Condition ops (docs/journeys.md#conditions). */
export const CONDITION_OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists', 'not_exists'] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];
export const PERFORMED_OPS = ['exists', 'not_exists'] as const;
export type PerformedOp = (typeof PERFORMED_OPS)[number];
/** What a condition's `field` may name: an event property, a contact attribute, the contact's email or name. */
export const CONDITION_FIELD_PATTERN = /^(contact\.email|contact\.name|contact\.attributes\.[^\s{}]{1,64}|event\.properties\.[^\s{}]{1,64})$/;
const FIELD_RULE = 'must be event.properties.KEY, contact.attributes.KEY, contact.email or contact.name';

export type ConditionValue = string | number | boolean;
const isScalarValue = (v: unknown): v is ConditionValue =>
  typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

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

/** A custom check: `problem` answers what is wrong with the value (given the whole object), or null. */
function Check(name: string, problem: (value: unknown, object: Record<string, unknown>) => string | null): PropertyDecorator {
  return (target: object, propertyName: string | symbol): void => {
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown, args?: ValidationArguments) => problem(value, (args?.object ?? {}) as Record<string, unknown>) === null,
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property} ${problem(args?.value, (args?.object ?? {}) as Record<string, unknown>)}`,
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

export class RunParams extends JourneyParams {
  @PathUuid('run')
  runId: string;
}

/** `{field, op, value?}`: a test on the triggering event or on the contact (docs/journeys.md#conditions). */
export class FieldCondition {
  @ApiProperty({
    pattern: CONDITION_FIELD_PATTERN.source,
    description: 'What is tested: `event.properties.KEY`, `contact.attributes.KEY`, `contact.email` or `contact.name`.',
    example: 'contact.attributes.plan',
  })
  @IsString()
  @Matches(CONDITION_FIELD_PATTERN, { message: `$property ${FIELD_RULE}` })
  field: string;

  @ApiProperty({
    enum: CONDITION_OPS,
    enumName: 'ConditionOp',
    description:
      '`gt`/`gte`/`lt`/`lte` compare numbers with numbers and strings with strings (across types: false); `contains` ' +
      'is a substring test on strings; `exists`/`not_exists` take no `value`.',
  })
  @IsIn(CONDITION_OPS as unknown as string[], { message: `$property must be one of ${CONDITION_OPS.join(', ')}` })
  op: ConditionOp;

  @ApiPropertyOptional({
    oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }],
    description: 'Required for every op but `exists` and `not_exists`; a string for `contains`.',
    example: 'trial',
  })
  @Check('isConditionValue', (value, object) => {
    const op = object.op;
    if (op === 'exists' || op === 'not_exists') return value === undefined ? null : `must not be given with op ${String(op)}`;
    if (value === undefined) return 'is required with this op';
    if (op === 'contains') return typeof value === 'string' ? null : 'must be a string with op contains';
    return isScalarValue(value) ? null : 'must be a string, a number or a boolean';
  })
  value?: ConditionValue;
}

/** `{performed, op}`: whether the contact recorded an event of that type since its run started (branches only). */
export class PerformedCondition {
  @ApiProperty({ ...EVENT_TYPE_DOC, example: 'project.created', description: 'An event type.' })
  @IsString()
  @Matches(EVENT_TYPE_PATTERN, { message: EVENT_TYPE_MESSAGE })
  performed: string;

  @ApiProperty({ enum: PERFORMED_OPS, description: 'Whether such an event was recorded since the run started.' })
  @IsIn(PERFORMED_OPS as unknown as string[], { message: `$property must be one of ${PERFORMED_OPS.join(', ')}` })
  op: PerformedOp;
}

export type Condition = { field: string; op: ConditionOp; value?: ConditionValue } | { performed: string; op: PerformedOp };

/** `Condition` in the document: a field test, or (in branches) a performed test. */
export const CONDITION_SCHEMA = {
  description: 'A field test `{field, op, value?}`, or, in a branch only, `{performed, op}`.',
  oneOf: [{ $ref: getSchemaPath(FieldCondition) }, { $ref: getSchemaPath(PerformedCondition) }],
};

/** Plain conditions → instances, so each is validated as its kind (told apart by `performed`). */
const toConditions = (allowPerformed: boolean) =>
  Transform(({ value }: { value: unknown }) =>
    Array.isArray(value)
      ? value.map((c: unknown) => {
          if (c === null || typeof c !== 'object' || Array.isArray(c)) return c;
          return allowPerformed && 'performed' in c ? plainToInstance(PerformedCondition, c) : plainToInstance(FieldCondition, c);
        })
      : value,
  );

/** `{type: "event", eventType, where?}`: a run starts when an event of that type is recorded for a contact and `where` holds. */
export class TriggerDto {
  @ApiProperty({ enum: ['event'], description: 'The only trigger kind: an event recorded for the contact.' })
  @IsIn(['event'], { message: '$property must be "event"' })
  type: 'event';

  @ApiProperty({ ...EVENT_TYPE_DOC, description: 'The event type that starts a run (the track `event`).' })
  @IsString()
  @Matches(EVENT_TYPE_PATTERN, { message: EVENT_TYPE_MESSAGE })
  eventType: string;

  @ApiPropertyOptional({
    type: [FieldCondition],
    maxItems: JOURNEY_MAX_CONDITIONS,
    description: 'Every condition must hold (AND), on the triggering event and the contact as it is then.',
    example: [{ field: 'contact.attributes.plan', op: 'eq', value: 'trial' }],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(JOURNEY_MAX_CONDITIONS)
  @ValidateNested({ each: true })
  @toConditions(false)
  where?: FieldCondition[];
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

  @ApiProperty({
    minLength: 1,
    maxLength: SUBJECT_MAX_LENGTH,
    description: `${TEMPLATE_NOTE} Line breaks in rendered values are removed (one header line).`,
    example: 'Welcome, {{contact.name}}!',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(SUBJECT_MAX_LENGTH)
  @IsTemplate()
  subject: string;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: TEXT_MAX_LENGTH,
    description: `The plain-text body (at least one of \`text\` and \`html\`). ${TEMPLATE_NOTE}`,
    example: 'Hi {{contact.name}},\n\nWelcome aboard!',
  })
  // Optional when there is an html body; without one, a missing text is named (at least one of the two).
  @ValidateIf((o: SendEmailStep) => o.text !== undefined || o.html === undefined)
  @Check('textOrHtml', (value) => (value === undefined ? 'is required when there is no html (at least one of text and html)' : null))
  @IsString()
  @IsNotEmpty()
  @MaxLength(TEXT_MAX_LENGTH)
  @IsTemplate()
  text?: string;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: EMAIL_HTML_MAX_LENGTH,
    description:
      `The HTML body: the email is multipart/alternative, its text part \`text\` or else this html as plain text. ` +
      `Values are HTML-escaped. ${TEMPLATE_NOTE}`,
    example: '<p>Hi {{contact.name}},</p><p>Welcome aboard!</p>',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(EMAIL_HTML_MAX_LENGTH)
  @IsTemplate()
  html?: string;
}

/** Merges attributes into the contact, sanitized like identify traits. */
export class UpdateContactStep extends StepBase {
  @ApiProperty({ enum: ['update_contact'] })
  override type: 'update_contact' = 'update_contact';

  @ApiScalarMap({
    description: 'Merged into the contact\'s attributes like identify traits (same sanitization, docs/sanitization.md).',
    example: { onboarding: 'nudged' },
  })
  @IsObject()
  @Check('isAttributes', (value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
    const entries = Object.entries(value);
    if (entries.length === 0) return 'must have at least one key';
    if (entries.length > 50) return 'must have at most 50 keys';
    const bad = entries.find(([, v]) => v !== null && !isScalarValue(v));
    return bad ? `.${bad[0]} must be a string, a number, a boolean or null` : null;
  })
  attributes: Record<string, ConditionValue | null>;
}

/** Takes `then` when every condition holds, else `else`; then goes on to the next step. */
export class BranchStep extends StepBase {
  @ApiProperty({ enum: ['branch'] })
  override type: 'branch' = 'branch';

  @ApiProperty({
    type: 'array',
    items: { $ref: getSchemaPath('Condition') },
    minItems: 1,
    maxItems: JOURNEY_MAX_CONDITIONS,
    description: 'All must hold for `then`; judged on the contact as it is when the run gets here, and on the triggering event.',
    example: [{ performed: 'project.created', op: 'not_exists' }],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(JOURNEY_MAX_CONDITIONS)
  @ValidateNested({ each: true })
  @toConditions(true)
  if: Array<FieldCondition | PerformedCondition>;

  @ApiProperty({ type: 'array', items: { $ref: getSchemaPath('JourneyStep') }, maxItems: MAX_STEPS, description: 'When every condition holds.' })
  @IsArray()
  @ArrayMaxSize(MAX_STEPS)
  @ValidateNested({ each: true })
  @Type(() => StepBase, stepsOptions())
  then: StepBase[];

  @ApiPropertyOptional({ type: 'array', items: { $ref: getSchemaPath('JourneyStep') }, maxItems: MAX_STEPS, description: 'Otherwise.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_STEPS)
  @ValidateNested({ each: true })
  @Type(() => StepBase, stepsOptions())
  else?: StepBase[];
}

/** A step as stored in a journey (and in a run's copy of it). */
export type JourneyStep =
  | { type: 'wait'; seconds: number }
  | { type: 'send_email'; subject: string; text?: string; html?: string }
  | { type: 'branch'; if: Condition[]; then: JourneyStep[]; else?: JourneyStep[] }
  | { type: 'update_contact'; attributes: Record<string, ConditionValue | null> };

/** `JourneyStep`: a wait, send_email, branch or update_contact step, told apart by `type` (a plain schema, not a class). */
export const JOURNEY_STEP_SCHEMA = {
  description: 'A journey step: `wait`, `send_email`, `branch` or `update_contact`.',
  oneOf: [
    { $ref: getSchemaPath(WaitStep) },
    { $ref: getSchemaPath(SendEmailStep) },
    { $ref: getSchemaPath(BranchStep) },
    { $ref: getSchemaPath(UpdateContactStep) },
  ],
  discriminator: {
    propertyName: 'type',
    mapping: {
      wait: getSchemaPath(WaitStep),
      send_email: getSchemaPath(SendEmailStep),
      branch: getSchemaPath(BranchStep),
      update_contact: getSchemaPath(UpdateContactStep),
    },
  },
};

const STEPS_EXAMPLE: JourneyStep[] = [
  {
    type: 'send_email',
    subject: 'Welcome, {{contact.name}}!',
    text: 'Hi {{contact.name}},\n\nWelcome aboard! We are glad you signed up.',
  },
  { type: 'wait', seconds: 259200 },
  {
    type: 'branch',
    if: [{ performed: 'project.created', op: 'not_exists' }],
    then: [{ type: 'send_email', subject: 'Need a hand, {{contact.name}}?', html: '<p>Create your first project in a minute.</p>' }],
  },
];

const STEPS_DOC = {
  type: 'array',
  minItems: 1,
  maxItems: MAX_STEPS,
  items: { $ref: getSchemaPath('JourneyStep') },
  description: `Run in order, 1 to ${MAX_STEPS} of them (at any level; branches nest at most 3 deep).`,
  example: STEPS_EXAMPLE,
} satisfies ApiPropertyOptions;

const NAME_DOC = { minLength: 1, maxLength: NAME_MAX_LENGTH, example: 'Welcome' } as const;

const REENTRY_DOC = {
  enum: REENTRY_RULES,
  enumName: 'Reentry',
  description: '`once`: at most one run per contact; `every_event`: a run for every matching event.',
} as const;

const EXIT_ON_DOC: ApiPropertyOptions = {
  type: 'array',
  items: { type: 'string', pattern: EVENT_TYPE_PATTERN.source },
  maxItems: JOURNEY_MAX_EXIT_EVENTS,
  description: "Event types that end the contact's active and waiting runs of this journey (status `exited`).",
  example: ['payment-recovered'],
};

const MAX_AGE_DOC = {
  type: 'integer',
  minimum: 0,
  maximum: JOURNEY_MAX_SECONDS,
  description: `An event older than this (occurredAt before its arrival) starts no run. Default ${JOURNEY_DEFAULT_MAX_EVENT_AGE_SECONDS} (a day).`,
  example: JOURNEY_DEFAULT_MAX_EVENT_AGE_SECONDS,
} as const;

const stepsType = () => StepBase;
/** The discriminator of every step list; a function, since BranchStep nests lists of steps. */
function stepsOptions() {
  return {
    discriminator: {
      property: 'type',
      get subTypes() {
        return [
          { value: WaitStep, name: 'wait' },
          { value: SendEmailStep, name: 'send_email' },
          { value: BranchStep, name: 'branch' },
          { value: UpdateContactStep, name: 'update_contact' },
        ];
      },
    },
    keepDiscriminatorProperty: true,
  };
}

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

  @ApiPropertyOptional(EXIT_ON_DOC)
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(JOURNEY_MAX_EXIT_EVENTS)
  @IsString({ each: true })
  @Matches(EVENT_TYPE_PATTERN, { each: true, message: EVENT_TYPE_MESSAGE })
  exitOn?: string[];

  @ApiPropertyOptional(MAX_AGE_DOC)
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(JOURNEY_MAX_SECONDS)
  maxEventAgeSeconds?: number;

  @ApiProperty(STEPS_DOC)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_STEPS)
  @ValidateNested({ each: true })
  @Type(stepsType, stepsOptions())
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

  @ApiPropertyOptional(EXIT_ON_DOC)
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(JOURNEY_MAX_EXIT_EVENTS)
  @IsString({ each: true })
  @Matches(EVENT_TYPE_PATTERN, { each: true, message: EVENT_TYPE_MESSAGE })
  exitOn?: string[];

  @ApiPropertyOptional(MAX_AGE_DOC)
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(JOURNEY_MAX_SECONDS)
  maxEventAgeSeconds?: number;

  @ApiPropertyOptional({ ...STEPS_DOC, description: 'Replaces all the steps.' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_STEPS)
  @ValidateNested({ each: true })
  @Type(stepsType, stepsOptions())
  steps?: StepBase[];
}

const STEP_PATH_PATTERN = /^\d+(\.(then|else)\.\d+)*$/;

/** `POST .../preview`: which send_email step to render, for which contact. */
export class PreviewDto {
  @ApiProperty({ format: 'uuid', description: 'The contact to render the email for.' })
  @IsUUID('loose', { message: '$property must be a UUID' })
  contactId: string;

  @ApiProperty({
    description: 'The `send_email` step, as run step records name it.',
    example: '2.then.0',
    maxLength: 100,
    pattern: STEP_PATH_PATTERN.source,
  })
  @IsString()
  @MaxLength(100)
  @Matches(STEP_PATH_PATTERN, { message: '$property must be a step path like 0 or 2.then.0' })
  path: string;

  @ApiScalarMap({
    required: false,
    description: "Stand in for the triggering event's properties (the event's type is the trigger's `eventType`).",
    example: { hosted_invoice_url: 'https://invoice.stripe.com/i/…' },
  })
  @IsOptional()
  @IsObject()
  @Check('isProperties', (value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
    const entries = Object.entries(value);
    if (entries.length > 50) return 'must have at most 50 keys';
    const bad = entries.find(([, v]) => v !== null && !isScalarValue(v));
    return bad ? `.${bad[0]} must be a string, a number, a boolean or null` : null;
  })
  eventProperties?: Record<string, ConditionValue | null>;
}

/** A rendered send_email step: nothing sent, nothing stored. */
export class PreviewView {
  @ApiProperty({ example: 'Your payment did not go through' })
  subject: string;

  @ApiProperty({ description: 'The text part: the step\'s text, or its html as plain text.' })
  text: string;

  @ApiProperty({ type: 'string', nullable: true, description: 'The html part; null when the step has none.' })
  html: string | null;
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
  trigger: { type: 'event'; eventType: string; where: FieldCondition[] };

  @ApiProperty(REENTRY_DOC)
  reentry: Reentry;

  @ApiProperty(EXIT_ON_DOC)
  exitOn: string[];

  @ApiProperty({ ...MAX_AGE_DOC, description: 'An event older than this (occurredAt before its arrival) starts no run.' })
  maxEventAgeSeconds: number;

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
