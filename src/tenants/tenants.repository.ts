import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type Page, type PageQueryDto, Paginator } from '../common/pagination.js';
import type { SecretKind } from './tenant-secret.entity.js';
import { Tenant } from './tenant.entity.js';

/** A tenant's current ingestion key, as stored: its hash, never the key. */
export interface StoredIngestionKey {
  hash: string;
  keyPrefix: string;
  createdAt: Date;
}

/**
 * The tenant aggregate: `tenants` and the provider secrets that belong to a tenant
 * (`tenant_secrets`, stored encrypted: this repository only moves ciphertext). The only code that
 * reads or writes those two tables. Ids are uuids; callers check their shape first.
 */
@Injectable()
export class TenantsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly pages: Paginator,
  ) {}

  /** `em`: the caller's transaction (a tenant and its rate-limit bucket are created together). */
  async insert(em: EntityManager, tenant: Pick<Tenant, 'id' | 'name' | 'createdAt'>): Promise<Tenant> {
    const row = em.create(Tenant, tenant);
    await em.insert(Tenant, row);
    return row;
  }

  /** Every tenant, oldest first. */
  page(query: PageQueryDto): Promise<Page<Tenant>> {
    const qb = this.dataSource.getRepository(Tenant).createQueryBuilder('t');
    const spec = { scope: 'tenants', alias: 't', column: 'created_at', order: 'ASC', at: (t: Tenant) => t.createdAt, id: (t: Tenant) => t.id } as const;
    return this.pages.page(qb, query, spec, (t) => t);
  }

  findById(tenantId: string): Promise<Tenant | null> {
    return this.dataSource.getRepository(Tenant).findOneBy({ id: tenantId });
  }

  /**
   * The hash of the tenant's ingestion key: undefined when there is no such tenant, null when it
   * has no key yet. One statement, read on every keyed request (no cache: a rotation takes effect
   * at once on every instance).
   */
  async findIngestionKeyHash(tenantId: string): Promise<string | null | undefined> {
    const rows: Array<{ hash: string | null }> = await this.dataSource.query(
      'SELECT ingestion_key_hash AS hash FROM tenants WHERE id = $1',
      [tenantId],
    );
    return rows.length === 0 ? undefined : rows[0].hash;
  }

  /** The id of the tenant whose current ingestion key has this hash, else null (the hash is unique). */
  async findByKeyHash(hash: string): Promise<string | null> {
    const rows: Array<{ id: string }> = await this.dataSource.query('SELECT id FROM tenants WHERE ingestion_key_hash = $1', [hash]);
    return rows[0]?.id ?? null;
  }

  /** Replaces the tenant's key: the previous one stops working with this statement. */
  async setIngestionKey(tenantId: string, key: StoredIngestionKey): Promise<void> {
    await this.dataSource
      .getRepository(Tenant)
      .update({ id: tenantId }, { ingestionKeyHash: key.hash, ingestionKeyPrefix: key.keyPrefix, ingestionKeyCreatedAt: key.createdAt });
  }

  /** `em`: the caller's transaction (the journeys module seeds a welcome journey in the same one). */
  async setSignupEventType(tenantId: string, eventType: string, em: EntityManager = this.dataSource.manager): Promise<void> {
    await em.getRepository(Tenant).update({ id: tenantId }, { signupEventType: eventType });
  }

  /** Which secrets the tenant has configured (never their values). */
  async secretKinds(tenantId: string): Promise<SecretKind[]> {
    const rows: Array<{ kind: SecretKind }> = await this.dataSource.query('SELECT kind FROM tenant_secrets WHERE tenant_id = $1', [tenantId]);
    return rows.map((r) => r.kind);
  }

  /** Stores (or replaces) an encrypted secret. */
  async upsertSecret(tenantId: string, kind: SecretKind, ciphertext: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO tenant_secrets (tenant_id, kind, ciphertext, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (tenant_id, kind) DO UPDATE SET ciphertext = EXCLUDED.ciphertext, updated_at = EXCLUDED.updated_at`,
      [tenantId, kind, ciphertext],
    );
  }

  async deleteSecret(tenantId: string, kind: SecretKind): Promise<void> {
    await this.dataSource.query('DELETE FROM tenant_secrets WHERE tenant_id = $1 AND kind = $2', [tenantId, kind]);
  }

  /** The ciphertext of a secret, or null when none is configured. */
  async findSecret(tenantId: string, kind: SecretKind): Promise<string | null> {
    const rows: Array<{ ciphertext: string }> = await this.dataSource.query(
      'SELECT ciphertext FROM tenant_secrets WHERE tenant_id = $1 AND kind = $2',
      [tenantId, kind],
    );
    return rows[0]?.ciphertext ?? null;
  }

  /**
   * The ciphertext of a secret: undefined when the tenant does not exist, null when it has none.
   * One statement, so a webhook delivery for an unknown tenant costs no more than one for a known one.
   */
  async findSecretIfTenant(tenantId: string, kind: SecretKind): Promise<string | null | undefined> {
    const rows: Array<{ ciphertext: string | null }> = await this.dataSource.query(
      `SELECT s.ciphertext FROM tenants t
         LEFT JOIN tenant_secrets s ON s.tenant_id = t.id AND s.kind = $2
        WHERE t.id = $1`,
      [tenantId, kind],
    );
    return rows.length === 0 ? undefined : rows[0].ciphertext;
  }
}
