/**
 * Writes `openapi.json` at the repository root from the app's decorators, without a server or a
 * database: Nest's preview mode builds the module graph (controllers, routes, metadata) but
 * instantiates no provider, so TypeORM never connects. `npm run openapi`; CI checks the result
 * is what is committed.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AppModule } from '../src/app.module.js';
import { createLogger } from '../src/common/logger.js';
import { loadConfig } from '../src/config/app-config.js';
import { createOpenApiDocument, serializeOpenApi } from '../src/openapi/openapi.js';

/** Placeholders only: nothing connects in preview mode. The default PUBLIC_BASE_URL is the server shown. */
const PREVIEW_ENV = {
  DATABASE_URL: 'postgresql://preview.invalid/mara',
  ADMIN_API_TOKEN: 'preview-admin-token-unused',
  SECRETS_KEY: Buffer.alloc(32).toString('base64'),
  PROCESS_ROLE: 'api',
};

async function main(): Promise<void> {
  const config = loadConfig(PREVIEW_ENV);
  const app = await NestFactory.create(AppModule.forRoot({ config, logger: createLogger('silent') }), {
    preview: true,
    abortOnError: false,
    logger: false,
  });
  const out = process.argv[2] ?? fileURLToPath(new URL('../../openapi.json', import.meta.url));
  writeFileSync(out, serializeOpenApi(createOpenApiDocument(app, config.publicBaseUrl)));
  await app.close();
  process.stdout.write(`wrote ${out}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`openapi: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
