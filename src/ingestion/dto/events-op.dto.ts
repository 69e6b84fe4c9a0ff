import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { IsEmail, IsIn, IsObject, IsOptional, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import { ApiScalarMap } from '../../common/openapi.js';

export const EVENT_TYPE_PATTERN = /^[A-Za-z0-9 ._:\-/]{1,120}$/;
export const EVENT_TYPE_RULE = 'must be 1 to 120 letters, digits, spaces or . _ : - /';

/**
 * One Events API operation (docs/api.md). Unknown fields are ignored. Validated on an instance
 * built from the op's own fields (prepare-ops), never through class-transformer.
 */
export class EventsOpDto {
  @IsIn(['identify', 'track'], { message: 'must be one of identify, track' })
  type: 'identify' | 'track';

  @IsOptional()
  @MaxLength(255)
  @IsString()
  userId?: string;

  @IsOptional()
  @MaxLength(255)
  @IsString()
  externalId?: string;

  /** Trimmed before validation (prepare-ops). */
  @IsOptional()
  @IsEmail({}, { message: 'must be a valid email address' })
  @MaxLength(254)
  @IsString()
  email?: string;

  @IsOptional()
  @MaxLength(200)
  @IsString()
  name?: string;

  @IsOptional()
  @IsObject({ message: 'must be an object' })
  traits?: Record<string, unknown>;

  @ValidateIf((op: EventsOpDto) => op.type === 'track')
  @Matches(EVENT_TYPE_PATTERN, { message: EVENT_TYPE_RULE })
  @IsString({ message: 'is required for track and must be a string' })
  event?: string;

  @IsOptional()
  @IsObject({ message: 'must be an object' })
  properties?: Record<string, unknown>;

  /** Anything is accepted here: an invalid timestamp falls back to arrival time with a warning. */
  @IsOptional()
  timestamp?: unknown;

  @IsOptional()
  @MaxLength(255)
  @IsString()
  messageId?: string;
}

/*
 * The document's view of the same op, one schema per type (the pipe validates with EventsOpDto
 * above, which reports errors with the client's field paths; these only describe it).
 */

const IDENTITY_NOTE = 'At least one of userId, externalId, email; externalId wins over userId.';

class OpIdentityDoc {
  @ApiPropertyOptional({ maxLength: 255, description: `Your stable user id. ${IDENTITY_NOTE}`, example: 'u_42' })
  userId?: string;

  @ApiPropertyOptional({ maxLength: 255, description: 'Same meaning as userId; wins when both are sent.' })
  externalId?: string;

  @ApiPropertyOptional({ format: 'email', maxLength: 254, description: 'Trimmed, stored lower-cased.', example: 'ada@example.com' })
  email?: string;
}

/** Upserts the contact; never writes an event, never fires a journey. */
export class IdentifyOp extends OpIdentityDoc {
  @ApiProperty({ enum: ['identify'] })
  type: 'identify';

  @ApiPropertyOptional({ maxLength: 200, description: 'Display name.', example: 'Ada' })
  name?: string;

  @ApiScalarMap({
    required: false,
    description: 'Custom attributes, flat scalars only; merged key by key into the contact (sanitized).',
    example: { plan: 'starter' },
  })
  traits?: Record<string, string | number | boolean | null>;
}

/** Records an event against a contact and fires matching journeys. */
export class TrackOp extends OpIdentityDoc {
  @ApiProperty({ enum: ['track'] })
  type: 'track';

  @ApiProperty({
    pattern: EVENT_TYPE_PATTERN.source,
    description: 'The event type: lowercase, dot-namespaced `object.action` is the convention.',
    example: 'user.signed_up',
  })
  event: string;

  @ApiScalarMap({ required: false, description: 'Event details, flat scalars only (sanitized).', example: { plan: 'pro' } })
  properties?: Record<string, string | number | boolean | null>;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'ISO 8601; defaults to arrival time. An invalid value falls back to arrival time with a warning.',
  })
  timestamp?: string;

  @ApiPropertyOptional({
    maxLength: 255,
    description: 'Your idempotency key, unique per tenant forever: a repeat answers `duplicate` and writes nothing.',
    example: 'signup-u_42',
  })
  messageId?: string;
}

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
    maxItems: 100,
    items: { $ref: getSchemaPath('EventsOp') },
  })
  batch: Array<IdentifyOp | TrackOp>;
}
