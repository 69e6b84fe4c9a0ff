import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule, type AppModuleOptions } from './app.module.js';
import { accessLog } from './common/http/access-log.middleware.js';
import { BODY_READER } from './common/http/body.js';
import { requestId } from './common/http/request-id.middleware.js';
import { refuseCrossOriginCookieWrites } from './common/http/same-origin.middleware.js';
import { PinoNestLogger } from './common/logger.js';
import { createValidationPipe } from './common/validation.js';
import { UNSUBSCRIBE_PATH } from './journeys/unsubscribe.controller.js';
import { httpMetrics } from './metrics/http-metrics.middleware.js';
import { MetricsService } from './metrics/metrics.service.js';
import { setupOpenApi } from './openapi/openapi.js';

/** Builds the Nest application exactly as production runs it; tests use this too. */
export async function createApp(options: AppModuleOptions): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(options), {
    // One body reader, registered below after the steps that must run before any body is read.
    bodyParser: false,
    // Nest's raw-body support: the reader keeps the exact bytes in `req.rawBody` (webhook signatures).
    rawBody: true,
    logger: new PinoNestLogger(options.logger),
    abortOnError: false,
  });
  app.disable('x-powered-by');
  // The request pipeline before routing, in order, one job each: the request id, the access line
  // and the request metrics (both written when the answer is sent), the dashboard's cross-origin
  // refusal (before any body is read), then the body reader. After routing, RequestBodyGuard
  // applies the route's body policy (src/common/http/body.ts).
  app.use(requestId());
  app.use(accessLog(options.logger, [UNSUBSCRIBE_PATH]));
  app.use(httpMetrics(app.get(MetricsService)));
  app.use(refuseCrossOriginCookieWrites(options.config.publicBaseUrl));
  app.useBodyParser('raw', BODY_READER);
  app.useGlobalPipes(createValidationPipe());
  setupOpenApi(app, options.config.publicBaseUrl);
  return app;
}
