import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { AuthenticatedTenant } from '../common/tenant.decorator.js';
import { IngestionKeyAuth } from '../tenants/ingestion-key.guard.js';
import type { EventsApiResponse } from './dto/events-response.dto.js';
import { EventsApiPipe } from './events-api.pipe.js';
import { IngestionService } from './ingestion.service.js';
import type { PreparedOp } from './recording/op.types.js';

@Controller('api/tenants/:tenantId/events')
export class EventsApiController {
  constructor(private readonly ingestion: IngestionService) {}

  @Post()
  @HttpCode(200)
  @IngestionKeyAuth('bearer')
  send(@AuthenticatedTenant() tenantId: string, @Body(EventsApiPipe) ops: PreparedOp[]): Promise<EventsApiResponse> {
    return this.ingestion.eventsApi(tenantId, ops);
  }
}
