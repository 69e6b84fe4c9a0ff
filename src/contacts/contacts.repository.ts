import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { type Page, type PageQueryDto, Paginator } from '../common/pagination.js';
import { ConcurrentChangeError } from '../common/transaction-retry.js';
import type { Connector, Scalar } from '../common/vocabulary.js';
import { type Consent, Contact } from './contact.entity.js';
import { arrayParam, hotQuery, jsonArrayParam } from '../common/hot-query.js';
import { afterCommit } from '../common/after-commit.js';
import { BoundedSet } from '../common/bounded-set.js';
import type { NewEvent } from './events.repository.js';
import type { ContactWrite, KnownContact } from './identity-resolution.js';

/** What a journey email needs of its contact: the template fields and whether it may be sent. */
export interface Recipient {
  name: string | null;
  email: string | null;
  attributes: Record<string, Scalar>;
  hasConsent: boolean;
  unsubscribed: boolean;
  deactivated: boolean;
}

/** Per-connector counts (ingestion health). */
export interface ConnectorCounts {
  connector: string;
  contacts: number;
  events: number;
  lastActivityAt: Date | null;
}

/** The original of a message id recorded before. */
export interface EarlierEvent {
  eventId: string;
  contactId: string | null;
}

/** An active journey that triggers or exits on one of a batch's event types, as the recording's read found it. */
export interface ConcernedJourney {
  id: string;
  triggerEventType: string;
  /** It exits on one of the batch's types. */
  exits: boolean;
  maxEventAgeSeconds: number;
  /** Its `where` as stored (the journeys module's conditions), when one of them reads the event; null otherwise. */
  eventWhere: unknown[] | null;
  /** Its reentry is `once`. */
  once: boolean;
  /** Whether a contact found passes its conditions on the contact (true without any); null: not judged. */
  contactOk: boolean | null;
}

/** What the recording's read found (ContactsRepository.findForRecording). */
export interface RecordingRead {
  known: KnownContact[];
  earlier: Map<string, EarlierEvent>;
  /** The active journeys that trigger or exit on one of the batch's track event types. */
  journeys: ConcernedJourney[];
}

/** What one request records (ContactsRepository.recordBatch). */
export interface RecordingBatch {
  connector: Connector;
  /** Contacts to create or change. */
  writes: ContactWrite[];
  events: NewEvent[];
  /** Every contact the ops touched. */
  touched: string[];
  /** The contacts touched by identify ops (their connector activity is refreshed). */
  projected: string[];
  at: Date;
  /** The events are history (`?backfill=true`): written as usual, flagged (docs/journeys.md#backfill). */
  backfill: boolean;
}

/**
 * More of a request's recording on the recording write (journey enrollment: JourneyEnrollment):
 * CTEs appended to its WITH, run after its own rows (the ingestion-health counters) and so in the
 * same lock order (docs/identity.md#recording-statements). They read `$1` (the tenant), `$8` (the
 * arrival), `rec_events (id, contact_id, type, occurred_at, properties, n)`, the request's events
 * that have a contact (`properties` as JSON text), `n` their order in the request, and `rec_contacts (id, email, name,
 * attributes)`, the contacts the write created or changed, as it left them (a statement does not
 * see its own writes in the tables). Their own values, given with each write (ExtendedWrite),
 * are `$21` on; `select` adds columns to the statement's one row, which the write hands to
 * ExtendedWrite.committed once it has committed.
 */
export interface WriteExtension {
  /** Names the prepared statement (one per extension). */
  name: string;
  ctes: string;
  select?: string;
}

/** An extension and its values for one write ($21 on). */
export interface ExtendedWrite {
  extension: WriteExtension;
  values: unknown[];
  /** Called with the statement's row once what it wrote has committed. */
  committed?: (row: Record<string, unknown>) => void;
}

/**
 * The contact upsert: creates new contacts and applies changes to known ones ($1 tenant, $2-$7
 * the writes as arrays, $8 the time), in contact-id order. `gate` (SQL, may be empty) is a
 * condition the rows wait on: the recording statement makes the upsert run after its events.
 */
function contactUpsertSql(gate: string): string {
  return `INSERT INTO contacts AS c (tenant_id, id, external_id, email, name, attributes, consent, created_at, updated_at)
       SELECT $1, u.id, u.external_id, u.email, u.name, u.attributes::jsonb, u.consent::jsonb, $8, $8
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
              AS u(id, external_id, email, name, attributes, consent)
        ${gate ? `WHERE ${gate}` : ''}
        ORDER BY u.id
       ON CONFLICT (tenant_id, id) DO UPDATE SET
         external_id = COALESCE(EXCLUDED.external_id, c.external_id),
         email = COALESCE(EXCLUDED.email, c.email),
         name = COALESCE(EXCLUDED.name, c.name),
         attributes = c.attributes || EXCLUDED.attributes,
         consent = CASE WHEN c.consent->>'status' = 'withdrawn' THEN c.consent ELSE COALESCE(c.consent, EXCLUDED.consent) END,
         updated_at = EXCLUDED.updated_at`;
}

const contactWriteParams = (writes: ContactWrite[]): unknown[] => [
  arrayParam(writes.map((w) => w.id)),
  arrayParam(writes.map((w) => w.externalId)),
  arrayParam(writes.map((w) => w.email)),
  arrayParam(writes.map((w) => w.name)),
  jsonArrayParam(writes.map((w) => w.attributes)),
  jsonArrayParam(writes.map((w) => w.consent)),
];

/**
 * The identity read ($2 external ids, $3 emails) beside the duplicate read ($4 message ids). The
 * identity read also finds contacts by the aliases a merge left (docs/data-rights.md#merge-and-aliases):
 * each contact comes back with the aliases of it that matched. Last come the tenant's active
 * journeys that trigger on, or exit on, one of the batch's track event types ($5), a row each
 * (`journey_id`): without one the recorder skips enrollment (docs/journeys.md#enrollment). Each
 * row carries what the recorder needs to tell whether the journey can start a run for the batch
 * (JourneyEnrollment.plan): its trigger type, whether it exits
 * on one; its reentry, its age limit and, when it has conditions on the event, its `where`; for
 * a journey with conditions on the contact, whether one of the contacts found passes them as the
 * read found it (`contact_ok`; NULL for a journey that does not trigger on the batch).
 * Every lookup is one index probe per value (a LATERAL subquery over the unnested array, fenced by
 * LIMIT or OFFSET so it stays a probe), never a scan of the tenant's rows: the plan must not depend
 * on the tables' statistics, which lag behind a fast-growing table. Nor on the parameters' values:
 * every array is read through `(SELECT $n)`, which the planner does not look into, so that from
 * the sixth execution on a connection the prepared statement runs its one generic plan (a plan
 * whose estimates depend on the values would look dearer than the ones made for them, and be
 * planned anew on every execution: about a millisecond of the server's time each).
 */
// updated_at as epoch milliseconds: a float is read without parsing a timestamp's text per contact.
const KNOWN_COLUMNS =
  'id, external_id, email, consent IS NOT NULL AS has_consent, (extract(epoch FROM updated_at) * 1000)::float8 AS updated_ms, name, attributes';
const RECORDING_READ = `WITH types AS MATERIALIZED (SELECT $5::text[] AS v),
  cj AS MATERIALIZED (
    SELECT j.id, j.trigger_event_type AS type, j.trigger_event_type = ANY((SELECT v FROM types)::text[]) AS triggers,
           j.exit_on && (SELECT v FROM types) AS exits, j.reentry = 'once' AS once, j.max_event_age_seconds AS max_age,
           CASE WHEN j.trigger_event_path IS NOT NULL THEN j.trigger_where END AS event_where,
           j.trigger_contact_path AS contact_path, j.trigger_vars AS vars
      FROM journeys j
     WHERE j.tenant_id = $1 AND j.status = 'active' AND cardinality((SELECT v FROM types)) > 0
       AND (j.trigger_event_type = ANY((SELECT v FROM types)::text[]) OR j.exit_on && (SELECT v FROM types))
  ),
  al AS (
    SELECT a.contact_id, a.kind, a.value
      FROM unnest((SELECT $2::text[])) AS u(v)
      CROSS JOIN LATERAL (SELECT contact_id, kind, value FROM contact_aliases
                           WHERE tenant_id = $1 AND kind = 'external_id' AND value = u.v LIMIT 1) a
    UNION ALL
    SELECT a.contact_id, a.kind, a.value
      FROM unnest((SELECT $3::text[])) AS u(v)
      CROSS JOIN LATERAL (SELECT contact_id, kind, value FROM contact_aliases
                           WHERE tenant_id = $1 AND kind = 'email' AND value = u.v LIMIT 1) a
  ),
  hits AS MATERIALIZED (
    SELECT c.* FROM unnest((SELECT $2::text[])) AS u(v)
      CROSS JOIN LATERAL (SELECT ${KNOWN_COLUMNS} FROM contacts WHERE tenant_id = $1 AND external_id = u.v LIMIT 1) c
    UNION
    SELECT c.* FROM unnest((SELECT $3::text[])) AS u(v)
      CROSS JOIN LATERAL (SELECT ${KNOWN_COLUMNS} FROM contacts WHERE tenant_id = $1 AND email = u.v OFFSET 0) c
    UNION
    SELECT c.* FROM al
      CROSS JOIN LATERAL (SELECT ${KNOWN_COLUMNS} FROM contacts WHERE tenant_id = $1 AND id = al.contact_id LIMIT 1) c
  )
  SELECT h.id, h.external_id, h.email, h.has_consent, h.updated_ms,
         (SELECT array_agg(al.value) FROM al WHERE al.contact_id = h.id AND al.kind = 'external_id') AS alias_external_ids,
         (SELECT array_agg(al.value) FROM al WHERE al.contact_id = h.id AND al.kind = 'email') AS alias_emails,
         NULL::text AS message_id, NULL::uuid AS contact_id,
         NULL::uuid AS journey_id, NULL::text AS journey_type, NULL::boolean AS exits,
         NULL::int AS max_age, NULL::jsonb AS event_where, NULL::boolean AS once, NULL::boolean AS contact_ok
    FROM hits h
  UNION ALL
  SELECT e.id, NULL, NULL, NULL, NULL, NULL, NULL, e.message_id, e.contact_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL
    FROM unnest((SELECT $4::text[])) AS u(v)
    CROSS JOIN LATERAL (SELECT id, message_id, contact_id FROM events WHERE tenant_id = $1 AND message_id = u.v LIMIT 1) e
  UNION ALL
  SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, j.id, j.type, j.exits, j.max_age, j.event_where, j.once,
         CASE WHEN j.triggers THEN j.contact_path IS NULL OR EXISTS (
           SELECT 1 FROM hits h
            WHERE jsonb_path_exists(COALESCE(h.attributes, '{}'::jsonb), j.contact_path,
                                    j.vars || jsonb_build_object('email', h.email, 'name', h.name), true)) END
    FROM cj j`;

/**
 * ContactsRepository.recordBatch's statement. $1 tenant, $2-$8 the contact upsert's, $9 the
 * connector, $10-$15 the events, $16 how many, $17 touched contacts, $18 projected contacts, $19
 * the known contacts among the writes (one the upsert inserts was erased or merged away since the
 * read: `vanished`), $20 whether the events are backfill (docs/journeys.md#backfill).
 * Each step waits for the one before through a condition on its rows (`(SELECT ...) >= 0`).
 */
function recordingWriteSql(extension?: WriteExtension): string {
  return `WITH ev AS (
    INSERT INTO events (tenant_id, id, contact_id, type, properties, occurred_at, received_at, message_id, source, backfill)
    SELECT $1, u.id, u.contact_id, u.type, u.properties::jsonb, u.occurred_at, $8, u.message_id, $9, $20
      FROM unnest($10::uuid[], $11::uuid[], $12::text[], $13::text[], $14::timestamptz[], $15::text[])
           AS u(id, contact_id, type, properties, occurred_at, message_id)
     ORDER BY u.message_id, u.id
    ON CONFLICT (tenant_id, message_id) DO NOTHING
    RETURNING 1
  ),
  n_ev AS (SELECT count(*)::int AS n FROM ev),
  ct AS (${contactUpsertSql('(SELECT n FROM n_ev) >= 0')} RETURNING id, xmax = 0 AS inserted${extension ? ', email, name, attributes' : ''}),
  cc_new AS (
    INSERT INTO contact_connectors (tenant_id, connector, contact_id, first_seen_at, last_seen_at)
    SELECT $1, $9, u.id, $8, $8 FROM unnest($17::uuid[]) AS u(id)
     WHERE (SELECT count(*) FROM ct) >= 0
     ORDER BY u.id
    ON CONFLICT (tenant_id, connector, contact_id) DO NOTHING
    RETURNING contact_id
  ),
  cc_ref AS (
    INSERT INTO contact_connectors (tenant_id, connector, contact_id, first_seen_at, last_seen_at)
    SELECT $1, $9, u.id, $8, $8 FROM unnest($18::uuid[]) AS u(id)
     WHERE u.id NOT IN (SELECT contact_id FROM cc_new)
     ORDER BY u.id
    ON CONFLICT (tenant_id, connector, contact_id) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at
    RETURNING 1
  ),
  n AS (
    SELECT (SELECT n FROM n_ev) AS events, (SELECT count(*)::int FROM cc_new) AS contacts,
           (SELECT n FROM n_ev) + (SELECT count(*)::int FROM cc_new) + (SELECT count(*)::int FROM cc_ref) > 0 AS active
  ),
  slot AS (
    SELECT c.slot FROM ingestion_counters c
     WHERE c.tenant_id = $1 AND c.connector = $9 AND (SELECT active FROM n)
     LIMIT 1 FOR UPDATE SKIP LOCKED
  ),
  cnt_old AS (
    UPDATE ingestion_counters c
       SET events = c.events + n.events, contacts = c.contacts + n.contacts,
           last_activity_at = GREATEST(c.last_activity_at, $8)
      FROM slot, n
     WHERE c.tenant_id = $1 AND c.connector = $9 AND c.slot = slot.slot
    RETURNING 1
  ),
  cnt_new AS (
    INSERT INTO ingestion_counters AS c (tenant_id, connector, slot, events, contacts, last_activity_at)
    SELECT $1, $9, COALESCE((SELECT max(x.slot) + 1 FROM ingestion_counters x WHERE x.tenant_id = $1 AND x.connector = $9), 0),
           n.events, n.contacts, $8
      FROM n WHERE n.active AND NOT EXISTS (SELECT 1 FROM slot)
    ON CONFLICT (tenant_id, connector, slot) DO UPDATE SET
      events = c.events + EXCLUDED.events, contacts = c.contacts + EXCLUDED.contacts,
      last_activity_at = GREATEST(c.last_activity_at, EXCLUDED.last_activity_at)
    RETURNING 1
  )${extension ? `,
  rec_events AS (
    SELECT u.id, u.contact_id, u.type, u.occurred_at, u.properties, u.n
      FROM unnest($10::uuid[], $11::uuid[], $12::text[], $14::timestamptz[], $13::text[])
           WITH ORDINALITY AS u(id, contact_id, type, occurred_at, properties, n)
     WHERE u.contact_id IS NOT NULL AND (SELECT count(*) FROM cnt_old) + (SELECT count(*) FROM cnt_new) >= 0
  ),
  rec_contacts AS (SELECT id, email, name, attributes FROM ct),
  ${extension.ctes}` : ''}
  SELECT CASE WHEN (SELECT n FROM n_ev) <> $16 THEN mara_concurrent_duplicate() END AS race,
         (SELECT count(*)::int FROM ct WHERE ct.inserted AND ct.id = ANY($19::uuid[])) AS vanished,
         (SELECT count(*) FROM cnt_old) + (SELECT count(*) FROM cnt_new) AS counted${extension?.select ? `,
         ${extension.select}` : ''}`;
}
const RECORDING_WRITE = recordingWriteSql();

/**
 * Whether a recording write failed because one of its message ids was recorded before (by an
 * earlier request, or by one that committed after the read: `mara_concurrent_duplicate()`).
 */
export function isMessageIdRecordedBefore(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '40001' && /mara_concurrent_duplicate/.test(String((err as { where?: unknown }).where ?? ''));
}

/** How many contacts' connector rows a process remembers as written, per connector (about 4 MB at most each). */
const COUNTED_CONTACTS = 50_000;

/** A 64-bit advisory-lock key for one identity (or message id) of one tenant. */
export function lockKey(tenantId: string, kind: string, value: string): bigint {
  return createHash('sha256').update(`${tenantId}\u0001${kind}\u0001${value}`).digest().readBigInt64BE(0);
}

/**
 * The contacts aggregate: `contacts` and the connector activity that hangs off them
 * (`contact_connectors`); the only code that reads or writes those tables. The recording path's
 * statements are set-based (one statement per step for a whole batch, whatever its size) and
 * take the caller's EntityManager so that a request is one transaction.
 *
 * Lock order: every statement that writes several rows writes them sorted by contact id (an
 * `ORDER BY` in the statement), and a request writes contacts before the rows that hang off them
 * (events, journey runs, connector activity). Two requests over the same contacts, whatever the
 * order of their ops, then take their row locks in the same order and never deadlock.
 */
@Injectable()
export class ContactsRepository {
  private readonly extendedWrites = new Map<WriteExtension, [string, string]>();
  /**
   * Per connector, the contacts whose connector row this process saw committed (recordBatch).
   * By contact id alone: ids are random UUIDs the recorder makes, never one of another tenant's.
   */
  private readonly counted = new Map<Connector, BoundedSet<string>>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly pages: Paginator,
  ) {}

  /**
   * Serialises concurrent requests that touch the same identities or message ids (on every
   * instance: the locks live in PostgreSQL until the transaction ends). Keys are taken in sorted
   * order, so two requests can never wait on each other in a cycle.
   */
  async lockKeys(em: EntityManager, keys: bigint[]): Promise<void> {
    if (keys.length === 0) return;
    const sorted = [...new Set(keys)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String);
    await em.query('SELECT pg_advisory_xact_lock(u.k) FROM unnest($1::bigint[]) AS u(k)', [sorted]);
  }

  /**
   * The contacts an op batch may resolve to, in one statement: those with one of the external ids
   * or emails, and those that hold one of them as an alias (left by a merge,
   * docs/data-rights.md#merge-and-aliases), each with the matching aliases.
   */
  async findByIdentities(em: EntityManager, tenantId: string, externalIds: string[], emails: string[]): Promise<KnownContact[]> {
    return (await this.findForRecording(em, tenantId, externalIds, emails, [], [])).known;
  }

  /**
   * The recording path's one read (docs/identity.md#recording-statements): the known contacts
   * with any of these external ids or emails (the identity read) and, in the same statement, the
   * events already recorded under any of these message ids (the duplicate read); and the active
   * journeys that trigger or exit on one of these track event types, each with what tells whether
   * it can start a run for the batch (see RECORDING_READ and JourneyEnrollment.plan).
   */
  async findForRecording(
    em: EntityManager,
    tenantId: string,
    externalIds: string[],
    emails: string[],
    messageIds: string[],
    eventTypes: string[],
  ): Promise<RecordingRead> {
    const known: RecordingRead['known'] = [];
    const earlier = new Map<string, EarlierEvent>();
    const journeys: ConcernedJourney[] = [];
    if (externalIds.length === 0 && emails.length === 0 && messageIds.length === 0) return { known, earlier, journeys };
    const rows = await hotQuery<{
      id: string | null;
      external_id: string | null;
      email: string | null;
      has_consent: boolean | null;
      updated_ms: number | null;
      alias_external_ids: string[] | null;
      alias_emails: string[] | null;
      message_id: string | null;
      contact_id: string | null;
      journey_id: string | null;
      journey_type: string | null;
      exits: boolean | null;
      max_age: number | null;
      event_where: unknown[] | null;
      once: boolean | null;
      contact_ok: boolean | null;
    }>(em, 'mara_recording_read', RECORDING_READ, [
      tenantId,
      arrayParam(externalIds),
      arrayParam(emails),
      arrayParam(messageIds),
      arrayParam(eventTypes),
    ]);
    for (const r of rows) {
      if (r.journey_id !== null) {
        journeys.push({
          id: r.journey_id,
          triggerEventType: r.journey_type!,
          exits: r.exits === true,
          maxEventAgeSeconds: r.max_age!,
          eventWhere: r.event_where,
          once: r.once === true,
          contactOk: r.contact_ok,
        });
      } else if (r.message_id !== null) earlier.set(r.message_id, { eventId: r.id!, contactId: r.contact_id });
      else {
        known.push({
          id: r.id!,
          externalId: r.external_id,
          email: r.email,
          hasConsent: r.has_consent!,
          updatedAt: new Date(r.updated_ms!),
          ...(r.alias_external_ids ? { aliasExternalIds: r.alias_external_ids } : {}),
          ...(r.alias_emails ? { aliasEmails: r.alias_emails } : {}),
        });
      }
    }
    return { known, earlier, journeys };
  }

  /**
   * Creates new contacts and applies changes to known ones, in one statement. A known contact
   * that was erased or merged away since it was read would be inserted again (its row is gone
   * when the conflict check, which waits for the erasing transaction, looks again): the
   * statement tells inserted rows from updated ones (`xmax = 0`), and such a row fails the
   * request with a ConcurrentChangeError, which rolls it back and has it resolved anew
   * (transactionWithRetry, docs/data-rights.md#concurrency). A recorded consent is never replaced: a withdrawn one stays withdrawn
   * (docs/data-rights.md#consent).
   */
  async upsert(em: EntityManager, tenantId: string, writes: ContactWrite[], at: Date): Promise<void> {
    if (writes.length === 0) return;
    const rows: Array<{ id: string; inserted: boolean }> = await em.query(`${contactUpsertSql('')} RETURNING id, xmax = 0 AS inserted`, [
      tenantId,
      ...contactWriteParams(writes),
      at,
    ]);
    const known = new Set(writes.flatMap((w) => (w.isNew ? [] : [w.id])));
    if (rows.some((r) => r.inserted && known.has(r.id))) {
      throw new ConcurrentChangeError('a contact this request read was erased or merged away meanwhile');
    }
  }

  /**
   * Writes a request's whole recording in one statement (docs/identity.md#recording-statements),
   * each step in the stable order the lock-order rule needs:
   * 1. the events, in message-id order, `ON CONFLICT (tenant_id, message_id) DO NOTHING`;
   * 2. the contact upsert (creations and changes), in contact-id order, after every event row;
   * 3. the connector activity (contact_connectors, see below), in contact-id order;
   * 4. the ingestion-health counters: one slot of the connector that no other transaction holds;
   * 5. an extension's rows, when one is given (journey enrollment, see WriteExtension).
   * The foreign keys of the events and connector rows are checked at the end of the statement,
   * when the contacts it creates exist. An event the insert skipped is one that another
   * transaction recorded after this request's duplicate read: the statement then fails with a
   * serialization failure (`mara_concurrent_duplicate()`), so nothing of the request is written,
   * and the request is recorded again from its read, where that op is found a duplicate.
   *
   * Connector activity: contacts already counted are left alone (no row lock, so concurrent
   * batches over the same contacts do not queue there); tracks show their activity through their
   * events, and identify ops, which write no event, refresh last_seen_at of the contacts they
   * projected onto (the rows this statement did not just add). A contact this process saw
   * committed with its connector row (`counted`) is not even looked up again: such a row goes
   * only with its contact (erased, or merged into another, which gets the row), and a contact id
   * never comes back.
   */
  async recordBatch(em: EntityManager, tenantId: string, batch: RecordingBatch, extended?: ExtendedWrite): Promise<void> {
    const { connector, writes, events, touched, projected, at, backfill } = batch;
    if (writes.length === 0 && events.length === 0 && touched.length === 0) return;
    const atText = at.toISOString();
    let counted = this.counted.get(connector);
    if (!counted) this.counted.set(connector, (counted = new BoundedSet<string>(COUNTED_CONTACTS)));
    const uncounted = touched.filter((id) => !counted.has(id));
    const [name, text] = extended ? this.extended(extended.extension) : ['mara_recording_write', RECORDING_WRITE];
    const [row] = await hotQuery<{ vanished: number } & Record<string, unknown>>(em, name, text, [
      tenantId,
      ...contactWriteParams(writes),
      at,
      connector,
      arrayParam(events.map((e) => e.id)),
      arrayParam(events.map((e) => e.contactId)),
      arrayParam(events.map((e) => e.type)),
      jsonArrayParam(events.map((e) => e.properties)),
      // Most events occurred at the request's arrival: its instant written once.
      arrayParam(events.map((e) => (e.occurredAt === at ? atText : e.occurredAt.toISOString()))),
      arrayParam(events.map((e) => e.messageId)),
      events.length,
      arrayParam(uncounted),
      arrayParam(projected),
      arrayParam(writes.flatMap((w) => (w.isNew ? [] : [w.id]))),
      backfill,
      ...(extended?.values ?? []),
    ]);
    if (row.vanished > 0) throw new ConcurrentChangeError('a contact this request read was erased or merged away meanwhile');
    afterCommit(em, () => {
      for (const id of uncounted) counted.add(id);
      extended?.committed?.(row);
    });
  }

  /** The recording write with an extension's CTEs: its prepared statement's name and text, built once. */
  private extended(extension: WriteExtension): [string, string] {
    let entry = this.extendedWrites.get(extension);
    if (!entry) {
      entry = [`mara_recording_write_${extension.name}`, recordingWriteSql(extension)];
      this.extendedWrites.set(extension, entry);
    }
    return entry;
  }

  /** A tenant's contacts, oldest first; `email` (lower-cased by the caller) and `externalId` filter exactly. */
  page(tenantId: string, filter: { email?: string; externalId?: string }, query: PageQueryDto): Promise<Page<Contact>> {
    const qb = this.dataSource.getRepository(Contact).createQueryBuilder('c').where('c.tenant_id = :tenantId', { tenantId });
    if (filter.email) qb.andWhere('c.email = :email', { email: filter.email });
    if (filter.externalId) qb.andWhere('c.external_id = :externalId', { externalId: filter.externalId });
    // The filters are part of the list a cursor belongs to.
    const scope = `contacts:${tenantId}:${JSON.stringify([filter.email ?? null, filter.externalId ?? null])}`;
    const spec = { scope, alias: 'c', column: 'created_at', order: 'ASC', at: (c: Contact) => c.createdAt, id: (c: Contact) => c.id } as const;
    return this.pages.page(qb, query, spec, (c) => c);
  }

  findById(tenantId: string, contactId: string): Promise<Contact | null> {
    return this.dataSource.getRepository(Contact).findOneBy({ tenantId, id: contactId });
  }

  /** How many of these external ids already have a contact (in the caller's transaction). */
  async countWithExternalIds(em: EntityManager, tenantId: string, externalIds: string[]): Promise<number> {
    if (externalIds.length === 0) return 0;
    const [row]: Array<{ n: number }> = await em.query(
      'SELECT count(*)::int AS n FROM contacts WHERE tenant_id = $1 AND external_id = ANY($2::text[])',
      [tenantId, externalIds],
    );
    return row.n;
  }

  /** The contact a journey email goes to, read in the step's transaction; null when there is none. */
  async findRecipient(em: EntityManager, tenantId: string, contactId: string): Promise<Recipient | null> {
    const [row]: Array<{
      name: string | null;
      email: string | null;
      attributes: Record<string, Scalar>;
      has_consent: boolean;
      unsubscribed: boolean;
      deactivated: boolean;
    }> = await em.query(
      `SELECT name, email, attributes, COALESCE(consent->>'status' = 'granted', false) AS has_consent,
              unsubscribed_at IS NOT NULL AS unsubscribed, deactivated_at IS NOT NULL AS deactivated
         FROM contacts WHERE tenant_id = $1 AND id = $2`,
      [tenantId, contactId],
    );
    if (!row) return null;
    return {
      name: row.name,
      email: row.email,
      attributes: row.attributes,
      hasConsent: row.has_consent,
      unsubscribed: row.unsubscribed,
      deactivated: row.deactivated,
    };
  }

  /**
   * Merges sanitized attributes into a contact (a journey's update_contact step), like identify
   * traits: keys given replace theirs, `null` included; other keys stay.
   */
  async mergeAttributes(em: EntityManager, tenantId: string, contactId: string, attributes: Record<string, Scalar>): Promise<void> {
    await em.query(
      `UPDATE contacts SET attributes = attributes || $3::jsonb, updated_at = now() WHERE tenant_id = $1 AND id = $2`,
      [tenantId, contactId, JSON.stringify(attributes)],
    );
  }

  /**
   * Marks the contact deactivated (its user was deleted at the provider): journey email to it is
   * blocked from then on. A repeat keeps the first time; `updated_at` moves either way.
   */
  async deactivate(em: EntityManager, tenantId: string, contactId: string, at: Date): Promise<void> {
    await em.query(
      'UPDATE contacts SET deactivated_at = COALESCE(deactivated_at, $3), updated_at = $3 WHERE tenant_id = $1 AND id = $2',
      [tenantId, contactId, at],
    );
  }

  /** Whether the contact has unsubscribed from journey email; null when there is no such contact. */
  async isUnsubscribed(tenantId: string, contactId: string): Promise<boolean | null> {
    const [row]: Array<{ unsubscribed: boolean }> = await this.dataSource.query(
      'SELECT unsubscribed_at IS NOT NULL AS unsubscribed FROM contacts WHERE tenant_id = $1 AND id = $2',
      [tenantId, contactId],
    );
    return row ? row.unsubscribed : null;
  }

  /**
   * Unsubscribes the contact from journey email; a repeat keeps the first time (and leaves
   * `updated_at` alone: nothing the admin API shows changes). False when there is no such contact.
   */
  async markUnsubscribed(tenantId: string, contactId: string): Promise<boolean> {
    const [, affected]: [unknown, number] = await this.dataSource.query(
      'UPDATE contacts SET unsubscribed_at = COALESCE(unsubscribed_at, now()) WHERE tenant_id = $1 AND id = $2',
      [tenantId, contactId],
    );
    return affected === 1;
  }

  /**
   * Locks contacts for an erasure or a merge (docs/data-rights.md), in id order, so that two such
   * requests over the same pair never wait on each other in a cycle; answers those that exist.
   */
  async lockForChange(em: EntityManager, tenantId: string, contactIds: string[]): Promise<Contact[]> {
    const rows: Array<Record<string, unknown>> = await em.query(
      `SELECT id, external_id, email FROM contacts WHERE tenant_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR UPDATE`,
      [tenantId, contactIds],
    );
    return rows.map((r) => Object.assign(new Contact(), { tenantId, id: r.id, externalId: r.external_id, email: r.email }));
  }

  /** Every identity a contact is known by: its own external id and email, and its aliases. */
  async identitiesOf(em: EntityManager, tenantId: string, contactId: string): Promise<Array<{ kind: 'external_id' | 'email'; value: string }>> {
    return em.query(
      `SELECT a.kind, a.value FROM contacts c, LATERAL (VALUES ('external_id', c.external_id), ('email', c.email)) AS a(kind, value)
        WHERE c.tenant_id = $1 AND c.id = $2 AND a.value IS NOT NULL
       UNION
       SELECT kind, value FROM contact_aliases WHERE tenant_id = $1 AND contact_id = $2`,
      [tenantId, contactId],
    );
  }

  /** Deletes the contact (its aliases and connector links go with it: foreign keys). */
  async remove(em: EntityManager, tenantId: string, contactId: string): Promise<void> {
    await em.query('DELETE FROM contact_connectors WHERE tenant_id = $1 AND contact_id = $2', [tenantId, contactId]);
    await em.query('DELETE FROM contact_aliases WHERE tenant_id = $1 AND contact_id = $2', [tenantId, contactId]);
    await em.query('DELETE FROM contacts WHERE tenant_id = $1 AND id = $2', [tenantId, contactId]);
  }

  /**
   * Sets lifecycle consent (the admin route, docs/data-rights.md#consent); false when there is no
   * such contact. Only this writes `withdrawn`, and only this grants consent again after it.
   */
  async setConsent(tenantId: string, contactId: string, consent: Consent, at: Date): Promise<boolean> {
    const [, affected]: [unknown, number] = await this.dataSource.query(
      'UPDATE contacts SET consent = $3::jsonb, updated_at = $4 WHERE tenant_id = $1 AND id = $2',
      [tenantId, contactId, JSON.stringify(consent), at],
    );
    return affected === 1;
  }

  /**
   * The contacts' side of a merge (docs/data-rights.md#merge-and-aliases), both rows locked by the
   * caller: `from`'s attributes merge into the survivor's (the survivor's values win), its name
   * fills a missing one; a withdrawn consent or an unsubscribe of either holds for the survivor;
   * `from`'s external id and email (and the aliases it held) become the survivor's aliases; its
   * connector links move. `from` itself is then deleted by `remove`.
   */
  async absorb(em: EntityManager, tenantId: string, survivorId: string, fromId: string, at: Date): Promise<void> {
    await em.query(
      `UPDATE contacts s SET
         attributes = f.attributes || s.attributes,
         name = COALESCE(s.name, f.name),
         consent = CASE WHEN f.consent->>'status' = 'withdrawn' AND COALESCE(s.consent->>'status', '') <> 'withdrawn' THEN f.consent
                        ELSE COALESCE(s.consent, f.consent) END,
         unsubscribed_at = COALESCE(s.unsubscribed_at, f.unsubscribed_at),
         updated_at = $4
         FROM contacts f
        WHERE s.tenant_id = $1 AND s.id = $2 AND f.tenant_id = $1 AND f.id = $3`,
      [tenantId, survivorId, fromId, at],
    );
    await em.query('UPDATE contact_aliases SET contact_id = $2 WHERE tenant_id = $1 AND contact_id = $3', [tenantId, survivorId, fromId]);
    await em.query(
      `INSERT INTO contact_aliases (tenant_id, kind, value, contact_id)
       SELECT $1, a.kind, a.value, $2
         FROM contacts f, LATERAL (VALUES ('external_id', f.external_id), ('email', f.email)) AS a(kind, value)
        WHERE f.tenant_id = $1 AND f.id = $3 AND a.value IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM contacts s WHERE s.tenant_id = $1 AND s.id = $2
                           AND a.value = CASE a.kind WHEN 'email' THEN s.email ELSE s.external_id END)
       ON CONFLICT (tenant_id, kind, value) DO UPDATE SET contact_id = EXCLUDED.contact_id`,
      [tenantId, survivorId, fromId],
    );
    // A connector the survivor had no link to yet counts one contact more (ingestion health); the
    // links of `from` are taken out of the counts by `uncount` before it is removed.
    await em.query(
      `WITH moved AS (
         INSERT INTO contact_connectors (tenant_id, connector, contact_id, first_seen_at, last_seen_at)
         SELECT tenant_id, connector, $2, first_seen_at, last_seen_at FROM contact_connectors
          WHERE tenant_id = $1 AND contact_id = $3 ORDER BY connector
         ON CONFLICT (tenant_id, connector, contact_id) DO UPDATE SET
           first_seen_at = LEAST(contact_connectors.first_seen_at, EXCLUDED.first_seen_at),
           last_seen_at = GREATEST(contact_connectors.last_seen_at, EXCLUDED.last_seen_at)
         RETURNING connector, xmax = 0 AS inserted
       )
       INSERT INTO ingestion_counters AS c (tenant_id, connector, slot, events, contacts)
       SELECT $1, connector, 0, 0, 1 FROM moved WHERE inserted ORDER BY connector
       ON CONFLICT (tenant_id, connector, slot) DO UPDATE SET contacts = c.contacts + EXCLUDED.contacts`,
      [tenantId, survivorId, fromId],
    );
  }

  /**
   * Takes a contact that is about to be erased or merged away out of the ingestion-health
   * counters (docs/operations.md#ingestion-health): one contact less for each connector it is
   * linked to and, with `withEvents` (an erasure, before its events are deleted), its events per
   * source. Written to slot 0, which every connector's counters sum over.
   */
  async uncount(em: EntityManager, tenantId: string, contactId: string, withEvents: boolean): Promise<void> {
    await em.query(
      `INSERT INTO ingestion_counters AS c (tenant_id, connector, slot, events, contacts)
       SELECT $1, d.connector, 0, -sum(d.events), -sum(d.contacts)
         FROM (SELECT connector, 0::bigint AS events, 1::bigint AS contacts FROM contact_connectors
                WHERE tenant_id = $1 AND contact_id = $2
               UNION ALL
               SELECT source, count(*), 0 FROM events WHERE $3 AND tenant_id = $1 AND contact_id = $2 GROUP BY source) d
        GROUP BY d.connector
        ORDER BY d.connector
       ON CONFLICT (tenant_id, connector, slot) DO UPDATE SET
         events = c.events + EXCLUDED.events, contacts = c.contacts + EXCLUDED.contacts`,
      [tenantId, contactId, withEvents],
    );
  }

  /**
   * Per connector: how many contacts it has delivered for, how many events, and its last
   * activity, summed over its counter slots (a few rows per connector, never the events).
   */
  async ingestionCounts(tenantId: string): Promise<ConnectorCounts[]> {
    const rows: Array<{ connector: string; contacts: number; events: number; last: Date | null }> = await this.dataSource.query(
      `SELECT connector, sum(contacts)::float8 AS contacts, sum(events)::float8 AS events, max(last_activity_at) AS last
         FROM ingestion_counters WHERE tenant_id = $1 GROUP BY connector`,
      [tenantId],
    );
    return rows.map((r) => ({ connector: r.connector, contacts: r.contacts, events: r.events, lastActivityAt: r.last }));
  }
}
