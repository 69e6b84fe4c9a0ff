import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** The contact a provider customer is linked to, as identities to resolve it by. */
export interface LinkedContact {
  externalId: string | null;
  email: string | null;
}

/**
 * `provider_customers`: provider customer ids (Stripe `cus_…`, Polar's customer id) linked to
 * the contact they belong to (docs/webhooks.md, "Contact resolution").
 */
@Injectable()
export class ProviderCustomersRepository {
  /** The identities of the contact `customerId` is linked to (read with the contact), or null. */
  async linkedContact(em: EntityManager, tenantId: string, provider: string, customerId: string): Promise<LinkedContact | null> {
    const rows: Array<{ external_id: string | null; email: string | null }> = await em.query(
      `SELECT c.external_id, c.email FROM provider_customers pc
         JOIN contacts c ON c.tenant_id = pc.tenant_id AND c.id = pc.contact_id
        WHERE pc.tenant_id = $1 AND pc.provider = $2 AND pc.customer_id = $3`,
      [tenantId, provider, customerId],
    );
    return rows.length ? { externalId: rows[0].external_id, email: rows[0].email } : null;
  }

  /** Links a customer to a contact; a customer belongs to the contact it was first linked to. */
  async link(em: EntityManager, tenantId: string, provider: string, customerId: string, contactId: string, at: Date): Promise<void> {
    await em.query(
      `INSERT INTO provider_customers (tenant_id, provider, customer_id, contact_id, linked_at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, provider, customer_id) DO NOTHING`,
      [tenantId, provider, customerId, contactId, at],
    );
  }
  /** A merge (docs/data-rights.md#merge-and-aliases): `fromId`'s customers belong to the survivor from now on. */
  async moveContact(em: EntityManager, tenantId: string, fromId: string, toId: string): Promise<void> {
    await em.query('UPDATE provider_customers SET contact_id = $3 WHERE tenant_id = $1 AND contact_id = $2', [tenantId, fromId, toId]);
  }

  /** An erasure (docs/data-rights.md#erase): the contact's customer links go. */
  async removeOfContact(em: EntityManager, tenantId: string, contactId: string): Promise<void> {
    await em.query('DELETE FROM provider_customers WHERE tenant_id = $1 AND contact_id = $2', [tenantId, contactId]);
  }
}
