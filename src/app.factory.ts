import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule, type AppModuleOptions } from './app.module.js';
import { PinoNestLogger } from './common/logger.js';
import { createValidationPipe } from './common/validation.js';
import { setupOpenApi } from './openapi/openapi.js';

/** Builds the Nest application exactly as production runs it; tests use this too. */
export async function createApp(options: AppModuleOptions): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(options), {
    // Bodies are read by HttpPipelineMiddleware (raw bytes kept for webhook signatures).
    bodyParser: false,
    logger: new PinoNestLogger(options.logger),
    abortOnError: false,
  });
  app.disable('x-powered-by');
  app.useGlobalPipes(createValidationPipe());
  setupOpenApi(app, options.config.publicBaseUrl);
  return app;
}
