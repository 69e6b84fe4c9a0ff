import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsObject, IsOptional, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';

export const EVENT_TYPE_PATTERN = /^[A-Za-z0-9 ._:\-/]{1,120}$/;
export const EVENT_TYPE_RULE = 'must be 1 to 120 letters, digits, spaces or . _ : - /';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

/** One Events API operation (events-api.txt, CONTRACT section 4). Unknown fields are ignored. */
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

  @IsOptional()
  @Transform(trim)
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
