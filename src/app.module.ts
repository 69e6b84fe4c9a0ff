import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { AccessGuard } from './common/access.guard.js';
import { PathIdsGuard } from './common/path-ids.guard.js';
import { PaginationModule } from './common/pagination.js';
import { ErrorFilter } from './common/error.filter.js';
import { RequestBodyGuard } from './common/http/request-body.guard.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { dataSourceOptions } from './database/data-source-options.js';
import { runMigrationsLocked } from './database/migrate.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { TenantsModule } from './tenants/tenants.module.js';
import { ContactsModule } from './contacts/contacts.module.js';
import { IngestionModule } from './ingestion/ingestion.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';
import { JourneysModule } from './journeys/journeys.module.js';
import { LoggerModule } from './common/logger.module.js';
import { DashboardModule } from './dashboard/dashboard.module.js';
import { DataRightsModule } from './rights/data-rights.module.js';
import { loggableError } from './common/logger.js';

export interface AppModuleOptions {
  config: AppConfig;
  logger: Logger;
  /** Tests migrate once in their global setup; the app migrates at boot otherwise. */
  migrationsRun?: boolean;
  /** Where the built dashboard is (default dist/web); tests point it elsewhere. */
  webDir?: string;
}

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(options.config),
        PaginationModule,
        LoggerModule.forRoot(options.logger),
        TypeOrmModule.forRootAsync({
          useFactory: () =>
            dataSourceOptions(options.config.databaseUrl, {
              migrationsRun: false,
              onPoolError: (err) => options.logger.error({ err: loggableError(err) }, 'database connection lost (idle in the pool)'),
            }),
          // Pending migrations run at boot under an advisory lock, so that instances booting
          // at once on one database take turns instead of racing (src/database/migrate.ts).
          dataSourceFactory: async (dsOptions) => {
            const dataSource = await new DataSource(dsOptions as DataSourceOptions).initialize();
            if (options.migrationsRun === false) return dataSource;
            try {
              const applied = await runMigrationsLocked(dataSource);
              if (applied.length > 0) options.logger.info({ migrations: applied }, 'migrations applied');
            } catch (err) {
              await dataSource.destroy().catch(() => undefined);
              throw err;
            }
            return dataSource;
          },
        }),
        HealthModule,
        MetricsModule,
        TenantsModule,
        ContactsModule,
        IngestionModule,
        WebhooksModule,
        JourneysModule,
        DataRightsModule,
        DashboardModule.forRoot({ webDir: options.webDir }),
      ],
      providers: [
        // Global guards run in this order, before any route's own guards.
        { provide: APP_GUARD, useClass: PathIdsGuard },
        { provide: APP_GUARD, useClass: RequestBodyGuard },
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_FILTER, useClass: ErrorFilter },
      ],
    };
  }
}

