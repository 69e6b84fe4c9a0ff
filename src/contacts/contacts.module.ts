import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module.js';
import { ContactsController } from './contacts.controller.js';
import { ContactsRepository } from './contacts.repository.js';
import { ContactsService } from './contacts.service.js';
import { EventsRepository } from './events.repository.js';
import { SuppressionsController } from './suppressions.controller.js';
import { SuppressionsRepository } from './suppressions.repository.js';
import { SuppressionsService } from './suppressions.service.js';

@Module({
  imports: [TenantsModule],
  controllers: [ContactsController, SuppressionsController],
  providers: [ContactsService, ContactsRepository, EventsRepository, SuppressionsRepository, SuppressionsService],
  exports: [ContactsService, ContactsRepository, EventsRepository, SuppressionsService],
})
export class ContactsModule {}
