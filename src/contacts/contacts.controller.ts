import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Access } from '../common/access.decorator.js';
import { ApiErrors, ApiTenantParam } from '../common/openapi.js';
import { PageQueryDto } from '../common/pagination.js';
import { ContactsService } from './contacts.service.js';
import {
  ContactEventPage,
  ContactPage,
  ContactsQueryDto,
  ContactView,
  IngestionHealthView,
} from './dto/contacts.dto.js';

const ApiContactParam = (): MethodDecorator & ClassDecorator => ApiParam({ name: 'contactId', type: String, format: 'uuid' });

@ApiTags('Contacts')
@Access('admin')
@ApiTenantParam()
@Controller('admin/tenants/:tenantId')
export class ContactsController {
  constructor(private readonly contacts: ContactsService) {}

  @Get('contacts')
  @ApiOperation({ operationId: 'listContacts', summary: 'List contacts, oldest first, optionally by email or external id' })
  @ApiOkResponse({ type: ContactPage })
  @ApiErrors(400, 404)
  list(@Param('tenantId') tenantId: string, @Query() query: ContactsQueryDto): Promise<ContactPage> {
    return this.contacts.list(tenantId, query);
  }

  @Get('contacts/:contactId')
  @ApiOperation({ operationId: 'getContact', summary: 'Get a contact' })
  @ApiContactParam()
  @ApiOkResponse({ type: ContactView })
  @ApiErrors(404)
  get(@Param('tenantId') tenantId: string, @Param('contactId') contactId: string): Promise<ContactView> {
    return this.contacts.get(tenantId, contactId);
  }

  @Get('contacts/:contactId/events')
  @ApiOperation({ operationId: 'listContactEvents', summary: "A contact's events, newest first" })
  @ApiContactParam()
  @ApiOkResponse({ type: ContactEventPage })
  @ApiErrors(400, 404)
  events(
    @Param('tenantId') tenantId: string,
    @Param('contactId') contactId: string,
    @Query() query: PageQueryDto,
  ): Promise<ContactEventPage> {
    return this.contacts.timeline(tenantId, contactId, query);
  }

  @Get('ingestion-health')
  @ApiOperation({
    operationId: 'getIngestionHealth',
    summary: 'Per-connector contact and event counts, and last activity',
    description: 'Counts are exact and include every write acknowledged before the call.',
  })
  @ApiOkResponse({ type: IngestionHealthView })
  @ApiErrors(404)
  ingestionHealth(@Param('tenantId') tenantId: string): Promise<IngestionHealthView> {
    return this.contacts.ingestionHealth(tenantId);
  }
}
