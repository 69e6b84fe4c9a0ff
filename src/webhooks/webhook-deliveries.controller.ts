import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../common/access.decorator.js';
import { ApiErrors } from '../common/openapi.js';
import type { Page } from '../common/pagination.js';
import { TenantParams } from '../tenants/dto/tenant.dto.js';
import {
  WebhookDeliveriesQueryDto,
  WebhookDeliveryParams,
  WebhookDeliveryDetailView,
  WebhookDeliveryPage,
  WebhookReplayView,
  type WebhookDeliveryView,
} from './dto/webhook.dto.js';
import { WebhookDeliveriesService } from './webhook-deliveries.service.js';

/** The delivery log: what providers sent, its outcome, and replay (docs/webhooks.md, "Delivery log and replay"). */
@ApiTags('Webhook deliveries')
@Access('admin')
@Controller('admin/tenants/:tenantId/webhook-deliveries')
export class WebhookDeliveriesController {
  constructor(private readonly deliveries: WebhookDeliveriesService) {}

  @Get()
  @ApiOperation({
    operationId: 'listWebhookDeliveries',
    summary: 'Verified webhook deliveries, newest first',
    description:
      'Every delivery whose signature verified, with its outcome, kept for `DELIVERY_RETENTION_DAYS`. ' +
      'Filter by `provider` and `status`; page with `cursor`.',
  })
  @ApiOkResponse({ type: WebhookDeliveryPage })
  @ApiErrors(400, 404)
  list(@Param() { tenantId }: TenantParams, @Query() query: WebhookDeliveriesQueryDto): Promise<Page<WebhookDeliveryView>> {
    return this.deliveries.list(tenantId, query);
  }

  @Get(':deliveryId')
  @ApiOperation({ operationId: 'getWebhookDelivery', summary: 'A webhook delivery, with its payload as received' })
  @ApiOkResponse({ type: WebhookDeliveryDetailView })
  @ApiErrors(404)
  get(@Param() { tenantId, deliveryId }: WebhookDeliveryParams): Promise<WebhookDeliveryDetailView> {
    return this.deliveries.get(tenantId, deliveryId);
  }

  @Post(':deliveryId/replay')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'replayWebhookDelivery',
    summary: 'Run the current mapping again on a stored delivery',
    description:
      'No signature check (it was verified on arrival). Idempotent: a delivery that already recorded its event ' +
      'answers `duplicate` and writes nothing; a `failed` one is processed and turns `ok`; an `ignored` one is mapped again.',
  })
  @ApiOkResponse({ type: WebhookReplayView })
  @ApiErrors(404, 409)
  replay(@Param() { tenantId, deliveryId }: WebhookDeliveryParams): Promise<WebhookReplayView> {
    return this.deliveries.replay(tenantId, deliveryId);
  }
}
