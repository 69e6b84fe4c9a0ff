import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Access } from '../common/access.decorator.js';
import { ApiErrors, JSON_BODY_ERRORS } from '../common/openapi.js';
import { PageQueryDto } from '../common/pagination.js';
import {
  CreateTenantDto,
  IngestionKeyView,
  IntegrationsView,
  RateLimitView,
  SetRateLimitDto,
  SetWebhookSecretDto,
  TenantPage,
  TenantParams,
  TenantView,
  WebhookProviderParams,
} from './dto/tenant.dto.js';
import { TenantsService } from './tenants.service.js';

@ApiTags('Tenants')
@Access('admin')
@Controller('admin/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Post()
  @ApiOperation({ operationId: 'createTenant', summary: 'Create a tenant' })
  @ApiCreatedResponse({ type: TenantView })
  @ApiErrors(...JSON_BODY_ERRORS)
  create(@Body() body: CreateTenantDto): Promise<TenantView> {
    return this.tenants.create(body.name);
  }

  @Get()
  @ApiOperation({ operationId: 'listTenants', summary: 'List tenants, oldest first' })
  @ApiOkResponse({ type: TenantPage })
  @ApiErrors(400)
  list(@Query() query: PageQueryDto): Promise<TenantPage> {
    return this.tenants.list(query);
  }

  @Get(':tenantId')
  @ApiOperation({ operationId: 'getTenant', summary: 'Get a tenant' })
  @ApiOkResponse({ type: TenantView })
  @ApiErrors(404)
  get(@Param() { tenantId }: TenantParams): Promise<TenantView> {
    return this.tenants.get(tenantId);
  }

  @Post(':tenantId/ingestion-key')
  @ApiOperation({
    operationId: 'generateIngestionKey',
    summary: 'Generate the ingestion key',
    description: 'The only response that shows the raw key. Generating a new key revokes the old one at once.',
  })
  @ApiCreatedResponse({ type: IngestionKeyView })
  @ApiErrors(404)
  generateIngestionKey(@Param() { tenantId }: TenantParams): Promise<IngestionKeyView> {
    return this.tenants.generateIngestionKey(tenantId);
  }

  @Get(':tenantId/integrations')
  @ApiOperation({ operationId: 'getIntegrations', summary: 'The Integrations settings row' })
  @ApiOkResponse({ type: IntegrationsView })
  @ApiErrors(404)
  integrations(@Param() { tenantId }: TenantParams): Promise<IntegrationsView> {
    return this.tenants.integrations(tenantId);
  }

  @Put(':tenantId/webhook-secrets/:provider')
  @HttpCode(204)
  @ApiOperation({ operationId: 'setWebhookSecret', summary: "Store a provider's webhook signing secret" })
  @ApiNoContentResponse({ description: 'Stored (encrypted at rest).' })
  @ApiErrors(...JSON_BODY_ERRORS, 404)
  setWebhookSecret(@Param() params: WebhookProviderParams, @Body() body: SetWebhookSecretDto): Promise<void> {
    return this.tenants.setSecret(params.tenantId, params.provider, body.secret);
  }

  @Delete(':tenantId/webhook-secrets/:provider')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteWebhookSecret', summary: "Remove a provider's webhook signing secret" })
  @ApiNoContentResponse({ description: 'Removed (or there was none).' })
  @ApiErrors(400, 404)
  deleteWebhookSecret(@Param() params: WebhookProviderParams): Promise<void> {
    return this.tenants.deleteSecret(params.tenantId, params.provider);
  }

  @Put(':tenantId/rate-limit')
  @ApiOperation({
    operationId: 'setRateLimit',
    summary: "Set the tenant's rate limit",
    description: 'The current tokens are capped at the new `burst`.',
  })
  @ApiOkResponse({ type: RateLimitView })
  @ApiErrors(...JSON_BODY_ERRORS, 404)
  setRateLimit(@Param() { tenantId }: TenantParams, @Body() body: SetRateLimitDto): Promise<RateLimitView> {
    return this.tenants.setRateLimit(tenantId, body.requestsPerHour, body.burst);
  }
}
