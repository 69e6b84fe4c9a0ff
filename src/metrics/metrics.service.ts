import { Injectable } from '@nestjs/common';
import type { Counters } from '../common/ports.js';

type Labels = Record<string, string>;

const key = (labels: Labels): string =>
  Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)
    .join(',');

/**
 * A few counters in Prometheus' text format, per process (scrape every instance). Kept small on
 * purpose: request counts and durations by route and status, and ops recorded by connector.
 */
@Injectable()
export class MetricsService implements Counters {
  private readonly counters = new Map<string, Map<string, number>>();
  private readonly help = new Map<string, string>();

  inc(name: string, help: string, labels: Labels, by = 1): void {
    this.help.set(name, help);
    const series = this.counters.get(name) ?? new Map<string, number>();
    const k = key(labels);
    series.set(k, (series.get(k) ?? 0) + by);
    this.counters.set(name, series);
  }

  render(): string {
    const lines: string[] = [];
    const mem = process.memoryUsage();
    lines.push('# HELP process_resident_memory_bytes Resident memory size in bytes.', '# TYPE process_resident_memory_bytes gauge');
    lines.push(`process_resident_memory_bytes ${mem.rss}`);
    lines.push('# HELP process_uptime_seconds Seconds since the process started.', '# TYPE process_uptime_seconds gauge');
    lines.push(`process_uptime_seconds ${process.uptime().toFixed(3)}`);
    for (const [name, series] of [...this.counters].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`# HELP ${name} ${this.help.get(name)}`, `# TYPE ${name} counter`);
      for (const [labels, value] of series) lines.push(`${name}{${labels}} ${value}`);
    }
    return lines.join('\n') + '\n';
  }
}
