import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { IsEmail, IsIn, IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import {
  CONTACT_NAME_MAX_LENGTH,
  EMAIL_MAX_LENGTH,
  EVENT_TYPE_PATTERN,
  EVENT_TYPE_RULE,
  ID_MAX_LENGTH,
  MAX_BATCH_OPS,
} from '../../common/limits.js';
import { ApiScalarMap } from '../../common/openapi.js';

export { EVENT_TYPE_PATTERN, EVENT_TYPE_RULE } from '../../common/limits.js';

export const OP_TYPES = ['identify', 'track'] as const;
export type OpType = (typeof OP_TYPES)[number];

/*
 * One Events API operation (docs/api.md#events-api, docs/identity.md): an IdentifyOp or a
 * TrackOp, told apart by `type`. Each class carries both its validation and its OpenAPI schema.
 * Unknown fields are ignored. Ops are validated on an instance built from the op's own fields
 * (prepare-ops), never through class-transformer.
 */

const IDENTITY_NOTE = 'At least one of userId, externalId, email; externalId wins over userId.';

/** What every op has: its type and who it is about. An op of any other type is validated as this. */
export class OpBase {
  @IsIn(OP_TYPES, { message: `must be one of ${OP_TYPES.join(', ')}` })
  type: string;

  @ApiPropertyOptional({ maxLength: ID_MAX_LENGTH, description: `Your stable user id. ${IDENTITY_NOTE}`, example: 'u_42' })
  @IsOptional()
  @MaxLength(ID_MAX_LENGTH)
  @IsString()
  userId?: string;

  @ApiPropertyOptional({ maxLength: ID_MAX_LENGTH, description: 'Same meaning as userId; wins when both are sent.' })
  @IsOptional()
  @MaxLength(ID_MAX_LENGTH)
  @IsString()
  externalId?: string;

  /** Trimmed before validation (prepare-ops). */
  @ApiPropertyOptional({ format: 'email', maxLength: EMAIL_MAX_LENGTH, description: 'Trimmed, stored lower-cased.', example: 'ada@example.com' })
  @IsOptional()
  @IsEmail({}, { message: 'must be a valid email address' })
  @MaxLength(EMAIL_MAX_LENGTH)
  @IsString()
  email?: string;
}

/** Upserts the contact; never writes an event, never fires a journey. */
export class IdentifyOp extends OpBase {
  @ApiProperty({ enum: ['identify'] })
  override type: 'identify' = 'identify';

  @ApiPropertyOptional({ maxLength: CONTACT_NAME_MAX_LENGTH, description: 'Display name.', example: 'Ada' })
  @IsOptional()
  @MaxLength(CONTACT_NAME_MAX_LENGTH)
  @IsString()
  name?: string;

  @ApiScalarMap({
    required: false,
    description: 'Custom attributes, flat scalars only; merged key by key into the contact (sanitized).',
    example: { plan: 'starter' },
  })
  @IsOptional()
  @IsObject({ message: 'must be an object' })
  traits?: Record<string, unknown>;
}

/** Records an event against a contact and fires matching journeys. */
export class TrackOp extends OpBase {
  @ApiProperty({ enum: ['track'] })
  override type: 'track' = 'track';

  @ApiProperty({
    pattern: EVENT_TYPE_PATTERN.source,
    description: 'The event type: lowercase, dot-namespaced `object.action` is the convention.',
    example: 'user.signed_up',
  })
  @Matches(EVENT_TYPE_PATTERN, { message: EVENT_TYPE_RULE })
  @IsString({ message: 'is required for track and must be a string' })
  event: string;

  @ApiScalarMap({ required: false, description: 'Event details, flat scalars only (sanitized).', example: { plan: 'pro' } })
  @IsOptional()
  @IsObject({ message: 'must be an object' })
  properties?: Record<string, unknown>;

  /** Anything is accepted here: an invalid timestamp falls back to arrival time with a warning. */
  @ApiPropertyOptional({
    type: 'string',
    format: 'date-time',
    description: 'ISO 8601; defaults to arrival time. An invalid value falls back to arrival time with a warning.',
  })
  @IsOptional()
  timestamp?: unknown;

  @ApiPropertyOptional({
    maxLength: ID_MAX_LENGTH,
    description: 'Your idempotency key, unique per tenant forever: a repeat answers `duplicate` and writes nothing.',
    example: 'signup-u_42',
  })
  @IsOptional()
  @MaxLength(ID_MAX_LENGTH)
  @IsString()
  messageId?: string;
}

export type EventsOp = IdentifyOp | TrackOp;

/** The class that validates (and documents) an op of the given `type`. */
export const OP_CLASS: Record<OpType, typeof IdentifyOp | typeof TrackOp> = { identify: IdentifyOp, track: TrackOp };

/** `EventsOp`: one identify or track op, told apart by `type` (a plain schema, not a class). */
export const EVENTS_OP_SCHEMA = {
  oneOf: [{ $ref: getSchemaPath(IdentifyOp) }, { $ref: getSchemaPath(TrackOp) }],
  discriminator: {
    propertyName: 'type',
    mapping: { identify: getSchemaPath(IdentifyOp), track: getSchemaPath(TrackOp) },
  },
};

export class EventsBatch {
  @ApiProperty({
    type: 'array',
    minItems: 1,
    maxItems: MAX_BATCH_OPS,
    items: { $ref: getSchemaPath('EventsOp') },
  })
  batch: EventsOp[];
}
