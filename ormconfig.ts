import { DataSource } from 'typeorm';
import { dataSourceOptions } from './src/database/data-source-options.js';

/**
 * TypeORM CLI data source (`npm run migration:run|revert|generate`). Needs DATABASE_URL; the
 * app itself also runs pending migrations at boot.
 */
const url = process.env.DATABASE_URL;
if (!url) {
  throw new Error('DATABASE_URL is required for the TypeORM CLI');
}

export default new DataSource(dataSourceOptions(url, { poolSize: 2, migrationsRun: false }));
