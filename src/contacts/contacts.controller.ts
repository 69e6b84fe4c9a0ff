import { Controller, Get, Param, Query } from '@nestjs/common';
import { Access } from '../common/access.decorator.js';
import { type Page, PageQueryDto } from '../common/pagination.js';
import { ContactsService } from './contacts.service.js';
import {
  type ContactEventView,
  ContactsQueryDto,
  type ContactView,
  type IngestionHealthView,
} from './dto/contacts.dto.js';

@Access('admin')
@Controller('admin/tenants/:tenantId')
export class ContactsController {
  constructor(private readonly contacts: ContactsService) {}

  @Get('contacts')
  list(@Param('tenantId') tenantId: string, @Query() query: ContactsQueryDto): Promise<Page<ContactView>> {
    return this.contacts.list(tenantId, query);
  }

  @Get('contacts/:contactId')
  get(@Param('tenantId') tenantId: string, @Param('contactId') contactId: string): Promise<ContactView> {
    return this.contacts.get(tenantId, contactId);
  }

  @Get('contacts/:contactId/events')
  events(
    @Param('tenantId') tenantId: string,
    @Param('contactId') contactId: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<ContactEventView>> {
    return this.contacts.timeline(tenantId, contactId, query);
  }

  @Get('ingestion-health')
  ingestionHealth(@Param('tenantId') tenantId: string): Promise<IngestionHealthView> {
    return this.contacts.ingestionHealth(tenantId);
  }
}
