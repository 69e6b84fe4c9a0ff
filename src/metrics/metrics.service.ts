import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds; from a fast cached read to a slow batch under load. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * This process's metrics in Prometheus' text format (scrape every instance), with prom-client:
 * the default process metrics (memory, CPU, event-loop lag, heap, GC), HTTP requests and their
 * durations by route pattern and status, and intake ops by connector and status. One registry
 * per app, so apps in one process (tests) keep separate counts.
 */
@Injectable()
export class MetricsService {
  private readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly durations = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Seconds spent answering HTTP requests.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly ops = new Counter({
    name: 'mara_ops_total',
    help: 'Intake ops recorded (committed), by connector and status: Events API, intake formats, webhooks and imports.',
    labelNames: ['connector', 'status'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'process_uptime_seconds',
      help: 'Seconds since the process started.',
      registers: [this.registry],
      collect() {
        this.set(process.uptime());
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** One answered request; `route` is the route pattern (`/admin/tenants/:tenantId`), never the path. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.requests.inc(labels);
    this.durations.observe(labels, seconds);
  }

  /** Ops of one committed write, by their outcome. */
  countOps(connector: string, statuses: readonly string[]): void {
    for (const status of statuses) this.ops.inc({ connector, status });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
