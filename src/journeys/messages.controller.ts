import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../common/access.decorator.js';
import { ApiErrors } from '../common/openapi.js';
import { PageQueryDto } from '../common/pagination.js';
import { TenantParams } from '../tenants/dto/tenant.dto.js';
import { MessagePage } from './dto/activity.dto.js';
import { JourneyActivity } from './journey-activity.service.js';

/** The email outbox: every email journeys sent, captured, blocked or failed. */
@ApiTags('Messages')
@Access('admin')
@Controller('admin/tenants/:tenantId')
export class MessagesController {
  constructor(private readonly activity: JourneyActivity) {}

  @Get('messages')
  @ApiOperation({ operationId: 'listMessages', summary: 'The email outbox, newest first' })
  @ApiOkResponse({ type: MessagePage })
  @ApiErrors(400, 404)
  list(@Param() { tenantId }: TenantParams, @Query() query: PageQueryDto): Promise<MessagePage> {
    return this.activity.listMessages(tenantId, query);
  }
}
