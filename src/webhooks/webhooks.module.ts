import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ContactsModule } from '../contacts/contacts.module.js';
import { IngestionModule } from '../ingestion/ingestion.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { ClerkImportController } from './clerk-import.controller.js';
import { ClerkImportService } from './clerk-import.service.js';
import { ClerkImportsRepository } from './clerk-imports.repository.js';
import { WebhookSignatureGuard } from './webhook-signature.guard.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksService } from './webhooks.service.js';
import { ClerkImport, ProviderCustomer, ProviderStateRow, WebhookDelivery } from './webhook.entities.js';

@Module({
  imports: [TypeOrmModule.forFeature([WebhookDelivery, ProviderCustomer, ProviderStateRow, ClerkImport]), TenantsModule, ContactsModule, IngestionModule, JobsModule],
  controllers: [WebhooksController, ClerkImportController],
  providers: [WebhooksService, WebhookSignatureGuard, ClerkImportService, ClerkImportsRepository],
})
export class WebhooksModule {}
