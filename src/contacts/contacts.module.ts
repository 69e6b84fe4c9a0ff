import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TenantsModule } from '../tenants/tenants.module.js';
import { ContactConnector } from './contact-connector.entity.js';
import { ContactEvent } from './contact-event.entity.js';
import { Contact } from './contact.entity.js';
import { ContactsController } from './contacts.controller.js';
import { ContactsRepository } from './contacts.repository.js';
import { ContactsService } from './contacts.service.js';
import { EventsRepository } from './events.repository.js';

@Module({
  imports: [TypeOrmModule.forFeature([Contact, ContactEvent, ContactConnector]), TenantsModule],
  controllers: [ContactsController],
  providers: [ContactsService, ContactsRepository, EventsRepository],
  exports: [ContactsService, ContactsRepository, EventsRepository],
})
export class ContactsModule {}
