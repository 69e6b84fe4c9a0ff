import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type Page, type PageQueryDto, Paginator } from '../common/pagination.js';
import type { RunStatus, StepRecord } from './dto/activity.dto.js';
import type { JourneyStep } from './dto/journey.dto.js';
import type { Scalar } from '../common/vocabulary.js';
import { JourneyRun } from './journey-run.entity.js';
import type { NewEvent } from '../contacts/events.repository.js';
import { arrayParam, hotQuery, jsonArrayParam } from '../common/hot-query.js';

/** A run as its step job reads it, row-locked. */
export interface LockedRunRow {
  journeyId: string;
  contactId: string;
  eventId: string;
  status: RunStatus;
  currentStep: number;
  currentPath: string;
  definition: JourneyStep[];
  createdAt: Date;
}

/** `timestamptz` as the step runner writes instants into a run's history (Date#toISOString). */
const isoSql = (at: string): string => `to_char((${at}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** What enrollment and exits need of each active journey, worked out once per statement (see ENROLLMENT_CTES). */
const JX_CTE = (ARRIVAL: string, STARTS: string): string => `jx AS MATERIALIZED (
    SELECT j.id, ${STARTS} AS starts, j.trigger_event_type, j.exit_on, j.steps, j.reentry = 'once' AS once, cardinality(j.exit_on) > 0 AS exits,
           j.trigger_event_path AS event_path, j.trigger_contact_path AS contact_path, j.trigger_vars AS vars,
           ${ARRIVAL}::timestamptz - make_interval(secs => j.max_event_age_seconds) AS oldest,
           j.steps->0->>'type' = 'wait' AND jsonb_array_length(j.steps) > 1 AS wait,
           (j.steps->0->>'seconds')::int AS seconds
      FROM journeys j WHERE j.tenant_id = $1 AND j.status = 'active'
  )`;

/** The runs started (see ENROLLMENT_CTES). */
const START_CTES = `cand AS MATERIALIZED (
    SELECT j.id AS journey_id, j.once, j.wait, j.seconds, j.steps, e.contact_id, e.id AS event_id, e.type, e.n,
           j.once AND EXISTS (
             SELECT 1 FROM journey_runs o WHERE o.tenant_id = $1 AND o.journey_id = j.id AND o.once_key = e.contact_id) AS entered,
           CASE WHEN j.exits THEN (
             SELECT jsonb_build_object('eventType', later.type, 'eventId', later.id) FROM rec_events later
              WHERE later.contact_id = e.contact_id AND later.n > e.n AND later.type = ANY (j.exit_on)
              ORDER BY later.n LIMIT 1) END AS exit_reason
      FROM rec_events e
      JOIN jx j ON j.starts AND j.trigger_event_type = e.type
     WHERE e.occurred_at >= j.oldest
       AND CASE
             WHEN j.event_path IS NOT NULL AND NOT jsonb_path_exists(e.properties::jsonb, j.event_path, j.vars, true) THEN false
             WHEN j.contact_path IS NOT NULL AND NOT (
               SELECT jsonb_path_exists(COALESCE(c.attributes, '{}'::jsonb), j.contact_path,
                                        j.vars || jsonb_build_object('email', c.email, 'name', c.name), true)
                 FROM (SELECT 1) one
                 LEFT JOIN LATERAL (
                   SELECT w.attributes, w.email, w.name FROM rec_contacts w WHERE w.id = e.contact_id
                   UNION ALL
                   SELECT c.attributes, c.email, c.name FROM contacts c
                    WHERE c.tenant_id = $1 AND c.id = e.contact_id
                      AND NOT EXISTS (SELECT 1 FROM rec_contacts w WHERE w.id = e.contact_id)
                   LIMIT 1
                 ) c ON true) THEN false
             ELSE true END
  ), ins AS (
    INSERT INTO journey_runs
           (tenant_id, id, journey_id, contact_id, event_id, once_key, status, exit_reason, current_step, current_path,
            trigger_event_type, definition, history)
    SELECT $1, gen_random_uuid(), p.journey_id, p.contact_id, p.event_id,
           CASE WHEN p.once THEN p.contact_id END,
           CASE WHEN p.exit_reason IS NOT NULL THEN 'exited' WHEN p.wait THEN 'waiting' ELSE 'active' END,
           p.exit_reason,
           CASE WHEN p.exit_reason IS NULL AND p.wait THEN 1 ELSE 0 END,
           CASE WHEN p.exit_reason IS NULL AND p.wait THEN '1' ELSE '0' END,
           p.type, p.steps,
           CASE WHEN p.exit_reason IS NULL AND p.wait THEN jsonb_build_array(jsonb_build_object(
                  'path', '0', 'type', 'wait', 'status', 'scheduled', 'at', ${isoSql('statement_timestamp()')},
                  'seconds', p.seconds,
                  'until', ${isoSql('statement_timestamp() + make_interval(secs => p.seconds)')}))
                ELSE '[]'::jsonb END
      FROM cand p
     WHERE NOT p.entered
     ORDER BY p.journey_id, p.contact_id, p.n
    ON CONFLICT (tenant_id, journey_id, once_key) WHERE once_key IS NOT NULL DO NOTHING
    RETURNING tenant_id, id, status, current_step, history, journey_id, once_key
  ), started AS (
    SELECT tenant_id, id, current_step AS step,
           CASE WHEN status = 'waiting' THEN (history->0->>'seconds')::int ELSE 0 END AS delay
      FROM ins WHERE status IN ('active', 'waiting')
  ), once_in AS (
    SELECT journey_id, contact_id FROM cand WHERE entered
    UNION ALL
    SELECT journey_id, once_key FROM ins WHERE once_key IS NOT NULL
  )`;

/**
 * The `once` runs that the statement found or started (`once_in`), as a column of its row: a
 * two-dimensional array of (journey id, contact id) pairs, or NULL for none. (Each id its own
 * string: a process keeps them, and a substring of a longer one would be slower to compare.)
 */
export const ONCE_IN_SELECT = `(SELECT array_agg(ARRAY[journey_id, contact_id]) FROM once_in) AS once_in`;

/** The (journey id, contact id) pairs of an ONCE_IN_SELECT column. */
export function onceInPairs(column: unknown): Array<[string, string]> {
  return Array.isArray(column) ? (column as Array<[string, string]>) : [];
}

/** The runs ended (see ENROLLMENT_CTES). */
const EXIT_CTES = `hit AS (
    SELECT DISTINCT ON (r.id) r.id AS run_id, e.id AS event_id, e.type
      FROM rec_events e
      JOIN jx j ON j.exits AND e.type = ANY (j.exit_on)
      CROSS JOIN LATERAL (
        SELECT r.id FROM journey_runs r
         WHERE r.tenant_id = $1 AND r.contact_id = e.contact_id AND r.journey_id = j.id AND r.status IN ('active', 'waiting')
        OFFSET 0
      ) r
     ORDER BY r.id, e.n
  ), locked AS (
    SELECT l.id, l.ctid, h.event_id, h.type
      FROM (SELECT run_id, event_id, type FROM hit ORDER BY run_id) h
      CROSS JOIN LATERAL (
        SELECT r.id, r.ctid FROM journey_runs r
         WHERE r.tenant_id = $1 AND r.id = h.run_id AND r.status IN ('active', 'waiting')
           FOR UPDATE
      ) l
     WHERE EXISTS (SELECT 1 FROM hit)
  ), exited AS (
    UPDATE journey_runs r
       SET status = 'exited', exit_reason = jsonb_build_object('eventType', locked.type, 'eventId', locked.event_id), updated_at = now()
      FROM locked
     WHERE r.ctid = locked.ctid AND r.tenant_id = $1
    RETURNING r.id
  )`;

/**
 * Enrollment and exits as CTEs of the recording write (JourneyRunsRepository.enrollmentSql):
 * `rec_events` (the batch's linked events, in batch order `n`), `rec_contacts` (the contacts the
 * write created or changed, as it left them), `$1` the tenant and the arrival (`$8` there) come
 * from that statement (ContactsRepository.recordBatch), or from enrollment's own statement
 * (JourneyRunsRepository.enrollAfterWrite). Every lookup of journey_runs is an index probe
 * (a subquery per row, fenced by LIMIT, OFFSET or a row lock; the exit's update then goes by the
 * locked row's ctid), never a scan of the tenant's runs: the plan must not depend on the table's
 * statistics, which lag behind a fast-growing table (a join the planner once ordered the other
 * way round read every run of the tenant for each batch). What the statement needs of each active
 * journey is worked out once (`jx`); each (event, journey) pair then pays only for what its
 * journey has, in this order: its trigger conditions, compiled when the journey was written into
 * a path on the event's properties and one on the contact (conditions.ts `triggerPaths`; one
 * `jsonb_path_exists` call each, the event's side first; the event's properties are parsed only
 * for a path on them, and its contact is read only for a path on the contact: the write's own row
 * when it wrote the contact, the stored one otherwise), the `once` probe, and the look for a later
 * exit event of the batch. Only the journeys marked `starts` (STARTS: those that the recorder,
 * from its read, found able to start a run for the batch: JourneyEnrollment.plan) are joined
 * with the events to start runs; every one is looked at for exits. `started` is what the step
 * jobs are made of. Without a journey that may start a run, the exits' CTEs go alone
 * (EXIT_ONLY_CTES).
 */
const ENROLLMENT_CTES = (ARRIVAL: string, STARTS: string): string => `${JX_CTE(ARRIVAL, STARTS)}, ${START_CTES}, ${EXIT_CTES}`;

/** Exits alone, for a batch that can start no run (see ENROLLMENT_CTES). */
const EXIT_ONLY_CTES = (ARRIVAL: string): string => `${JX_CTE(ARRIVAL, 'false')}, ${EXIT_CTES}`;

/** Journey runs (`journey_runs`) and their step history; the only code that writes the table. */
@Injectable()
export class JourneyRunsRepository {
  private afterWriteSql: string | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly pages: Paginator,
  ) {}

  /**
   * What a batch of new events does to runs, as CTEs of the recording write (see ENROLLMENT_CTES
   * for what they read), so one statement records the batch and enrolls and exits for it, whatever
   * the batch size and the number of journeys (docs/journeys.md#trigger, #exit-events):
   *
   * - Starts runs: the events joined with the tenant's active journeys on their trigger type and
   *   with their contacts (as the write leaves them), kept when the event is recent enough
   *   (`max_event_age_seconds` before the arrival) and every stored `where` condition holds
   *   (judged by the paths compiled from them, conditions.ts `triggerPaths`, read from the journey
   *   row with their values, so no value ever enters the SQL text).
   *   Reentry is the unique index's call: a `once` run carries the contact id as once_key, so a
   *   second run of the same contact (in this batch, or in a concurrent request on any instance)
   *   conflicts and is not inserted; a contact whose `once` run is already committed is left out
   *   before its row is built (one probe of that index, fenced by LIMIT). Rows go in (journey,
   *   contact) order, so that concurrent requests wait on each other's once_key in one order
   *   (never in a cycle); within one contact and journey, events are taken in batch order, so the
   *   first one wins. A run that a later event of the same batch exits is written `exited` at
   *   once, with that event as its reason.
   * - Exits runs: each `active` or `waiting` run that existed before this statement, of any
   *   journey listing the event's type in `exit_on`, of the event's contact, is `exited` with the
   *   first such event of the batch as its reason (locked in id order). The runs this statement
   *   starts are not among them (a statement never sees its own inserts): an event never exits
   *   the run it starts.
   * - A journey whose first step is a `wait` with more steps after it has that wait taken at once
   *   (docs/journeys.md#steps): the run starts `waiting` at its second step, with the wait's record
   *   (`until` = now + seconds), as the step runner would write it; the second step's job is then
   *   due after the wait, and no worker has to execute the wait itself.
   *
   * Only the journeys listed in `$21` (uuid[]: JourneyEnrollment.plan's) start runs; every one
   * exits them. The CTE `started` holds the runs started and still running: `tenant_id, id, step`
   * (the due step's ordinal) and `delay` (seconds): the jobs to schedule.
   */
  enrollmentSql(): string {
    return ENROLLMENT_CTES('$8', 'j.id = ANY($21::uuid[])');
  }

  /** The exits alone, as CTEs of the recording write, for a batch that can start no run. */
  exitsSql(): string {
    return EXIT_ONLY_CTES('$8');
  }

  /**
   * The same as a statement of its own, after the recording write, in its transaction: for a
   * request that also creates or changes contacts (EventRecorder). Its write waits for the rows
   * of those contacts, and a statement reads with the snapshot it started with, so runs that
   * another request committed meanwhile are seen only by a statement that starts after the write:
   * an exit event then ends them, and the `once` check finds them. `also` adds CTEs that read
   * `started` (the first steps' jobs, JourneyEnrollment). $1 tenant, $2-$6 the events, $7 the
   * arrival, $8 the journeys that may start runs (`starting`). Answers the `once` runs it found
   * or started (ONCE_IN_SELECT).
   */
  async enrollAfterWrite(
    em: EntityManager,
    tenantId: string,
    events: NewEvent[],
    receivedAt: Date,
    starting: string[],
    also: string,
  ): Promise<Array<[string, string]>> {
    const linked = events.filter((e) => e.contactId !== null);
    if (linked.length === 0) return [];
    this.afterWriteSql ??= `WITH rec_events AS (
        SELECT u.id, u.contact_id, u.type, u.occurred_at, u.properties, u.n
          FROM unnest($2::uuid[], $3::uuid[], $4::text[], $6::timestamptz[], $5::text[])
               WITH ORDINALITY AS u(id, contact_id, type, occurred_at, properties, n)
      ), rec_contacts AS (
        SELECT NULL::uuid AS id, NULL::text AS email, NULL::text AS name, NULL::jsonb AS attributes WHERE false
      ), ${ENROLLMENT_CTES('$7', 'j.id = ANY($8::uuid[])')}, ${also}
      SELECT ${ONCE_IN_SELECT}`;
    const [row] = await hotQuery<{ once_in: Array<[string, string]> | null }>(em, 'mara_enroll_after_write', this.afterWriteSql, [
      tenantId,
      arrayParam(linked.map((e) => e.id)),
      arrayParam(linked.map((e) => e.contactId)),
      arrayParam(linked.map((e) => e.type)),
      jsonArrayParam(linked.map((e) => e.properties)),
      arrayParam(linked.map((e) => e.occurredAt.toISOString())),
      receivedAt,
      arrayParam(starting),
    ]);
    return onceInPairs(row.once_in);
  }

  /** The run, row-locked for the rest of the caller's transaction; null when there is none. */
  async lock(em: EntityManager, tenantId: string, runId: string): Promise<LockedRunRow | null> {
    const [row]: Array<{
      journey_id: string;
      contact_id: string;
      event_id: string;
      status: RunStatus;
      current_step: number;
      current_path: string;
      definition: JourneyStep[];
      created_at: Date;
    }> = await em.query(
      `SELECT journey_id, contact_id, event_id, status, current_step, current_path, definition, created_at
         FROM journey_runs WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
      [tenantId, runId],
    );
    if (!row) return null;
    return {
      journeyId: row.journey_id,
      contactId: row.contact_id,
      eventId: row.event_id,
      status: row.status,
      currentStep: row.current_step,
      currentPath: row.current_path,
      definition: row.definition,
      createdAt: row.created_at,
    };
  }

  /**
   * Appends a step's record to the run's history and sets where the run stands: the due step's
   * ordinal and path (unchanged at the end), and the status.
   */
  async advance(
    em: EntityManager,
    tenantId: string,
    runId: string,
    record: StepRecord,
    next: { ordinal: number; path: string } | null,
    status: RunStatus,
  ): Promise<void> {
    await em.query(
      `UPDATE journey_runs SET history = history || $3::jsonb, current_step = COALESCE($4, current_step),
              current_path = COALESCE($5, current_path), status = $6, updated_at = now()
        WHERE tenant_id = $1 AND id = $2`,
      [tenantId, runId, JSON.stringify([record]), next?.ordinal ?? null, next?.path ?? null, status],
    );
  }

  /** Ends a run as failed without a step record (a step whose job gave up before recording anything). */
  async fail(em: EntityManager, tenantId: string, runId: string): Promise<void> {
    await em.query(`UPDATE journey_runs SET status = 'failed', updated_at = now() WHERE tenant_id = $1 AND id = $2`, [tenantId, runId]);
  }

  findOne(tenantId: string, journeyId: string, runId: string): Promise<JourneyRun | null> {
    return this.dataSource.getRepository(JourneyRun).findOneBy({ tenantId, journeyId, id: runId });
  }

  /** journey id → the run this event (of that contact) started there. */
  async startedBy(tenantId: string, eventId: string, contactId: string | null): Promise<Map<string, string>> {
    if (contactId === null) return new Map();
    // Through the contact's runs (ix_journey_runs_contact): runs have no index of their own by event.
    const rows: Array<{ journey_id: string; id: string }> = await this.dataSource.query(
      'SELECT journey_id, id FROM journey_runs WHERE tenant_id = $1 AND contact_id = $2 AND event_id = $3',
      [tenantId, contactId, eventId],
    );
    return new Map(rows.map((r) => [r.journey_id, r.id]));
  }

  /** journey id → the contact's first run there, for the given journeys. */
  async firstRunsOf(tenantId: string, contactId: string, journeyIds: string[]): Promise<Map<string, string>> {
    if (journeyIds.length === 0) return new Map();
    const rows: Array<{ journey_id: string; id: string }> = await this.dataSource.query(
      `SELECT DISTINCT ON (journey_id) journey_id, id FROM journey_runs
        WHERE tenant_id = $1 AND contact_id = $2 AND journey_id = ANY ($3::uuid[])
        ORDER BY journey_id, created_at, id`,
      [tenantId, contactId, journeyIds],
    );
    return new Map(rows.map((r) => [r.journey_id, r.id]));
  }

  /** A journey's runs, newest first. */
  page(tenantId: string, journeyId: string, query: PageQueryDto): Promise<Page<JourneyRun>> {
    const qb = this.dataSource
      .getRepository(JourneyRun)
      .createQueryBuilder('r')
      .where('r.tenant_id = :tenantId AND r.journey_id = :journeyId', { tenantId, journeyId });
    const spec = {
      scope: `runs:${tenantId}:${journeyId}`,
      alias: 'r',
      column: 'created_at',
      order: 'DESC',
      at: (r: JourneyRun) => r.createdAt,
      id: (r: JourneyRun) => r.id,
    } as const;
    return this.pages.page(qb, query, spec, (r) => r);
  }
  /**
   * Locks a contact's runs (in id order) before an erasure or a merge locks the contact itself:
   * the step runner locks a run before it reads its contact, and so does this.
   */
  async lockOfContacts(em: EntityManager, tenantId: string, contactIds: string[]): Promise<void> {
    await em.query('SELECT id FROM journey_runs WHERE tenant_id = $1 AND contact_id = ANY($2::uuid[]) ORDER BY id FOR UPDATE', [tenantId, contactIds]);
  }

  /** Deletes a contact's runs (an erasure): a step job that wakes up for one finds no run and does nothing. */
  async removeOfContact(em: EntityManager, tenantId: string, contactId: string): Promise<void> {
    await em.query('DELETE FROM journey_runs WHERE tenant_id = $1 AND contact_id = $2', [tenantId, contactId]);
  }

  /**
   * Moves `fromId`'s runs to the survivor of a merge (docs/data-rights.md#merge-and-aliases). The
   * pair counts as one contact for `once` journeys: a moved `once` run takes the survivor's
   * once_key, so that no later event starts a second run, unless the survivor has its own run of
   * that journey already (then both runs stay, and the survivor's once_key still blocks a third).
   */
  async moveContact(em: EntityManager, tenantId: string, fromId: string, toId: string): Promise<void> {
    await em.query(
      `UPDATE journey_runs r SET contact_id = $3,
              once_key = CASE WHEN r.once_key IS NOT NULL AND NOT EXISTS (
                                SELECT 1 FROM journey_runs s WHERE s.tenant_id = $1 AND s.journey_id = r.journey_id AND s.once_key = $3)
                              THEN $3::uuid ELSE r.once_key END,
              updated_at = now()
        WHERE r.tenant_id = $1 AND r.contact_id = $2`,
      [tenantId, fromId, toId],
    );
  }

  /** A page of a contact's runs, oldest first, after `after` (an export reads them page by page). */
  pageOfContact(tenantId: string, contactId: string, after: { at: Date; id: string } | null, limit: number): Promise<JourneyRun[]> {
    const qb = this.dataSource
      .getRepository(JourneyRun)
      .createQueryBuilder('r')
      .where('r.tenant_id = :tenantId AND r.contact_id = :contactId', { tenantId, contactId })
      .orderBy('r.created_at', 'ASC')
      .addOrderBy('r.id', 'ASC')
      .limit(limit);
    if (after) qb.andWhere('(r.created_at, r.id) > (:at, :id)', { at: after.at, id: after.id });
    return qb.getMany();
  }

  /** One contact's runs of every journey, newest first. */
  listOfContact(tenantId: string, contactId: string, query: PageQueryDto): Promise<Page<JourneyRun>> {
    const qb = this.dataSource
      .getRepository(JourneyRun)
      .createQueryBuilder('r')
      .where('r.tenant_id = :tenantId AND r.contact_id = :contactId', { tenantId, contactId });
    const spec = {
      scope: `contact-runs:${tenantId}:${contactId}`,
      alias: 'r',
      column: 'created_at',
      order: 'DESC',
      at: (r: JourneyRun) => r.createdAt,
      id: (r: JourneyRun) => r.id,
    } as const;
    return this.pages.page(qb, query, spec, (r) => r);
  }
}
