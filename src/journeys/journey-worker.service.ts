import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { JourneyJobs } from './journey-jobs.service.js';
import { StepRunner } from './step-runner.service.js';

/**
 * Starts the journey workers in `all` and `worker` processes (PROCESS_ROLE); `api` processes
 * only schedule jobs. Started once the whole app is up, stopped by JobQueue at shutdown.
 */
@Injectable()
export class JourneyWorker implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jobs: JourneyJobs,
    private readonly runner: StepRunner,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.processRole === 'api') return;
    await this.jobs.work((job) => this.runner.run(job));
    await this.jobs.workGivenUp((job, reason) => this.runner.giveUp(job, reason));
  }
}
