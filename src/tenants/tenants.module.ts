import { Module } from '@nestjs/common';
import { IngestionKeyGuard, RateLimitGuard } from './ingestion-key.guard.js';
import { RateLimitService } from './rate-limit.service.js';
import { RateLimitsRepository } from './rate-limits.repository.js';
import { TenantsController } from './tenants.controller.js';
import { TenantsRepository } from './tenants.repository.js';
import { TenantsService } from './tenants.service.js';

@Module({
  controllers: [TenantsController],
  providers: [TenantsService, TenantsRepository, RateLimitsRepository, RateLimitService, IngestionKeyGuard, RateLimitGuard],
  exports: [TenantsService, TenantsRepository, RateLimitService, IngestionKeyGuard, RateLimitGuard],
})
export class TenantsModule {}
