import { Global, Module } from '@nestjs/common';
import { Counters } from '../common/ports.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';

@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsService, { provide: Counters, useExisting: MetricsService }],
  exports: [MetricsService, Counters],
})
export class MetricsModule {}
