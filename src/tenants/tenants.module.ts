import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IngestionKeyGuard, RateLimitGuard } from './ingestion-key.guard.js';
import { TenantRateLimit } from './rate-limit.entity.js';
import { RateLimitService } from './rate-limit.service.js';
import { TenantSecret } from './tenant-secret.entity.js';
import { Tenant } from './tenant.entity.js';
import { TenantsController } from './tenants.controller.js';
import { TenantsService } from './tenants.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Tenant, TenantSecret, TenantRateLimit])],
  controllers: [TenantsController],
  providers: [TenantsService, RateLimitService, IngestionKeyGuard, RateLimitGuard],
  exports: [TenantsService, RateLimitService, IngestionKeyGuard, RateLimitGuard],
})
export class TenantsModule {}
