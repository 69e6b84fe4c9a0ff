import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { Access } from '../common/access.decorator.js';
import type { Page } from '../common/pagination.js';
import { PageQueryDto } from '../common/pagination.js';
import {
  CreateTenantDto,
  type IngestionKeyView,
  type IntegrationsView,
  SetRateLimitDto,
  SetWebhookSecretDto,
  type TenantView,
  WebhookProviderParams,
} from './dto/tenant.dto.js';
import { TenantsService } from './tenants.service.js';

@Access('admin')
@Controller('admin/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Post()
  create(@Body() body: CreateTenantDto): Promise<TenantView> {
    return this.tenants.create(body.name);
  }

  @Get()
  list(@Query() query: PageQueryDto): Promise<Page<TenantView>> {
    return this.tenants.list(query);
  }

  @Get(':tenantId')
  get(@Param('tenantId') tenantId: string): Promise<TenantView> {
    return this.tenants.get(tenantId);
  }

  @Post(':tenantId/ingestion-key')
  generateIngestionKey(@Param('tenantId') tenantId: string): Promise<IngestionKeyView> {
    return this.tenants.generateIngestionKey(tenantId);
  }

  @Get(':tenantId/integrations')
  integrations(@Param('tenantId') tenantId: string): Promise<IntegrationsView> {
    return this.tenants.integrations(tenantId);
  }

  @Put(':tenantId/webhook-secrets/:provider')
  @HttpCode(204)
  setWebhookSecret(@Param() params: WebhookProviderParams, @Body() body: SetWebhookSecretDto): Promise<void> {
    return this.tenants.setSecret(params.tenantId, params.provider, body.secret);
  }

  @Delete(':tenantId/webhook-secrets/:provider')
  @HttpCode(204)
  deleteWebhookSecret(@Param() params: WebhookProviderParams): Promise<void> {
    return this.tenants.deleteSecret(params.tenantId, params.provider);
  }

  @Put(':tenantId/rate-limit')
  setRateLimit(@Param('tenantId') tenantId: string, @Body() body: SetRateLimitDto): Promise<IntegrationsView['rateLimit']> {
    return this.tenants.setRateLimit(tenantId, body.requestsPerHour, body.burst);
  }
}
