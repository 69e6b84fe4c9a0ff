import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../common/access.decorator.js';
import { MetricsService } from './metrics.service.js';

const EXAMPLE = `# HELP process_uptime_seconds Seconds since the process started.
# TYPE process_uptime_seconds gauge
process_uptime_seconds 42.137
# HELP http_requests_total HTTP requests answered.
# TYPE http_requests_total counter
http_requests_total{method="POST",route="/api/tenants/:tenantId/events",status="200"} 1280
`;

@ApiTags('Metrics')
@Access('public')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({
    operationId: 'getMetrics',
    summary: 'Prometheus metrics of this process',
    description:
      'Prometheus text format 0.0.4: memory and uptime, HTTP requests and their durations by method, route pattern ' +
      'and status, and intake ops by connector and status. Per process: scrape every instance.',
  })
  @ApiOkResponse({ description: 'Prometheus text.', content: { 'text/plain': { schema: { type: 'string', example: EXAMPLE } } } })
  render(): string {
    return this.metrics.render();
  }
}
