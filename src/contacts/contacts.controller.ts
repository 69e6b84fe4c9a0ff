import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../common/access.decorator.js';
import { ApiErrors, JSON_BODY_ERRORS } from '../common/openapi.js';
import { PageQueryDto } from '../common/pagination.js';
import { TenantParams } from '../tenants/dto/tenant.dto.js';
import { ContactsService } from './contacts.service.js';
import {
  ContactEventPage,
  ContactPage,
  ContactParams,
  ContactsQueryDto,
  ContactView,
  IngestionHealthView,
} from './dto/contacts.dto.js';
import { SetConsentDto } from './dto/data-rights.dto.js';

@ApiTags('Contacts')
@Access('admin')
@Controller('admin/tenants/:tenantId')
export class ContactsController {
  constructor(private readonly contacts: ContactsService) {}

  @Get('contacts')
  @ApiOperation({ operationId: 'listContacts', summary: 'List contacts, oldest first, optionally by email or external id' })
  @ApiOkResponse({ type: ContactPage })
  @ApiErrors(400, 404)
  list(@Param() { tenantId }: TenantParams, @Query() query: ContactsQueryDto): Promise<ContactPage> {
    return this.contacts.list(tenantId, query);
  }

  @Get('contacts/:contactId')
  @ApiOperation({ operationId: 'getContact', summary: 'Get a contact' })
  @ApiOkResponse({ type: ContactView })
  @ApiErrors(404)
  get(@Param() { tenantId, contactId }: ContactParams): Promise<ContactView> {
    return this.contacts.get(tenantId, contactId);
  }

  @Get('contacts/:contactId/events')
  @ApiOperation({ operationId: 'listContactEvents', summary: "A contact's events, newest first" })
  @ApiOkResponse({ type: ContactEventPage })
  @ApiErrors(400, 404)
  events(
    @Param() { tenantId, contactId }: ContactParams,
    @Query() query: PageQueryDto,
  ): Promise<ContactEventPage> {
    return this.contacts.timeline(tenantId, contactId, query);
  }

  @Put('contacts/:contactId/consent')
  @ApiOperation({
    operationId: 'setContactConsent',
    summary: "Grant or withdraw a contact's lifecycle consent",
    description:
      'A withdrawn consent stays withdrawn: no later op on any intake path grants it again, only this route does. Journey ' +
      'email to a contact without granted consent is blocked (`no_consent`). See docs/data-rights.md#consent.',
  })
  @ApiOkResponse({ type: ContactView })
  @ApiErrors(...JSON_BODY_ERRORS, 404)
  setConsent(@Param() { tenantId, contactId }: ContactParams, @Body() body: SetConsentDto): Promise<ContactView> {
    return this.contacts.setConsent(tenantId, contactId, body.status);
  }

  @Get('ingestion-health')
  @ApiOperation({
    operationId: 'getIngestionHealth',
    summary: 'Per-connector contact and event counts, and last activity',
    description: 'Counts are exact and include every write acknowledged before the call.',
  })
  @ApiOkResponse({ type: IngestionHealthView })
  @ApiErrors(404)
  ingestionHealth(@Param() { tenantId }: TenantParams): Promise<IngestionHealthView> {
    return this.contacts.ingestionHealth(tenantId);
  }
}
