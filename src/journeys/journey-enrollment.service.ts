import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { afterCommit } from '../common/after-commit.js';
import { BoundedSet } from '../common/bounded-set.js';
import { arrayParam } from '../common/hot-query.js';
import type { ConcernedJourney, ExtendedWrite, WriteExtension } from '../contacts/contacts.repository.js';
import type { NewEvent } from '../contacts/events.repository.js';
import { fieldConditionHolds } from './conditions.js';
import type { Condition } from './dto/journey.dto.js';
import { JourneyJobs } from './journey-jobs.service.js';
import { JourneyRunsRepository, ONCE_IN_SELECT, onceInPairs } from './journey-runs.repository.js';

/**
 * What a batch's events can do to journeys, as the recorder judges it from its read
 * (JourneyEnrollment.plan): start runs of these journeys (none: the batch can only end runs).
 */
export interface EnrollmentPlan {
  /** The journeys that may start a run for the batch; the others cannot. */
  starting: string[];
}

const NO_CONTACT = { name: null, email: null, attributes: {} };

/** How many contacts a process remembers as having entered one `once` journey, and for how many journeys (about 30 MB at most). */
const ENTERED_PER_JOURNEY = 20_000;
const ENTERED_JOURNEYS = 16;

/**
 * The (journey, contact) pairs of `once` runs this process saw committed: a fact that stays true
 * (a `once` run is never undone; an erased contact's id, or a deleted journey's, never comes
 * back), so a contact found here can start no run of that journey, and no statement needs to look.
 * Bounded: the oldest contacts of a journey, and the journey seen longest ago, are forgotten
 * first (then the statement looks again). Kept by contact id, per journey (ids are random UUIDs).
 */
class EnteredOnce {
  private readonly journeys = new Map<string, BoundedSet<string>>();

  /** The contacts known to have entered the journey (none known: undefined). */
  of(journeyId: string): BoundedSet<string> | undefined {
    return this.journeys.get(journeyId);
  }

  add(pairs: Array<[string, string]>): void {
    for (const [journeyId, contactId] of pairs) {
      let contacts = this.journeys.get(journeyId);
      if (!contacts) {
        if (this.journeys.size >= ENTERED_JOURNEYS) this.journeys.delete(this.journeys.keys().next().value as string);
        this.journeys.set(journeyId, (contacts = new BoundedSet<string>(ENTERED_PER_JOURNEY)));
      }
      contacts.add(contactId);
    }
  }
}

/**
 * What new events do to journeys, with the statement that records them (EventRecorder,
 * ContactsRepository.recordBatch), so an event, the runs it starts, their first steps' jobs and
 * the runs it ends commit or roll back together, whatever the batch size and the number of
 * journeys (docs/journeys.md#enrollment).
 */
@Injectable()
export class JourneyEnrollment {
  /**
   * The recording write's extensions, for a request that creates or changes no contact:
   * enrollment and exits (JourneyRunsRepository.enrollmentSql), then the started runs' jobs; or
   * the exits alone, when no journey can start a run for the batch.
   */
  private readonly enrolling: WriteExtension;
  private readonly exiting: WriteExtension;
  private readonly jobsCte: string;
  private readonly entered = new EnteredOnce();

  constructor(
    private readonly runs: JourneyRunsRepository,
    jobs: JourneyJobs,
  ) {
    this.jobsCte = `step_jobs AS (${jobs.scheduleSql('SELECT tenant_id, id, step, delay FROM started')})`;
    this.enrolling = { name: 'enroll', ctes: `${runs.enrollmentSql()}, ${this.jobsCte}`, select: ONCE_IN_SELECT };
    this.exiting = { name: 'exits', ctes: runs.exitsSql() };
  }

  /**
   * Which of the concerned journeys (the recording's read) may start a run for these events, and
   * whether one exits on them; null when they can do neither (the write then goes without
   * enrollment). A journey is left out when, for every event of its trigger type, something the
   * enrollment statement would judge already fails: the event is too old; a condition of its
   * `where` on the event's properties fails (judged here, by the code twin of the statement's
   * paths, conditions.ts); it is a `once` journey that the event's contact is known to have
   * entered (EnteredOnce); or, when the batch changes no contact (`contactsAsRead`), no contact
   * found passes its conditions on the contact, as the read found them. Every other journey is
   * judged by the statement itself, event by event.
   */
  plan(journeys: ConcernedJourney[], events: NewEvent[], found: ReadonlySet<string>, at: Date, contactsAsRead: boolean): EnrollmentPlan | null {
    const starting: string[] = [];
    let exits = false;
    for (const j of journeys) {
      exits ||= j.exits;
      const passesAsRead = !(contactsAsRead && j.contactOk === false);
      const entered = j.once ? this.entered.of(j.id) : undefined;
      const oldest = at.getTime() - j.maxEventAgeSeconds * 1000;
      const onEvent = ((j.eventWhere ?? []) as Condition[]).flatMap((c) => ('field' in c && c.field.startsWith('event.properties.') ? [c] : []));
      const starts = events.some(
        (e) =>
          e.contactId !== null &&
          e.type === j.triggerEventType &&
          e.occurredAt.getTime() >= oldest &&
          !entered?.has(e.contactId) &&
          (passesAsRead || !found.has(e.contactId)) &&
          onEvent.every((c) => fieldConditionHolds(c, { contact: NO_CONTACT, event: { properties: e.properties } })),
      );
      if (starts) starting.push(j.id);
    }
    return starting.length > 0 || exits ? { starting } : null;
  }

  /** The recording write's extension for a plan (a request that creates or changes no contact). */
  onRecording(plan: EnrollmentPlan): ExtendedWrite {
    return plan.starting.length > 0
      ? { extension: this.enrolling, values: [arrayParam(plan.starting)], committed: (row) => this.entered.add(onceInPairs(row.once_in)) }
      : { extension: this.exiting, values: [] };
  }

  /**
   * The same, as one statement after the write, in the request's transaction: for a request that
   * creates or changes contacts (see JourneyRunsRepository.enrollAfterWrite for why).
   */
  async afterWrite(em: EntityManager, tenantId: string, events: NewEvent[], receivedAt: Date, plan: EnrollmentPlan): Promise<void> {
    const pairs = await this.runs.enrollAfterWrite(em, tenantId, events, receivedAt, plan.starting, this.jobsCte);
    afterCommit(em, () => this.entered.add(pairs));
  }
}
