import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations/index.js';
import { AfterCommitSubscriber } from '../common/after-commit.js';
import { ENTITIES } from './entities.js';

/** A connection attempt that gets no answer within this long fails (the database is unreachable). */
const CONNECT_TIMEOUT_MS = 10_000;

/** One definition of the connection for the app, the tests and the TypeORM CLI (ormconfig.ts). */
export function dataSourceOptions(
  url: string,
  extra: { poolSize?: number; migrationsRun?: boolean; onPoolError?: (err: Error) => void } = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    subscribers: [AfterCommitSubscriber],
    migrationsRun: extra.migrationsRun ?? true,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    poolSize: extra.poolSize ?? 20,
    connectTimeoutMS: CONNECT_TIMEOUT_MS,
    // An idle pooled connection that dies (the server restarted) is dropped from the pool and
    // reported here; the next query opens a new one.
    ...(extra.onPoolError ? { poolErrorHandler: extra.onPoolError } : {}),
    extra: { application_name: 'mara' },
  };
}
