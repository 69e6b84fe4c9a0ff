import 'reflect-metadata';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { getDataSourceToken } from '@nestjs/typeorm';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory.js';
import { type AppConfig, loadConfig } from '../../src/config/app-config.js';
import { createLogger } from '../../src/common/logger.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const SECRETS_KEY = Buffer.alloc(32, 7).toString('base64');

export interface TestApp {
  app: NestExpressApplication;
  db: DataSource;
  config: AppConfig;
  /** Every log line the app wrote, as JSON text. */
  logs: string[];
  http(): ReturnType<typeof request>;
  close(): Promise<void>;
}

export function testDatabaseUrl(): string {
  const url = process.env.MARA_TEST_DATABASE_URL;
  if (!url) throw new Error('MARA_TEST_DATABASE_URL is not set: run through jest (global setup)');
  return url;
}

export function testConfig(env: Record<string, string> = {}): AppConfig {
  return loadConfig({
    DATABASE_URL: testDatabaseUrl(),
    ADMIN_API_TOKEN: ADMIN_TOKEN,
    SECRETS_KEY,
    PUBLIC_BASE_URL: 'http://mara.test',
    LOG_LEVEL: 'info',
    PROCESS_ROLE: 'api',
    ...env,
  });
}

/** Boots the real app against the test database (already migrated by the global setup). */
export async function bootApp(
  env: Record<string, string> = {},
  opts: {
    listen?: boolean;
    webDir?: string;
    /** Settings no env var sets (e.g. job expiry, for dead-worker tests). */
    config?: Partial<AppConfig>;
  } = {},
): Promise<TestApp> {
  const logs: string[] = [];
  const logger = createLogger('info', { write: (line: string) => logs.push(line) } as unknown as NodeJS.WritableStream);
  const config = { ...testConfig(env), ...opts.config };
  const app = await createApp({ config, logger, migrationsRun: false, webDir: opts.webDir });
  if (opts.listen) await app.listen(0, '127.0.0.1');
  else await app.init();
  const db = app.get<DataSource>(getDataSourceToken());
  return {
    app,
    db,
    config,
    logs,
    http: () => request(app.getHttpServer()),
    close: () => app.close(),
  };
}

/** Empties every table but the migrations log, between tests. */
export async function resetDatabase(db: DataSource): Promise<void> {
  const rows: Array<{ schemaname: string; tablename: string }> = await db.query(
    `SELECT schemaname, tablename FROM pg_tables
      WHERE schemaname IN ('public', 'pgboss') AND tablename <> 'migrations'
        AND NOT (schemaname = 'pgboss' AND tablename IN ('version', 'queue'))`,
  );
  if (rows.length === 0) return;
  const truncate = `TRUNCATE ${rows.map((r) => `"${r.schemaname}"."${r.tablename}"`).join(', ')} CASCADE`;
  // A running app's job workers poll pgboss tables meanwhile; TRUNCATE's locks can then deadlock
  // with them, and PostgreSQL's answer to a deadlock is to run the statement again.
  for (let attempt = 1; ; attempt++) {
    try {
      await db.query(truncate);
      return;
    } catch (err) {
      if (attempt >= 5 || (err as { driverError?: { code?: string } }).driverError?.code !== '40P01') throw err;
    }
  }
}

export const adminAuth = { Authorization: `Bearer ${ADMIN_TOKEN}` };

export interface TenantFixture {
  tenantId: string;
  key: string;
}

/** A tenant made through the admin API, with a generated ingestion key. */
export async function createTenant(t: TestApp, name = 'Acme'): Promise<TenantFixture> {
  const created = await t.http().post('/admin/tenants').set(adminAuth).send({ name }).expect(201);
  const key = await t.http().post(`/admin/tenants/${created.body.id}/ingestion-key`).set(adminAuth).expect(201);
  return { tenantId: created.body.id, key: key.body.key };
}
