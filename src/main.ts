import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createApp } from './app.factory.js';
import { ConfigError, loadConfig } from './config/app-config.js';
import { createLogger, loggableError } from './common/logger.js';
import { ensureDatabase, persistedValue, startEmbeddedPostgres, type EmbeddedDatabase } from './database/embedded-postgres.js';

const SHUTDOWN_DEADLINE_MS = 30_000;

async function main(): Promise<void> {
  const logger = createLogger(process.env.LOG_LEVEL || 'info');
  const dataDir = path.resolve(process.cwd(), '.data');
  const embeddedMode = !process.env.DATABASE_URL;
  const adminTokenFile = path.join(dataDir, 'admin-token');

  let config;
  try {
    const embedded = embeddedMode
      ? {
          databaseUrl: 'postgresql://placeholder/mara',
          adminApiToken: await persistedValue(adminTokenFile, () => randomBytes(32).toString('base64url')),
          secretsKey: await persistedValue(path.join(dataDir, 'secrets-key'), () => randomBytes(32).toString('base64')),
        }
      : undefined;
    config = loadConfig(process.env, embedded);
  } catch (e) {
    if (e instanceof ConfigError) {
      logger.fatal(`configuration error: ${e.message}`);
      process.stderr.write(`configuration error: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }

  let database: EmbeddedDatabase | null = null;
  if (embeddedMode) {
    logger.info({ dataDir: path.join(dataDir, 'postgres') }, 'starting embedded PostgreSQL');
    database = await startEmbeddedPostgres(path.join(dataDir, 'postgres'), {
      log: (line) => logger.debug({ component: 'embedded-postgres' }, line),
    });
    await ensureDatabase(database.serverUrl, 'mara');
    config = { ...config, databaseUrl: `${database.serverUrl}/mara` };
    logger.info({ port: database.port }, 'embedded PostgreSQL ready');
  }

  const app = await createApp({ config, logger });
  await app.listen(config.port);
  const url = `http://localhost:${config.port}`;
  logger.info(
    { url, adminTokenFile: embeddedMode && !process.env.ADMIN_API_TOKEN ? adminTokenFile : undefined },
    embeddedMode && !process.env.ADMIN_API_TOKEN
      ? `Mara is serving on ${url} (admin token in ${adminTokenFile})`
      : `Mara is serving on ${url}`,
  );

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing requests in flight');
    const deadline = setTimeout(() => {
      logger.error('shutdown deadline passed; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    try {
      // Stops accepting connections, lets in-flight requests answer, closes idle keep-alives,
      // then runs the modules' shutdown hooks (workers, database pool).
      await app.close();
      if (database) await database.stop();
      logger.info('stopped');
      process.exit(0);
    } catch (err) {
      logger.error({ err: loggableError(err) }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`fatal: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
