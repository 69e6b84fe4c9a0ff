import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager, Repository } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { notFound } from '../common/errors.js';
import { type Page, type PageQueryDto, Paginator } from '../common/pagination.js';
import {
  type IngestionKeyView,
  type IntegrationsView,
  type TenantView,
  type WebhookEndpointView,
  type WebhookProvider,
  WEBHOOK_PROVIDERS,
} from './dto/tenant.dto.js';
import { generateIngestionKey } from './ingestion-key.js';
import { TenantRateLimit } from './rate-limit.entity.js';
import { decryptSecret, encryptSecret } from './secret-box.js';
import { type SecretKind, TenantSecret } from './tenant-secret.entity.js';
import { Tenant } from './tenant.entity.js';

export const DEFAULT_RATE_LIMIT = { requestsPerHour: 600, burst: 600 };

@Injectable()
export class TenantsService {
  constructor(
    @InjectRepository(Tenant) private readonly tenants: Repository<Tenant>,
    @InjectRepository(TenantSecret) private readonly secrets: Repository<TenantSecret>,
    @InjectRepository(TenantRateLimit) private readonly rateLimits: Repository<TenantRateLimit>,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly pages: Paginator,
  ) {}

  eventsUrl(tenantId: string): string {
    return `${this.config.publicBaseUrl}/api/tenants/${tenantId}/events`;
  }

  private view(t: Tenant): TenantView {
    return { id: t.id, name: t.name, createdAt: t.createdAt.toISOString(), eventsUrl: this.eventsUrl(t.id) };
  }

  async create(name: string): Promise<TenantView> {
    const tenant = await this.dataSource.transaction(async (em) => {
      const row = em.create(Tenant, { id: randomUUID(), name, createdAt: new Date() });
      await em.insert(Tenant, row);
      // A new tenant's bucket starts full.
      await em.insert(TenantRateLimit, {
        tenantId: row.id,
        ...DEFAULT_RATE_LIMIT,
        tokens: DEFAULT_RATE_LIMIT.burst,
        updatedAt: new Date(),
      });
      return row;
    });
    return this.view(tenant);
  }

  async list(query: PageQueryDto): Promise<Page<TenantView>> {
    const spec = { scope: 'tenants', alias: 't', column: 'created_at', order: 'ASC', at: (t: Tenant) => t.createdAt, id: (t: Tenant) => t.id } as const;
    return this.pages.page(this.tenants.createQueryBuilder('t'), query, spec, (t) => this.view(t));
  }

  /** The tenant, or 404. `tenantId` is a UUID (TenantParams checks the path's). */
  async require(tenantId: string): Promise<Tenant> {
    const tenant = await this.tenants.findOneBy({ id: tenantId });
    if (!tenant) throw notFound('tenant');
    return tenant;
  }

  async get(tenantId: string): Promise<TenantView> {
    return this.view(await this.require(tenantId));
  }

  /** Generates a key; the previous one stops working with this commit, on every instance. */
  async generateIngestionKey(tenantId: string): Promise<IngestionKeyView> {
    await this.require(tenantId);
    const { key, hash, keyPrefix } = generateIngestionKey();
    const createdAt = new Date();
    await this.tenants.update(
      { id: tenantId },
      { ingestionKeyHash: hash, ingestionKeyPrefix: keyPrefix, ingestionKeyCreatedAt: createdAt },
    );
    return { key, keyPrefix, createdAt: createdAt.toISOString() };
  }

  async integrations(tenantId: string): Promise<IntegrationsView> {
    const tenant = await this.require(tenantId);
    const [secrets, rate] = await Promise.all([
      this.secrets.find({ where: { tenantId }, select: { kind: true } }),
      this.rateLimits.findOneBy({ tenantId }),
    ]);
    const configured = new Set(secrets.map((s) => s.kind));
    const webhooks = Object.fromEntries(
      WEBHOOK_PROVIDERS.map((p) => [
        p,
        { webhookUrl: `${this.config.publicBaseUrl}/api/webhooks/${p}/${tenantId}`, secretConfigured: configured.has(p) },
      ]),
    ) as Record<WebhookProvider, WebhookEndpointView>;
    return {
      eventsUrl: this.eventsUrl(tenantId),
      ingestionKey: {
        configured: tenant.ingestionKeyHash !== null,
        keyPrefix: tenant.ingestionKeyPrefix,
        createdAt: tenant.ingestionKeyCreatedAt?.toISOString() ?? null,
      },
      signupEventType: tenant.signupEventType,
      webhooks,
      clerkBackendApiKeyConfigured: configured.has('clerk_backend_api'),
      rateLimit: {
        requestsPerHour: rate?.requestsPerHour ?? DEFAULT_RATE_LIMIT.requestsPerHour,
        burst: rate?.burst ?? DEFAULT_RATE_LIMIT.burst,
      },
    };
  }

  /** `em`: the caller's transaction (the journeys module seeds a welcome journey in the same one). */
  async setSignupEventType(tenantId: string, eventType: string, em?: EntityManager): Promise<void> {
    await this.require(tenantId);
    await (em ? em.getRepository(Tenant) : this.tenants).update({ id: tenantId }, { signupEventType: eventType });
  }

  async setSecret(tenantId: string, kind: SecretKind, secret: string): Promise<void> {
    await this.require(tenantId);
    const ciphertext = encryptSecret(this.config.secretsKey, secret, `${tenantId}:${kind}`);
    await this.secrets.upsert({ tenantId, kind, ciphertext, updatedAt: new Date() }, ['tenantId', 'kind']);
  }

  async deleteSecret(tenantId: string, kind: SecretKind): Promise<void> {
    await this.require(tenantId);
    await this.secrets.delete({ tenantId, kind });
  }

  /** The decrypted secret, or null when none is configured. Never leaves the server. */
  async readSecret(tenantId: string, kind: SecretKind): Promise<string | null> {
    const row = await this.secrets.findOneBy({ tenantId, kind });
    return row ? decryptSecret(this.config.secretsKey, row.ciphertext, `${tenantId}:${kind}`) : null;
  }

  /**
   * A webhook signing secret: undefined when the tenant does not exist, null when it has none.
   * One statement, so a delivery for an unknown tenant costs no more than one for a known one.
   */
  async readWebhookSecretIfTenant(tenantId: string, kind: SecretKind): Promise<string | null | undefined> {
    const rows: Array<{ ciphertext: string | null }> = await this.dataSource.query(
      `SELECT s.ciphertext FROM tenants t
         LEFT JOIN tenant_secrets s ON s.tenant_id = t.id AND s.kind = $2
        WHERE t.id = $1`,
      [tenantId, kind],
    );
    if (rows.length === 0) return undefined;
    const stored = rows[0].ciphertext;
    return stored === null ? null : decryptSecret(this.config.secretsKey, stored, `${tenantId}:${kind}`);
  }

  /** New settings; the current tokens are capped at the new burst. */
  async setRateLimit(tenantId: string, requestsPerHour: number, burst: number): Promise<IntegrationsView['rateLimit']> {
    await this.require(tenantId);
    await this.dataSource.query(
      `INSERT INTO tenant_rate_limits (tenant_id, requests_per_hour, burst, tokens, updated_at)
       VALUES ($1, $2::int, $3::int, $3::int, now())
       ON CONFLICT (tenant_id) DO UPDATE SET
         tokens = LEAST($3::int::float8, tenant_rate_limits.tokens
                  + GREATEST(0, EXTRACT(EPOCH FROM clock_timestamp() - tenant_rate_limits.updated_at)::float8)
                    * tenant_rate_limits.requests_per_hour / 3600.0),
         requests_per_hour = $2::int, burst = $3::int, updated_at = clock_timestamp()`,
      [tenantId, requestsPerHour, burst],
    );
    return { requestsPerHour, burst };
  }
}
