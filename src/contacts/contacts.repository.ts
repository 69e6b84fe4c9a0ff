import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { type Page, type PageQueryDto, Paginator } from '../common/pagination.js';
import { ConcurrentChangeError } from '../common/transaction-retry.js';
import type { Connector, Scalar } from '../common/vocabulary.js';
import { type Consent, Contact } from './contact.entity.js';
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

/** Per-connector contact counts (ingestion health). */
export interface ConnectorContacts {
  connector: string;
  contacts: number;
  lastSeenAt: Date | null;
}

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
    if (externalIds.length === 0 && emails.length === 0) return [];
    const rows: Array<{
      id: string;
      external_id: string | null;
      email: string | null;
      has_consent: boolean;
      updated_at: Date;
      alias_external_ids: string[] | null;
      alias_emails: string[] | null;
    }> = await em.query(
      `WITH hits AS (
         SELECT id FROM contacts
          WHERE tenant_id = $1 AND (external_id = ANY($2::text[]) OR email = ANY($3::text[]))
         UNION
         SELECT contact_id FROM contact_aliases
          WHERE tenant_id = $1 AND ((kind = 'external_id' AND value = ANY($2::text[])) OR (kind = 'email' AND value = ANY($3::text[])))
       )
       SELECT c.id, c.external_id, c.email, c.consent IS NOT NULL AS has_consent, c.updated_at,
              a.external_ids AS alias_external_ids, a.emails AS alias_emails
         FROM hits JOIN contacts c ON c.tenant_id = $1 AND c.id = hits.id
         LEFT JOIN LATERAL (
           SELECT array_agg(x.value) FILTER (WHERE x.kind = 'external_id') AS external_ids,
                  array_agg(x.value) FILTER (WHERE x.kind = 'email') AS emails
             FROM contact_aliases x
            WHERE x.tenant_id = $1 AND x.contact_id = c.id
              AND ((x.kind = 'external_id' AND x.value = ANY($2::text[])) OR (x.kind = 'email' AND x.value = ANY($3::text[])))
         ) a ON true`,
      [tenantId, externalIds, emails],
    );
    return rows.map((r) => ({
      id: r.id,
      externalId: r.external_id,
      email: r.email,
      hasConsent: r.has_consent,
      updatedAt: r.updated_at,
      ...(r.alias_external_ids ? { aliasExternalIds: r.alias_external_ids } : {}),
      ...(r.alias_emails ? { aliasEmails: r.alias_emails } : {}),
    }));
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
    const rows: Array<{ id: string; inserted: boolean }> = await em.query(
      `INSERT INTO contacts AS c (tenant_id, id, external_id, email, name, attributes, consent, created_at, updated_at)
       SELECT $1, u.id, u.external_id, u.email, u.name, u.attributes::jsonb, u.consent::jsonb, $8, $8
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
              AS u(id, external_id, email, name, attributes, consent)
        ORDER BY u.id
       ON CONFLICT (tenant_id, id) DO UPDATE SET
         external_id = COALESCE(EXCLUDED.external_id, c.external_id),
         email = COALESCE(EXCLUDED.email, c.email),
         name = COALESCE(EXCLUDED.name, c.name),
         attributes = c.attributes || EXCLUDED.attributes,
         consent = CASE WHEN c.consent->>'status' = 'withdrawn' THEN c.consent ELSE COALESCE(c.consent, EXCLUDED.consent) END,
         updated_at = EXCLUDED.updated_at
       RETURNING id, xmax = 0 AS inserted`,
      [
        tenantId,
        writes.map((w) => w.id),
        writes.map((w) => w.externalId),
        writes.map((w) => w.email),
        writes.map((w) => w.name),
        writes.map((w) => JSON.stringify(w.attributes)),
        writes.map((w) => (w.consent ? JSON.stringify(w.consent) : null)),
        at,
      ],
    );
    const known = new Set(writes.flatMap((w) => (w.isNew ? [] : [w.id])));
    if (rows.some((r) => r.inserted && known.has(r.id))) {
      throw new ConcurrentChangeError('a contact this request read was erased or merged away meanwhile');
    }
  }

  /**
   * Records which connector touched which contacts (ingestion-health counts). Contacts already
   * counted are left alone (no row lock, so concurrent batches over the same contacts do not
   * queue here); tracks show their activity through their events' received_at, and identify
   * ops, which write no event, refresh last_seen_at of the contacts they projected onto.
   * Two statements, each in contact-id order: the first adds every missing row, the second
   * refreshes the projected contacts' rows that the first did not just add. (A single statement
   * would lock every touched row; two statements that each took only their own subset could lock
   * rows out of order across the pair.)
   */
  async touchConnector(
    em: EntityManager,
    tenantId: string,
    connector: Connector,
    contactIds: string[],
    refreshed: string[],
    at: Date,
  ): Promise<void> {
    if (contactIds.length === 0) return;
    const added: Array<{ contact_id: string }> = await em.query(
      `INSERT INTO contact_connectors (tenant_id, connector, contact_id, first_seen_at, last_seen_at)
       SELECT $1, $2, u.id, $4, $4 FROM unnest($3::uuid[]) AS u(id) ORDER BY u.id
       ON CONFLICT (tenant_id, connector, contact_id) DO NOTHING
       RETURNING contact_id`,
      [tenantId, connector, contactIds, at],
    );
    const fresh = new Set(added.map((r) => r.contact_id));
    const refresh = refreshed.filter((id) => !fresh.has(id));
    if (refresh.length > 0) {
      await em.query(
        `INSERT INTO contact_connectors (tenant_id, connector, contact_id, first_seen_at, last_seen_at)
         SELECT $1, $2, u.id, $4, $4 FROM unnest($3::uuid[]) AS u(id) ORDER BY u.id
         ON CONFLICT (tenant_id, connector, contact_id) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at`,
        [tenantId, connector, refresh, at],
      );
    }
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
    await em.query(
      `INSERT INTO contact_connectors (tenant_id, connector, contact_id, first_seen_at, last_seen_at)
       SELECT tenant_id, connector, $2, first_seen_at, last_seen_at FROM contact_connectors
        WHERE tenant_id = $1 AND contact_id = $3 ORDER BY connector
       ON CONFLICT (tenant_id, connector, contact_id) DO UPDATE SET
         first_seen_at = LEAST(contact_connectors.first_seen_at, EXCLUDED.first_seen_at),
         last_seen_at = GREATEST(contact_connectors.last_seen_at, EXCLUDED.last_seen_at)`,
      [tenantId, survivorId, fromId],
    );
  }

  /** Per connector: how many contacts it has delivered for, and when it last touched one. */
  async connectorContacts(tenantId: string): Promise<ConnectorContacts[]> {
    const rows: Array<{ connector: string; n: number; last: Date | null }> = await this.dataSource.query(
      `SELECT connector, count(*)::int AS n, max(last_seen_at) AS last
         FROM contact_connectors WHERE tenant_id = $1 GROUP BY connector`,
      [tenantId],
    );
    return rows.map((r) => ({ connector: r.connector, contacts: r.n, lastSeenAt: r.last }));
  }
}
