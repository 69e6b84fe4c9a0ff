import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Connector } from '../common/vocabulary.js';
import type { ContactWrite, KnownContact } from './identity-resolution.js';

/** A 64-bit advisory-lock key for one identity (or message id) of one tenant. */
export function lockKey(tenantId: string, kind: string, value: string): bigint {
  return createHash('sha256').update(`${tenantId}\u0001${kind}\u0001${value}`).digest().readBigInt64BE(0);
}

/**
 * Set-based statements on contacts: one statement per step for a whole batch, whatever its size.
 * Every method takes the caller's EntityManager so that a request is one transaction.
 *
 * Lock order: every statement that writes several rows writes them sorted by contact id (an
 * `ORDER BY` in the statement), and a request writes contacts before the rows that hang off them
 * (events, journey runs, connector activity). Two requests over the same contacts, whatever the
 * order of their ops, then take their row locks in the same order and never deadlock.
 */
@Injectable()
export class ContactsRepository {
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
}
