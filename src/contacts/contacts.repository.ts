import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { type Page, type PageQueryDto, Paginator } from '../common/pagination.js';
import type { Connector, Scalar } from '../common/vocabulary.js';
import { Contact } from './contact.entity.js';
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

  async findByIdentities(em: EntityManager, tenantId: string, externalIds: string[], emails: string[]): Promise<KnownContact[]> {
    if (externalIds.length === 0 && emails.length === 0) return [];
    const rows: Array<{ id: string; external_id: string | null; email: string | null; has_consent: boolean; updated_at: Date }> =
      await em.query(
        `SELECT id, external_id, email, consent IS NOT NULL AS has_consent, updated_at
           FROM contacts
          WHERE tenant_id = $1 AND (external_id = ANY($2::text[]) OR email = ANY($3::text[]))`,
        [tenantId, externalIds, emails],
      );
    return rows.map((r) => ({
      id: r.id,
      externalId: r.external_id,
      email: r.email,
      hasConsent: r.has_consent,
      updatedAt: r.updated_at,
    }));
  }

  /** Creates new contacts and applies changes to known ones, in one statement. */
  async upsert(em: EntityManager, tenantId: string, writes: ContactWrite[], at: Date): Promise<void> {
    if (writes.length === 0) return;
    await em.query(
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
         consent = COALESCE(c.consent, EXCLUDED.consent),
         updated_at = EXCLUDED.updated_at`,
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
      `SELECT name, email, attributes, consent IS NOT NULL AS has_consent,
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
