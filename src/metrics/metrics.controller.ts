import { Controller, Get, Header } from '@nestjs/common';
import { Access } from '../common/access.decorator.js';
import { MetricsService } from './metrics.service.js';

@Access('public')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  render(): string {
    return this.metrics.render();
  }
}
