import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { Server, ServerResponse } from 'node:http';
import path from 'node:path';
import { createApp } from './app.factory.js';
import type { Logger } from 'pino';
import { type AppConfig, type BootSettings, ConfigError, loadConfig, readBootSettings } from './config/app-config.js';
import { createLogger, loggableError } from './common/logger.js';
import { installProcessFaultHandlers } from './common/process-faults.js';
import { ensureDatabase, persistedValue, startEmbeddedPostgres, type EmbeddedDatabase } from './database/embedded-postgres.js';

const SHUTDOWN_DEADLINE_MS = 30_000;
/** Requests still unanswered this long after SIGTERM lose their connection, so the rest of the shutdown fits the deadline. */
const HTTP_DRAIN_MS = 22_000;

/** A configuration error stops the process with a message naming the variable. */
function exitOnConfigError(e: unknown, logger?: Logger): never {
  if (!(e instanceof ConfigError)) throw e;
  logger?.fatal(`configuration error: ${e.message}`);
  process.stderr.write(`configuration error: ${e.message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let boot: BootSettings;
  try {
    boot = readBootSettings();
  } catch (e) {
    exitOnConfigError(e);
  }
  const logger = createLogger(boot.logLevel);
  const dataDir = path.resolve(process.cwd(), '.data');
  const embeddedMode = boot.embedded;
  const adminTokenFile = path.join(dataDir, 'admin-token');

  let config: AppConfig;
  try {
    const embedded = embeddedMode
      ? {
          databaseUrl: 'postgresql://placeholder/mara',
          adminApiToken: await persistedValue(adminTokenFile, () => randomBytes(32).toString('base64url')),
          secretsKey: await persistedValue(path.join(dataDir, 'secrets-key'), () => randomBytes(32).toString('base64')),
        }
      : undefined;
    config = loadConfig(undefined, embedded);
  } catch (e) {
    exitOnConfigError(e, logger);
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

  // Until the app is up, a fatal error just exits (the embedded server's exit hook stops it).
  let shutdown: (reason: string, exitCode?: number) => Promise<void> | void = (_reason, exitCode = 1) => process.exit(exitCode);
  installProcessFaultHandlers(logger, () => void shutdown('uncaught exception', 1));

  const app = await createApp({ config, logger });
  await app.listen(config.port);
  const url = `http://localhost:${config.port}`;
  const tokenInFile = embeddedMode && !boot.adminTokenGiven;
  logger.info(
    { url, adminTokenFile: tokenInFile ? adminTokenFile : undefined },
    tokenInFile
      ? `Mara is serving on ${url} (admin token in ${adminTokenFile})`
      : `Mara is serving on ${url}`,
  );

  const server = app.getHttpServer() as Server;
  let draining = false;
  // While draining, every answer closes its connection, so keep-alive clients go elsewhere.
  server.prependListener('request', (_req, res: ServerResponse) => {
    if (draining) res.setHeader('Connection', 'close');
  });

  let stopping = false;
  shutdown = async (reason: string, exitCode = 0): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down: finishing requests and journey steps in flight');
    const deadline = setTimeout(() => {
      logger.error('shutdown deadline passed; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    // 1. The listener stops accepting at once (new connections are refused) and idle keep-alive
    //    connections close; a connection still serving a request closes after its answer.
    draining = true;
    server.close();
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    const drainLimit = setTimeout(() => {
      logger.warn('requests still in flight after the drain period; closing their connections');
      server.closeAllConnections();
    }, HTTP_DRAIN_MS);
    try {
      // 2. Nest's shutdown: workers stop fetching and the steps in flight finish (JourneyJobs),
      //    the HTTP server's last connections end, then the database pool closes.
      await app.close();
      if (database) await database.stop();
      logger.info('stopped');
      process.exit(exitCode);
    } catch (err) {
      logger.error({ err: loggableError(err) }, 'error during shutdown');
      process.exit(1);
    } finally {
      clearInterval(idle);
      clearTimeout(drainLimit);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`fatal: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
