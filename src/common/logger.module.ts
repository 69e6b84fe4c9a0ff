import { DynamicModule, Global, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { PINO_LOGGER } from './logger.js';

@Global()
@Module({})
export class LoggerModule {
  static forRoot(logger: Logger): DynamicModule {
    return { module: LoggerModule, providers: [{ provide: PINO_LOGGER, useValue: logger }], exports: [PINO_LOGGER] };
  }
}
