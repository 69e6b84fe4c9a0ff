import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module.js';
import { ContactsController } from './contacts.controller.js';
import { ContactsRepository } from './contacts.repository.js';
import { ContactsService } from './contacts.service.js';
import { EventsRepository } from './events.repository.js';

@Module({
  imports: [TenantsModule],
  controllers: [ContactsController],
  providers: [ContactsService, ContactsRepository, EventsRepository],
  exports: [ContactsService, ContactsRepository, EventsRepository],
})
export class ContactsModule {}
