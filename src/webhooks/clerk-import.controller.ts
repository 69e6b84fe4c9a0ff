import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { Access } from '../common/access.decorator.js';
import { SetWebhookSecretDto } from '../tenants/dto/tenant.dto.js';
import { ClerkImportService, type ClerkImportView } from './clerk-import.service.js';

/** Clerk backfill: store a Backend API key (encrypted like the signing secrets), then import users. */
@Access('admin')
@Controller('admin/tenants/:tenantId/clerk')
export class ClerkImportController {
  constructor(private readonly imports: ClerkImportService) {}

  @Put('backend-api-key')
  @HttpCode(204)
  setApiKey(@Param('tenantId') tenantId: string, @Body() body: SetWebhookSecretDto): Promise<void> {
    return this.imports.setApiKey(tenantId, body.secret);
  }

  @Delete('backend-api-key')
  @HttpCode(204)
  deleteApiKey(@Param('tenantId') tenantId: string): Promise<void> {
    return this.imports.deleteApiKey(tenantId);
  }

  @Post('imports')
  @HttpCode(202)
  start(@Param('tenantId') tenantId: string): Promise<ClerkImportView> {
    return this.imports.start(tenantId);
  }

  @Get('imports/:importId')
  get(@Param('tenantId') tenantId: string, @Param('importId') importId: string): Promise<ClerkImportView> {
    return this.imports.get(tenantId, importId);
  }
}
