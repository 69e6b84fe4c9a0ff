import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { ApiErrors, JSON_BODY_ERRORS, RATE_LIMIT_HEADERS } from '../common/openapi.js';
import { MAX_BATCH_OPS } from '../common/limits.js';
import { AuthenticatedTenant } from '../common/tenant.decorator.js';
import { IngestionKeyAuth } from '../tenants/ingestion-key.guard.js';
import {
  IntakeAnswer,
  IntakeEvent,
  SegmentAnswer,
  SegmentBatch,
  SegmentIdentify,
  SegmentTrack,
  USERMAVEN_IDENTIFY_EXAMPLE,
  USERMAVEN_TRACK_EXAMPLE,
  UsermavenAnswer,
  UsermavenEvent,
} from './dto/formats.dto.js';
import { ApiBackfill, BackfillParam } from './backfill.js';
import { IngestionService } from './ingestion.service.js';

const SEGMENT_NOTE =
  'The ingestion key is the write key: Basic-auth username (how Segment libraries send it), bearer, or `writeKey` ' +
  'in the JSON body. A key in a header wins over the body.';

/**
 * Other tools' wire formats (docs/formats.md). Each maps its body to Events-API ops and hands
 * them to the same validation, sanitization and recording path; only the mapping and the answer
 * shape differ.
 */
@ApiTags('Intake formats')
@ApiExtraModels(UsermavenEvent)
@ApiErrors(...JSON_BODY_ERRORS)
@Controller()
export class FormatsController {
  constructor(private readonly ingestion: IngestionService) {}

  /** Usermaven server-side events: one object or an array; `?token=API_KEY.SERVER_TOKEN`. */
  @Post('api/v1/s2s/event')
  @HttpCode(200)
  @IngestionKeyAuth('query-token', 'bearer')
  @ApiOperation({
    operationId: 'sendUsermavenEvents',
    summary: 'Usermaven server-to-server events',
    description:
      `One event or an array of up to ${MAX_BATCH_OPS}. ` + 'Authenticate with `?token=API_KEY.SERVER_TOKEN` (the last ' +
      '`.`-separated part is the ingestion key, so the key works as the server token) or the bearer header.',
  })
  @ApiBody({
    schema: {
      oneOf: [
        { $ref: getSchemaPath(UsermavenEvent) },
        { type: 'array', items: { $ref: getSchemaPath(UsermavenEvent) }, minItems: 1, maxItems: MAX_BATCH_OPS },
      ],
    },
    examples: {
      identify: { summary: 'user_identify', value: USERMAVEN_IDENTIFY_EXAMPLE },
      track: { summary: 'A custom event with attributes', value: USERMAVEN_TRACK_EXAMPLE },
      bulk: { summary: 'Bulk', value: [USERMAVEN_TRACK_EXAMPLE, { ...USERMAVEN_TRACK_EXAMPLE, _timestamp: 1632150123000 }] },
    },
  })
  @ApiOkResponse({ type: UsermavenAnswer, headers: RATE_LIMIT_HEADERS })
  @ApiBackfill()
  usermaven(@AuthenticatedTenant() tenantId: string, @Body() body: unknown, @BackfillParam() backfill: boolean): Promise<UsermavenAnswer> {
    return this.ingestion.usermaven(tenantId, body, backfill);
  }

  /** Event Intake: one event per request, bearer key. */
  @Post('v1/events')
  @HttpCode(200)
  @IngestionKeyAuth('bearer')
  @ApiOperation({ operationId: 'sendIntakeEvent', summary: 'Event Intake: one event per request' })
  @ApiBody({ type: IntakeEvent })
  @ApiBackfill()
  @ApiOkResponse({
    type: IntakeAnswer,
    headers: RATE_LIMIT_HEADERS,
    examples: {
      stored: { summary: 'Stored', value: { status: 'ok', event_id: '5d6e7f80-1a2b-4c3d-9e8f-7a6b5c4d3e2f', received_at: '2025-12-22T10:30:03Z' } },
      repeat: {
        summary: 'A repeated idempotency_key',
        value: { status: 'ok', event_id: '5d6e7f80-1a2b-4c3d-9e8f-7a6b5c4d3e2f', received_at: '2025-12-22T10:31:10Z', deduplicated: true },
      },
    },
  })
  intake(@AuthenticatedTenant() tenantId: string, @Body() body: unknown, @BackfillParam() backfill: boolean): Promise<IntakeAnswer> {
    return this.ingestion.intake(tenantId, body, backfill);
  }

  /** Segment HTTP tracking API; the key is the write key (Basic username) or a bearer. */
  @Post('v1/batch')
  @HttpCode(200)
  @IngestionKeyAuth('basic', 'bearer', 'body-write-key')
  @ApiOperation({ operationId: 'sendSegmentBatch', summary: 'Segment batch', description: SEGMENT_NOTE })
  @ApiBody({ type: SegmentBatch })
  @ApiOkResponse({ type: SegmentAnswer, headers: RATE_LIMIT_HEADERS })
  @ApiBackfill()
  segmentBatch(@AuthenticatedTenant() tenantId: string, @Body() body: unknown, @BackfillParam() backfill: boolean): Promise<SegmentAnswer> {
    return this.ingestion.segment(tenantId, body, 'batch', backfill);
  }

  @Post('v1/track')
  @HttpCode(200)
  @IngestionKeyAuth('basic', 'bearer', 'body-write-key')
  @ApiOperation({ operationId: 'sendSegmentTrack', summary: 'Segment track', description: SEGMENT_NOTE })
  @ApiBody({ type: SegmentTrack })
  @ApiOkResponse({ type: SegmentAnswer, headers: RATE_LIMIT_HEADERS })
  @ApiBackfill()
  segmentTrack(@AuthenticatedTenant() tenantId: string, @Body() body: unknown, @BackfillParam() backfill: boolean): Promise<SegmentAnswer> {
    return this.ingestion.segment(tenantId, body, 'track', backfill);
  }

  @Post('v1/identify')
  @HttpCode(200)
  @IngestionKeyAuth('basic', 'bearer', 'body-write-key')
  @ApiOperation({ operationId: 'sendSegmentIdentify', summary: 'Segment identify', description: SEGMENT_NOTE })
  @ApiBody({ type: SegmentIdentify })
  @ApiOkResponse({ type: SegmentAnswer, headers: RATE_LIMIT_HEADERS })
  @ApiBackfill()
  segmentIdentify(@AuthenticatedTenant() tenantId: string, @Body() body: unknown, @BackfillParam() backfill: boolean): Promise<SegmentAnswer> {
    return this.ingestion.segment(tenantId, body, 'identify', backfill);
  }
}
