import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { AuthenticatedTenant } from '../common/tenant.decorator.js';
import { IngestionKeyAuth } from '../tenants/ingestion-key.guard.js';
import { IngestionService, type IntakeAnswer } from './ingestion.service.js';

/**
 * Other tools' wire formats (CONTRACT section 10). Each maps its body to Events-API ops and hands
 * them to the same validation, sanitization and recording path; only the mapping and the answer
 * shape differ.
 */
@Controller()
export class FormatsController {
  constructor(private readonly ingestion: IngestionService) {}

  /** Usermaven server-side events: one object or an array; `?token=API_KEY.SERVER_TOKEN`. */
  @Post('api/v1/s2s/event')
  @HttpCode(200)
  @IngestionKeyAuth('query-token', 'bearer')
  usermaven(@AuthenticatedTenant() tenantId: string, @Body() body: unknown): Promise<{ status: 'ok' }> {
    return this.ingestion.usermaven(tenantId, body);
  }

  /** Event Intake: one event per request, bearer key. */
  @Post('v1/events')
  @HttpCode(200)
  @IngestionKeyAuth('bearer')
  intake(@AuthenticatedTenant() tenantId: string, @Body() body: unknown): Promise<IntakeAnswer> {
    return this.ingestion.intake(tenantId, body);
  }

  /** Segment HTTP tracking API; the key is the write key (Basic username) or a bearer. */
  @Post('v1/batch')
  @HttpCode(200)
  @IngestionKeyAuth('basic', 'bearer')
  segmentBatch(@AuthenticatedTenant() tenantId: string, @Body() body: unknown): Promise<{ success: true }> {
    return this.ingestion.segment(tenantId, body, 'batch');
  }

  @Post('v1/track')
  @HttpCode(200)
  @IngestionKeyAuth('basic', 'bearer')
  segmentTrack(@AuthenticatedTenant() tenantId: string, @Body() body: unknown): Promise<{ success: true }> {
    return this.ingestion.segment(tenantId, body, 'track');
  }

  @Post('v1/identify')
  @HttpCode(200)
  @IngestionKeyAuth('basic', 'bearer')
  segmentIdentify(@AuthenticatedTenant() tenantId: string, @Body() body: unknown): Promise<{ success: true }> {
    return this.ingestion.segment(tenantId, body, 'identify');
  }
}
