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
# HELP http_request_duration_seconds Seconds spent answering HTTP requests.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.01",method="POST",route="/api/tenants/:tenantId/events",status="200"} 1031
http_request_duration_seconds_bucket{le="+Inf",method="POST",route="/api/tenants/:tenantId/events",status="200"} 1280
http_request_duration_seconds_sum{method="POST",route="/api/tenants/:tenantId/events",status="200"} 9.87
http_request_duration_seconds_count{method="POST",route="/api/tenants/:tenantId/events",status="200"} 1280
# HELP mara_ops_total Intake ops recorded (committed), by connector and status: Events API, intake formats, webhooks and imports.
# TYPE mara_ops_total counter
mara_ops_total{connector="stripe",status="ok"} 12
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
      'Prometheus text format 0.0.4: the default process metrics (memory, CPU, event-loop lag, heap, GC) and ' +
      'uptime, HTTP requests and a histogram of their durations by method, route pattern and status, and intake ' +
      'ops (Events API, formats, webhooks, imports) by connector and status. Per process: scrape every instance.',
  })
  @ApiOkResponse({ description: 'Prometheus text.', content: { 'text/plain': { schema: { type: 'string', example: EXAMPLE } } } })
  render(): Promise<string> {
    return this.metrics.render();
  }
}
