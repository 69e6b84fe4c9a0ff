import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations/index.js';
import { ENTITIES } from './entities.js';

/** One definition of the connection for the app, the tests and the TypeORM CLI (ormconfig.ts). */
export function dataSourceOptions(url: string, extra: { poolSize?: number; migrationsRun?: boolean } = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: extra.migrationsRun ?? true,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    poolSize: extra.poolSize ?? 20,
    extra: { application_name: 'mara' },
  };
}
