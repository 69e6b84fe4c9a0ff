import { Module } from '@nestjs/common';
import { JobQueue } from './job-queue.service.js';

/**
 * The durable job queue (pg-boss), one per process. Depends on nothing but the global config and
 * logger, so journeys and webhooks may both use it without a cycle.
 */
@Module({ providers: [JobQueue], exports: [JobQueue] })
export class JobsModule {}
