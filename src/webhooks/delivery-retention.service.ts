import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { PINO_LOGGER } from '../common/logger.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { JobQueue } from '../jobs/job-queue.service.js';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';

/** pg-boss queue of the delivery log's retention runs. */
export const DELIVERY_RETENTION_QUEUE = 'webhook-delivery-retention';

interface RetentionJob {
  /** The hourly chain (which queues its own next run) rather than a run asked for now. */
  scheduled: boolean;
  /** Rows per DELETE; the default unless a run asks for smaller batches. */
  batchSize?: number;
}

const EVERY_SECONDS = 3600;
const BATCH_SIZE = 1000;
/** A run deletes batch after batch, each a short statement of its own; this bounds a dead worker's job. */
const EXPIRE_SECONDS = 1800;

/**
 * Deletes delivery-log entries older than DELIVERY_RETENTION_DAYS, hourly, in bounded batches
 * (docs/webhooks.md, "Delivery log and replay"). A job on the durable queue that queues its own
 * next run before it starts deleting; the queue is `stately`, so however many worker processes
 * seed the chain at boot, one run waits at a time, and a run that fails is retried without
 * breaking the chain.
 */
@Injectable()
export class DeliveryRetention implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    private readonly queue: JobQueue,
    private readonly deliveries: WebhookDeliveriesRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.queue.declare({ name: DELIVERY_RETENTION_QUEUE, expireInSeconds: EXPIRE_SECONDS, policy: 'stately' });
  }

  /** Workers (PROCESS_ROLE all or worker) run retention, and start the hourly chain if none is queued. */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.queue.workers) return;
    await this.queue.send<RetentionJob>(DELIVERY_RETENTION_QUEUE, { scheduled: true }, { singletonKey: 'hourly' });
    await this.queue.work<RetentionJob>(DELIVERY_RETENTION_QUEUE, { batchSize: 1, concurrency: 1, pollingIntervalSeconds: 30 }, (job) =>
      this.run(job.data),
    );
  }

  /** Queues a run now, beside the hourly chain (operators and tests); a worker process runs it. */
  async runNow(batchSize?: number): Promise<void> {
    await this.queue.send<RetentionJob>(DELIVERY_RETENTION_QUEUE, { scheduled: false, batchSize }, { singletonKey: 'on-demand' });
    this.queue.notify(DELIVERY_RETENTION_QUEUE);
  }

  private async run(job: RetentionJob): Promise<void> {
    if (job.scheduled) {
      await this.queue.send<RetentionJob>(DELIVERY_RETENTION_QUEUE, { scheduled: true }, { singletonKey: 'hourly', delaySeconds: EVERY_SECONDS });
    }
    const batchSize = job.batchSize ?? BATCH_SIZE;
    const days = this.config.deliveryRetentionDays;
    let deleted = 0;
    let batches = 0;
    for (;;) {
      const n = await this.deliveries.deleteOlderThan(days, batchSize);
      deleted += n;
      batches++;
      // The rest waits for the next run when the process is stopping.
      if (n < batchSize || this.queue.stopSignal.aborted) break;
    }
    if (deleted > 0) this.logger.info({ deleted, batches, retentionDays: days }, 'webhook delivery log: deleted expired deliveries');
  }
}
