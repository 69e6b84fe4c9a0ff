import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../common/access.decorator.js';
import { ApiErrors } from '../common/openapi.js';
import { PageQueryDto } from '../common/pagination.js';
import { ContactParams } from '../contacts/dto/contacts.dto.js';
import { MessagePage, RunPage } from './dto/activity.dto.js';
import { JourneyActivity } from './journey-activity.service.js';

/** What journeys did with one contact: its runs and its emails (the contact's page, docs/dashboard.md#contacts). */
@ApiTags('Contacts')
@Access('admin')
@Controller('admin/tenants/:tenantId/contacts/:contactId')
export class ContactActivityController {
  constructor(private readonly activity: JourneyActivity) {}

  @Get('runs')
  @ApiOperation({ operationId: 'listContactRuns', summary: "A contact's journey runs (every journey), newest first" })
  @ApiOkResponse({ type: RunPage })
  @ApiErrors(400, 404)
  runs(@Param() { tenantId, contactId }: ContactParams, @Query() query: PageQueryDto): Promise<RunPage> {
    return this.activity.listContactRuns(tenantId, contactId, query);
  }

  @Get('messages')
  @ApiOperation({ operationId: 'listContactMessages', summary: "A contact's emails from the outbox, newest first" })
  @ApiOkResponse({ type: MessagePage })
  @ApiErrors(400, 404)
  messages(@Param() { tenantId, contactId }: ContactParams, @Query() query: PageQueryDto): Promise<MessagePage> {
    return this.activity.listContactMessages(tenantId, contactId, query);
  }
}
