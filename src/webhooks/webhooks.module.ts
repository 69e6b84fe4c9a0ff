import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ContactsModule } from '../contacts/contacts.module.js';
import { IngestionModule } from '../ingestion/ingestion.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { ClerkImportController } from './clerk-import.controller.js';
import { ClerkImportService } from './clerk-import.service.js';
import { ClerkImportsRepository } from './clerk-imports.repository.js';
import { DeliveryRetention } from './delivery-retention.service.js';
import { ProviderCustomersRepository } from './provider-customers.repository.js';
import { ProviderStateRepository } from './provider-state.repository.js';
import { WebhookDeliveriesController } from './webhook-deliveries.controller.js';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';
import { WebhookDeliveriesService } from './webhook-deliveries.service.js';
import { WebhookSignatureGuard } from './webhook-signature.guard.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksService } from './webhooks.service.js';
import { ClerkImport, ProviderCustomer, ProviderStateRow, WebhookDelivery } from './webhook.entities.js';

@Module({
  imports: [TypeOrmModule.forFeature([WebhookDelivery, ProviderCustomer, ProviderStateRow, ClerkImport]), TenantsModule, ContactsModule, IngestionModule, JobsModule],
  controllers: [WebhooksController, WebhookDeliveriesController, ClerkImportController],
  providers: [
    WebhooksService,
    WebhookSignatureGuard,
    WebhookDeliveriesRepository,
    ProviderStateRepository,
    ProviderCustomersRepository,
    WebhookDeliveriesService,
    DeliveryRetention,
    ClerkImportService,
    ClerkImportsRepository,
  ],
  exports: [ProviderCustomersRepository],
})
export class WebhooksModule {}
