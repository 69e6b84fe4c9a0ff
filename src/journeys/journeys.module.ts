import { Module } from '@nestjs/common';
import { ContactsModule } from '../contacts/contacts.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { ContactActivityController } from './contact-activity.controller.js';
import { EmailOutbox } from './email-outbox.service.js';
import { JourneyActivity } from './journey-activity.service.js';
import { JourneyEnrollment } from './journey-enrollment.service.js';
import { JourneyJobs } from './journey-jobs.service.js';
import { JourneyRunsRepository } from './journey-runs.repository.js';
import { JourneyWorker } from './journey-worker.service.js';
import { JourneysController } from './journeys.controller.js';
import { JourneysRepository } from './journeys.repository.js';
import { JourneysService } from './journeys.service.js';
import { Mailer } from './mailer.service.js';
import { MessagesController } from './messages.controller.js';
import { MessagesRepository } from './messages.repository.js';
import { StepRunner } from './step-runner.service.js';
import { UnsubscribeController } from './unsubscribe.controller.js';
import { UnsubscribeService } from './unsubscribe.service.js';

/**
 * Journeys: definitions and their admin routes, enrollment (called by the event recorder), the
 * durable step runner on pg-boss, email delivery through the outbox, and unsubscribe links.
 */
@Module({
  imports: [TenantsModule, ContactsModule, JobsModule],
  controllers: [JourneysController, MessagesController, ContactActivityController, UnsubscribeController],
  providers: [
    JourneysRepository,
    JourneyRunsRepository,
    MessagesRepository,
    JourneysService,
    JourneyActivity,
    JourneyEnrollment,
    JourneyJobs,
    JourneyWorker,
    StepRunner,
    EmailOutbox,
    Mailer,
    UnsubscribeService,
  ],
  exports: [JourneyEnrollment, JourneyRunsRepository, MessagesRepository],
})
export class JourneysModule {}
