// Runs once per `npm test`, in Jest's parent process, on the build that `pretest` made (Jest
// cannot apply its TypeScript transform here). A fresh database for the run: on
// TEST_DATABASE_URL's server when set, else on an embedded PostgreSQL in a temporary folder.
// Migrations are applied once here.
import 'reflect-metadata';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../dist/src/database/data-source-options.js';
import { ensureDatabase, startEmbeddedPostgres } from '../../dist/src/database/embedded-postgres.js';

export default async function globalSetup() {
  const name = `mara_test_${process.pid}_${Date.now().toString(36)}`;
  let serverUrl;
  if (process.env.TEST_DATABASE_URL) {
    const url = new URL(process.env.TEST_DATABASE_URL);
    url.pathname = '';
    serverUrl = url.toString().replace(/\/$/, '');
  } else {
    const dir = await mkdtemp(path.join(tmpdir(), 'mara-test-pg-'));
    const server = await startEmbeddedPostgres(path.join(dir, 'data'), { persistent: false, preferredPort: 0 });
    serverUrl = server.serverUrl;
    globalThis.__MARA_PG__ = server;
  }
  await ensureDatabase(serverUrl, name);
  const databaseUrl = `${serverUrl}/${name}`;
  const ds = new DataSource(dataSourceOptions(databaseUrl, { poolSize: 1, migrationsRun: false }));
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  await ds.destroy();
  process.env.MARA_TEST_SERVER_URL = serverUrl;
  process.env.MARA_TEST_DATABASE_URL = databaseUrl;
  globalThis.__MARA_DB__ = { serverUrl, name };
}
