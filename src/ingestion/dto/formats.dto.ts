/**
 * The other tools' wire formats as the OpenAPI document shows them (docs/formats.md), and
 * their answers. Bodies are mapped and validated by the format mappers, not by these classes:
 * they describe the fields that are read; anything else is accepted and put aside.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { EVENT_TYPE_PATTERN, ID_MAX_LENGTH, MAX_BATCH_OPS } from '../../common/limits.js';
import { ApiScalarMap } from '../../common/openapi.js';
import { usermavenSeedIdentify } from '../formats/usermaven.seed.js';

type Scalars = Record<string, string | number | boolean | null>;

export class UsermavenUser {
  @ApiPropertyOptional({ description: 'Your user id → the contact\'s externalId.', example: 'lzL24K3kYw' })
  id?: string;

  @ApiPropertyOptional({ format: 'email', example: 'user@domain.com' })
  email?: string;

  @ApiPropertyOptional({ description: 'Not an identity here: a user with only this is skipped.', example: 'random_id' })
  anonymous_id?: string;

  @ApiPropertyOptional({ description: 'Kept as the `created_at` trait (user_identify only).', example: '2021-01-20T09:55:35' })
  created_at?: string;

  @ApiPropertyOptional({ example: 'John' })
  first_name?: string;

  @ApiPropertyOptional({ example: 'Smith' })
  last_name?: string;

  @ApiScalarMap({ required: false, description: 'Kept as traits (user_identify only).', example: { plan_name: 'premium' } })
  custom?: Scalars;
}

export class UsermavenCompany {
  @ApiPropertyOptional({ example: '65f02acc-e104-45d9-8199-1491332d8454' })
  id?: string;

  @ApiPropertyOptional({ example: 'azhar' })
  name?: string;

  @ApiPropertyOptional({ example: '2022-02-15T17:25:08' })
  created_at?: string;

  @ApiScalarMap({ required: false, description: 'Kept as `company_*` traits.', example: { plan: 'premium' } })
  custom?: Scalars;
}

/** Usermaven's server-side event (docs/formats.md#usermaven). */
export class UsermavenEvent {
  @ApiProperty({ description: '`user_identify` identifies; any other value is tracked as that event type.', example: 'user_identify' })
  event_type: string;

  @ApiPropertyOptional({ description: 'The messageId when not empty.' })
  event_id?: string;

  @ApiPropertyOptional({ type: 'integer', description: 'UTC milliseconds: when it happened.', example: 1632150122000 })
  _timestamp?: number;

  @ApiPropertyOptional({ description: "Usermaven's API key; not read (the key is in `?token=`)." })
  api_key?: string;

  @ApiPropertyOptional({ type: UsermavenUser })
  user?: UsermavenUser;

  @ApiPropertyOptional({ type: UsermavenCompany })
  company?: UsermavenCompany;

  @ApiScalarMap({ required: false, description: 'The event\'s properties.', example: { amount: 100, currency: 'USD' } })
  event_attributes?: Scalars;

  @ApiPropertyOptional({ description: 'Page fields (`url`, `page_title`, `doc_path`, `doc_host`, `doc_search`, `user_agent`, `user_language`, `src`) become `context_*` properties.' })
  url?: string;

  @ApiPropertyOptional()
  page_title?: string;

  @ApiPropertyOptional()
  doc_path?: string;

  @ApiPropertyOptional()
  doc_host?: string;

  @ApiPropertyOptional()
  doc_search?: string;

  @ApiPropertyOptional()
  user_agent?: string;

  @ApiPropertyOptional()
  user_language?: string;

  @ApiPropertyOptional({ example: 'http' })
  src?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Accepted, not read.' })
  ids?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Accepted, not read.' })
  screen_resolution?: string;

  @ApiPropertyOptional({ description: 'Accepted, not read.' })
  vp_size?: string;

  @ApiPropertyOptional({ description: 'Accepted, not read.' })
  doc_encoding?: string;
}

/** Usermaven's documented identify payload, made valid JSON (docs/formats.md#usermaven). */
export const USERMAVEN_IDENTIFY_EXAMPLE = usermavenSeedIdentify();

export const USERMAVEN_TRACK_EXAMPLE = {
  api_key: 'API_KEY',
  event_id: '',
  event_type: 'plan_upgraded',
  _timestamp: 1632150122000,
  event_attributes: { amount: 100, currency: 'USD' },
  user: { anonymous_id: 'random_id', id: 'lzL24K3kYw', email: 'user@domain.com' },
};

export class UsermavenAnswer {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';
}

/** Event Intake's one event per request (docs/formats.md#event-intake). */
export class IntakeEvent {
  @ApiProperty({ pattern: EVENT_TYPE_PATTERN.source, description: 'Same rules as the Events API `event`.', example: 'user.created' })
  event_type: string;

  @ApiProperty({ format: 'date-time', description: 'ISO 8601; 400 when missing or invalid.', example: '2025-12-22T10:30:00Z' })
  occurred_at: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: ID_MAX_LENGTH, description: 'The messageId: a repeat is deduplicated.', example: '0f3f6f9b-9f0b-4c8d-9f18-5b6a9d9d2d41' })
  idempotency_key?: string;

  @ApiScalarMap({
    required: false,
    description: 'Flat properties; `user_id`, `external_id` and `email` are the identity instead.',
    example: { user_id: 'u_12345', plan: 'pro' },
  })
  data?: Scalars;
}

export class IntakeAnswer {
  @ApiProperty({ enum: ['ok', 'skipped_no_identity'], description: '`skipped_no_identity`: `data` carried no identity; nothing written.' })
  status: 'ok' | 'skipped_no_identity';

  @ApiProperty({ type: 'string', format: 'uuid', nullable: true, description: 'The stored event (the first one for a repeat).' })
  event_id: string | null;

  @ApiProperty({ format: 'date-time' })
  received_at: string;

  @ApiPropertyOptional({ type: 'boolean', enum: [true], description: 'Present on a repeated `idempotency_key`: nothing was written.' })
  deduplicated?: true;
}

class SegmentMessageFields {
  @ApiPropertyOptional({ description: 'Your user id → the contact\'s externalId.', example: 'u_42' })
  userId?: string;

  @ApiPropertyOptional({ description: 'Accepted, not stored.' })
  anonymousId?: string;

  @ApiPropertyOptional({ description: 'The idempotency key.', example: 'ajs-next-1a2b3c' })
  messageId?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Corrected for clock skew with `sentAt`.' })
  timestamp?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  sentAt?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Kept as flat `context_*` properties where scalar (tracks).',
  })
  context?: Record<string, unknown>;
}

/** `POST /v1/track`. */
export class SegmentTrack extends SegmentMessageFields {
  @ApiPropertyOptional({
    description: 'The write key (the ingestion key), when not sent as a header; a key in a header wins.',
    writeOnly: true,
    example: 'mara_ing_...',
  })
  writeKey?: string;

  @ApiProperty({ example: 'Order Completed' })
  event: string;

  @ApiScalarMap({ required: false, example: { revenue: 42 } })
  properties?: Scalars;
}

/** `POST /v1/identify`. */
export class SegmentIdentify extends SegmentMessageFields {
  @ApiPropertyOptional({
    description: 'The write key (the ingestion key), when not sent as a header; a key in a header wins.',
    writeOnly: true,
    example: 'mara_ing_...',
  })
  writeKey?: string;

  @ApiScalarMap({
    required: false,
    description: '`email` and `name` (or first and last name) go to the contact; the rest are traits.',
    example: { email: 'ada@example.com', name: 'Ada', plan: 'pro' },
  })
  traits?: Scalars;
}

/** One message of `POST /v1/batch`: its `type` says what it is. */
export class SegmentBatchMessage extends SegmentMessageFields {
  @ApiProperty({
    enum: ['track', 'identify', 'page', 'screen', 'group', 'alias'],
    description: '`page`, `screen`, `group` and `alias` are accepted and not stored.',
  })
  type: string;

  @ApiPropertyOptional({ description: 'Required for `track`.' })
  event?: string;

  @ApiScalarMap({ required: false })
  properties?: Scalars;

  @ApiScalarMap({ required: false })
  traits?: Scalars;
}

/** `POST /v1/batch`, what Segment's libraries (analytics-node) send. */
export class SegmentBatch {
  @ApiPropertyOptional({
    description: 'The write key (the ingestion key), when not sent as a header; a key in a header wins.',
    writeOnly: true,
    example: 'mara_ing_...',
  })
  writeKey?: string;

  @ApiProperty({ type: () => SegmentBatchMessage, isArray: true, minItems: 1, maxItems: MAX_BATCH_OPS })
  batch: SegmentBatchMessage[];

  @ApiPropertyOptional({ format: 'date-time' })
  sentAt?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Applies to every message.' })
  context?: Record<string, unknown>;
}

export class SegmentAnswer {
  @ApiProperty({ type: 'boolean', enum: [true] })
  success: true;
}
