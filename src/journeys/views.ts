import type { MessageView, RunView } from './dto/activity.dto.js';
import type { JourneyRun } from './journey-run.entity.js';
import type { Message } from './message.entity.js';

/** A run as the admin API shows it (docs/journeys.md#runs): the runs list, run detail, a contact's runs, an export. */
export function runView(r: JourneyRun): RunView {
  return {
    id: r.id,
    journeyId: r.journeyId,
    contactId: r.contactId,
    status: r.status,
    trigger: { eventId: r.eventId, eventType: r.triggerEventType },
    exitReason: r.exitReason,
    steps: r.history,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** An outbox message as the admin API shows it (the outbox, a contact's emails); an export adds its text. */
export function messageView(m: Message): MessageView {
  return {
    id: m.id,
    journeyId: m.journeyId,
    runId: m.runId,
    contactId: m.contactId,
    to: m.to,
    subject: m.subject,
    status: m.status,
    reason: m.reason,
    createdAt: m.createdAt.toISOString(),
  };
}
