import { Module } from '@nestjs/common';
import { ContactsModule } from '../contacts/contacts.module.js';
import { JourneysModule } from '../journeys/journeys.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { EventsApiController } from './events-api.controller.js';
import { FieldSanitizerModule } from './field-sanitizer.module.js';
import { FormatsController } from './formats.controller.js';
import { IngestionService } from './ingestion.service.js';
import { EventRecorder } from './recording/event-recorder.service.js';

@Module({
  imports: [TenantsModule, ContactsModule, JourneysModule, FieldSanitizerModule],
  controllers: [EventsApiController, FormatsController],
  providers: [IngestionService, EventRecorder],
  exports: [EventRecorder],
})
export class IngestionModule {}
