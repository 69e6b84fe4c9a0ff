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
import { templateProblem } from '../template.js';

export const JOURNEY_STATUSES = ['draft', 'active', 'paused'] as const;
export type JourneyStatus = (typeof JOURNEY_STATUSES)[number];
export const REENTRY_RULES = ['once', 'every_event'] as const;
export type Reentry = (typeof REENTRY_RULES)[number];
export const STEP_TYPES = ['wait', 'send_email'] as const;

/** The same rule as an event's type (events-api.txt, naming). */
const EVENT_TYPE = /^[A-Za-z0-9 ._:\-/]{1,120}$/;
const EVENT_TYPE_MESSAGE = '$property must be 1 to 120 letters, digits, spaces or . _ : - /';
/** A year: waits longer than that are more likely a unit mistake than a plan. */
export const MAX_WAIT_SECONDS = 366 * 24 * 3600;

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

export class TriggerDto {
  @IsIn(['event'], { message: '$property must be "event"' })
  type: 'event';

  @IsString()
  @Matches(EVENT_TYPE, { message: EVENT_TYPE_MESSAGE })
  eventType: string;
}

/** What the discriminator falls back to for an unknown step type: only `type` is checked. */
export class StepDto {
  @IsIn(STEP_TYPES as unknown as string[], { message: `$property must be one of ${STEP_TYPES.join(', ')}` })
  type: string;
}

export class WaitStepDto extends StepDto {
  declare type: 'wait';

  @IsInt()
  @Min(0)
  @Max(MAX_WAIT_SECONDS)
  seconds: number;
}

export class SendEmailStepDto extends StepDto {
  declare type: 'send_email';

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  @IsTemplate()
  subject: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(20_000)
  @IsTemplate()
  text: string;
}

export type JourneyStep = { type: 'wait'; seconds: number } | { type: 'send_email'; subject: string; text: string };

const stepsType = () => StepDto;
const stepsOptions = {
  discriminator: {
    property: 'type',
    subTypes: [
      { value: WaitStepDto, name: 'wait' },
      { value: SendEmailStepDto, name: 'send_email' },
    ],
  },
  keepDiscriminatorProperty: true,
};

export class CreateJourneyDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ValidateNested()
  @Type(() => TriggerDto)
  trigger: TriggerDto;

  @IsOptional()
  @IsIn(REENTRY_RULES as unknown as string[], { message: `$property must be one of ${REENTRY_RULES.join(', ')}` })
  reentry?: Reentry;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(stepsType, stepsOptions)
  steps: StepDto[];
}

/** Every field optional; an active journey is edited by pausing it first. */
export class UpdateJourneyDto {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => TriggerDto)
  trigger?: TriggerDto;

  @IsOptional()
  @IsIn(REENTRY_RULES as unknown as string[], { message: `$property must be one of ${REENTRY_RULES.join(', ')}` })
  reentry?: Reentry;

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(stepsType, stepsOptions)
  steps?: StepDto[];
}

export class SetSignupEventDto {
  @IsString()
  @Matches(EVENT_TYPE, { message: EVENT_TYPE_MESSAGE })
  eventType: string;
}

export interface JourneyView {
  id: string;
  name: string;
  status: JourneyStatus;
  trigger: { type: 'event'; eventType: string };
  reentry: Reentry;
  steps: JourneyStep[];
  createdAt: string;
  updatedAt: string;
}

export interface SignupEventView {
  signupEventType: string;
  /** The welcome journey seeded for this event type (the existing one when it was seeded before). */
  journeyId: string;
}
