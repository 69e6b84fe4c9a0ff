import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { notFound } from '../common/errors.js';
import { mapPage, type Page, type PageQueryDto } from '../common/pagination.js';
import {
  type IngestionKeyView,
  type IntegrationsView,
  type TenantView,
  type WebhookEndpointView,
  type WebhookProvider,
  WEBHOOK_PROVIDERS,
} from './dto/tenant.dto.js';
import { generateIngestionKey } from './ingestion-key.js';
import { DEFAULT_RATE_LIMIT, RateLimitsRepository } from './rate-limits.repository.js';
import { decryptSecret, encryptSecret } from './secret-box.js';
import type { SecretKind } from './tenant-secret.entity.js';
import type { Tenant } from './tenant.entity.js';
import { TenantsRepository } from './tenants.repository.js';

@Injectable()
export class TenantsService {
  constructor(
    private readonly tenants: TenantsRepository,
    private readonly buckets: RateLimitsRepository,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  eventsUrl(tenantId: string): string {
    return `${this.config.publicBaseUrl}/api/tenants/${tenantId}/events`;
  }

  private view(t: Tenant): TenantView {
    return { id: t.id, name: t.name, createdAt: t.createdAt.toISOString(), eventsUrl: this.eventsUrl(t.id) };
  }

  async create(name: string): Promise<TenantView> {
    const tenant = await this.dataSource.transaction(async (em) => {
      const row = await this.tenants.insert(em, { id: randomUUID(), name, createdAt: new Date() });
      // A new tenant's bucket starts full.
      await this.buckets.open(em, row.id);
      return row;
    });
    return this.view(tenant);
  }

  async list(query: PageQueryDto): Promise<Page<TenantView>> {
    return mapPage(await this.tenants.page(query), (t) => this.view(t));
  }

  /** The tenant, or 404. `tenantId` is a UUID (TenantParams checks the path's). */
  async require(tenantId: string): Promise<Tenant> {
    const tenant = await this.tenants.findById(tenantId);
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
    await this.tenants.setIngestionKey(tenantId, { hash, keyPrefix, createdAt });
    return { key, keyPrefix, createdAt: createdAt.toISOString() };
  }

  async integrations(tenantId: string): Promise<IntegrationsView> {
    const tenant = await this.require(tenantId);
    const [kinds, rate] = await Promise.all([this.tenants.secretKinds(tenantId), this.buckets.findSettings(tenantId)]);
    const configured = new Set(kinds);
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
    await this.tenants.setSignupEventType(tenantId, eventType, em);
  }

  async setSecret(tenantId: string, kind: SecretKind, secret: string): Promise<void> {
    await this.require(tenantId);
    const ciphertext = encryptSecret(this.config.secretsKey, secret, `${tenantId}:${kind}`);
    await this.tenants.upsertSecret(tenantId, kind, ciphertext);
  }

  async deleteSecret(tenantId: string, kind: SecretKind): Promise<void> {
    await this.require(tenantId);
    await this.tenants.deleteSecret(tenantId, kind);
  }

  /** The decrypted secret, or null when none is configured. Never leaves the server. */
  async readSecret(tenantId: string, kind: SecretKind): Promise<string | null> {
    const ciphertext = await this.tenants.findSecret(tenantId, kind);
    return ciphertext === null ? null : decryptSecret(this.config.secretsKey, ciphertext, `${tenantId}:${kind}`);
  }

  /**
   * A webhook signing secret: undefined when the tenant does not exist, null when it has none.
   * One statement, so a delivery for an unknown tenant costs no more than one for a known one.
   */
  async readWebhookSecretIfTenant(tenantId: string, kind: SecretKind): Promise<string | null | undefined> {
    const stored = await this.tenants.findSecretIfTenant(tenantId, kind);
    return stored === null || stored === undefined ? stored : decryptSecret(this.config.secretsKey, stored, `${tenantId}:${kind}`);
  }

  /** New settings; the current tokens are capped at the new burst. */
  async setRateLimit(tenantId: string, requestsPerHour: number, burst: number): Promise<IntegrationsView['rateLimit']> {
    await this.require(tenantId);
    await this.buckets.configure(tenantId, { requestsPerHour, burst });
    return { requestsPerHour, burst };
  }
}
