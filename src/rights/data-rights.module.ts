import { Module } from '@nestjs/common';
import { ContactsModule } from '../contacts/contacts.module.js';
import { JourneysModule } from '../journeys/journeys.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { DataRightsController } from './data-rights.controller.js';
import { DataRightsService } from './data-rights.service.js';

/**
 * Data rights over one contact: erase, merge and export (docs/data-rights.md). They span tables
 * of contacts, journeys and webhooks, so this module sits above all three and goes through their
 * repositories; suppressions and consent belong to the contacts module.
 */
@Module({
  imports: [ContactsModule, JourneysModule, WebhooksModule],
  controllers: [DataRightsController],
  providers: [DataRightsService],
})
export class DataRightsModule {}
