import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../common/access.decorator.js';
import { ApiErrors, JSON_BODY_ERRORS } from '../common/openapi.js';
import { SetWebhookSecretDto, TenantParams } from '../tenants/dto/tenant.dto.js';
import { ClerkImportService } from './clerk-import.service.js';
import { ClerkImportParams, ClerkImportView } from './dto/webhook.dto.js';

/** Clerk backfill: store a Backend API key (encrypted like the signing secrets), then import users. */
@ApiTags('Clerk import')
@Access('admin')
@Controller('admin/tenants/:tenantId/clerk')
export class ClerkImportController {
  constructor(private readonly imports: ClerkImportService) {}

  @Put('backend-api-key')
  @HttpCode(204)
  @ApiOperation({ operationId: 'setClerkBackendApiKey', summary: "Store the tenant's Clerk Backend API key (`secret`)" })
  @ApiNoContentResponse({ description: 'Stored (encrypted at rest).' })
  @ApiErrors(...JSON_BODY_ERRORS, 404)
  setApiKey(@Param() { tenantId }: TenantParams, @Body() body: SetWebhookSecretDto): Promise<void> {
    return this.imports.setApiKey(tenantId, body.secret);
  }

  @Delete('backend-api-key')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteClerkBackendApiKey', summary: "Remove the tenant's Clerk Backend API key" })
  @ApiNoContentResponse({ description: 'Removed (or there was none).' })
  @ApiErrors(404)
  deleteApiKey(@Param() { tenantId }: TenantParams): Promise<void> {
    return this.imports.deleteApiKey(tenantId);
  }

  @Post('imports')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'startClerkImport',
    summary: "Import the tenant's existing Clerk users as contacts",
    description:
      'Runs in the background, as durable jobs (one per page of 100 users) that survive restarts; poll the import. ' +
      'One import runs per tenant at a time: a second start while one runs answers 409 naming it. Importing twice ' +
      'creates nothing new.',
  })
  @ApiAcceptedResponse({ type: ClerkImportView })
  @ApiErrors(400, 404, 409)
  start(@Param() { tenantId }: TenantParams): Promise<ClerkImportView> {
    return this.imports.start(tenantId);
  }

  @Get('imports/:importId')
  @ApiOperation({ operationId: 'getClerkImport', summary: "A Clerk import's progress" })
  @ApiOkResponse({ type: ClerkImportView })
  @ApiErrors(404)
  get(@Param() { tenantId, importId }: ClerkImportParams): Promise<ClerkImportView> {
    return this.imports.get(tenantId, importId);
  }
}
