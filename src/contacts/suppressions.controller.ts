import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../common/access.decorator.js';
import { ApiErrors, JSON_BODY_ERRORS } from '../common/openapi.js';
import { PageQueryDto } from '../common/pagination.js';
import { TenantParams } from '../tenants/dto/tenant.dto.js';
import { AddSuppressionDto, SuppressionPage, SuppressionParams, SuppressionView } from './dto/data-rights.dto.js';
import { SuppressionsService } from './suppressions.service.js';

/** The tenant's suppression list (docs/data-rights.md#suppressions). */
@ApiTags('Data rights')
@Access('admin')
@Controller('admin/tenants/:tenantId/suppressions')
export class SuppressionsController {
  constructor(private readonly suppressions: SuppressionsService) {}

  @Get()
  @ApiOperation({
    operationId: 'listSuppressions',
    summary: 'List suppressed addresses (as hashes), newest first',
    description: 'Each entry is a keyed hash of the address under a key of this tenant alone; the list holds no address.',
  })
  @ApiOkResponse({ type: SuppressionPage })
  @ApiErrors(400, 404)
  list(@Param() { tenantId }: TenantParams, @Query() query: PageQueryDto): Promise<SuppressionPage> {
    return this.suppressions.list(tenantId, query);
  }

  @Post()
  @ApiOperation({
    operationId: 'addSuppression',
    summary: 'Suppress an address (a hard bounce, a complaint, a request)',
    description: 'Every journey `send_email` to it is blocked with reason `suppressed` until it is lifted. Adding it again keeps the first entry.',
  })
  @ApiCreatedResponse({ type: SuppressionView })
  @ApiErrors(...JSON_BODY_ERRORS, 404)
  add(@Param() { tenantId }: TenantParams, @Body() body: AddSuppressionDto): Promise<SuppressionView> {
    return this.suppressions.add(tenantId, body.email, body.reason ?? null);
  }

  @Delete(':email')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'liftSuppression',
    summary: 'Lift a suppression: the address may receive journey email again',
    description: 'The path holds the address itself, URL-encoded; 404 when it is not on the list.',
  })
  @ApiNoContentResponse({ description: 'Lifted.' })
  @ApiErrors(400, 404)
  lift(@Param() { tenantId, email }: SuppressionParams): Promise<void> {
    return this.suppressions.lift(tenantId, email);
  }
}
