import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { ApiErrors, ApiTenantParam, JSON_BODY_ERRORS, RATE_LIMIT_HEADERS } from '../common/openapi.js';
import { MAX_BATCH_OPS } from '../common/limits.js';
import { AuthenticatedTenant } from '../common/tenant.decorator.js';
import { IngestionKeyAuth } from '../tenants/ingestion-key.guard.js';
import { EventsBatch, IdentifyOp, TrackOp } from './dto/events-op.dto.js';
import { EventsApiResponse } from './dto/events-response.dto.js';
import { EventsApiPipe } from './events-api.pipe.js';
import { ApiBackfill, BackfillParam } from './backfill.js';
import { IngestionService } from './ingestion.service.js';
import type { PreparedOp } from '../common/vocabulary.js';

/** The quickstart of docs/api.md#events-api, as the document's examples. */
const QUICKSTART = {
  batch: [
    { type: 'identify', userId: 'u_42', email: 'ada@example.com', name: 'Ada', traits: { plan: 'starter' } },
    { type: 'track', event: 'user.signed_up', userId: 'u_42', messageId: 'test-001' },
  ],
};

@ApiTags('Events API')
@ApiExtraModels(IdentifyOp, TrackOp, EventsBatch)
@Controller('api/tenants/:tenantId/events')
export class EventsApiController {
  constructor(private readonly ingestion: IngestionService) {}

  @Post()
  @HttpCode(200)
  @IngestionKeyAuth('bearer')
  @ApiOperation({
    operationId: 'sendEvents',
    summary: 'Send identify and track ops',
    description:
      `One op, or \`{batch: [...]}\` with 1 to ${MAX_BATCH_OPS} ops; a batch costs one request of the rate limit. ` +
      'The whole request is validated first: any violation is a 400 for all of it, and nothing is written.',
  })
  @ApiTenantParam()
  @ApiBody({
    schema: { oneOf: [{ $ref: getSchemaPath('EventsOp') }, { $ref: getSchemaPath(EventsBatch) }] },
    examples: {
      quickstart: { summary: 'Signup: identify + track (the quickstart)', value: QUICKSTART },
      single: {
        summary: 'One track op',
        value: { type: 'track', event: 'project.created', userId: 'u_42', properties: { plan: 'pro' }, messageId: 'project-p_7' },
      },
    },
  })
  @ApiOkResponse({
    type: EventsApiResponse,
    description: 'One result per op, in order.',
    headers: RATE_LIMIT_HEADERS,
    example: {
      ok: true,
      results: [
        { index: 0, type: 'identify', status: 'ok', contactId: '9a1f7c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b' },
        {
          index: 1,
          type: 'track',
          status: 'ok',
          contactId: '9a1f7c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b',
          eventId: '5d6e7f80-1a2b-4c3d-9e8f-7a6b5c4d3e2f',
        },
      ],
    },
  })
  @ApiErrors(...JSON_BODY_ERRORS, 'no_ingestion_key')
  @ApiBackfill()
  send(
    @AuthenticatedTenant() tenantId: string,
    @Body(EventsApiPipe) ops: PreparedOp[],
    @BackfillParam() backfill: boolean,
  ): Promise<EventsApiResponse> {
    return this.ingestion.eventsApi(tenantId, ops, backfill);
  }
}
