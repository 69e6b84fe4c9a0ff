import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { notFound } from '../common/errors.js';
import { mapPage, type Page, type PageQueryDto } from '../common/pagination.js';
import { keyedHash, tenantKey } from '../common/secrets.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { TenantsService } from '../tenants/tenants.service.js';
import type { SuppressionView } from './dto/data-rights.dto.js';
import { SuppressionsRepository } from './suppressions.repository.js';

/** How an address is compared: trimmed and lower-cased, as intake stores emails. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

/**
 * The suppression list (docs/data-rights.md#suppressions). An address is kept as
 * HMAC-SHA256(normalized address) under a key derived from SECRETS_KEY and the tenant id, so two
 * tenants' lists share no value and a leaked list cannot be reversed without SECRETS_KEY.
 */
@Injectable()
export class SuppressionsService {
  private readonly keys = new Map<string, Buffer>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: SuppressionsRepository,
    private readonly tenants: TenantsService,
  ) {}

  hash(tenantId: string, email: string): string {
    let key = this.keys.get(tenantId);
    if (!key) {
      key = tenantKey(this.config.secretsKey, 'suppression-list:v1', tenantId);
      if (this.keys.size > 10_000) this.keys.clear();
      this.keys.set(tenantId, key);
    }
    return keyedHash(key, normalizeEmail(email));
  }

  /** Suppresses these addresses in the caller's transaction (an erasure). */
  async suppress(em: EntityManager, tenantId: string, emails: string[], reason: string | null): Promise<void> {
    await this.repo.add(em, tenantId, emails.map((e) => this.hash(tenantId, e)), reason);
  }

  /** Whether journey email to this address is blocked (read in the send step's transaction). */
  isSuppressed(em: EntityManager, tenantId: string, email: string): Promise<boolean> {
    return this.repo.has(em, tenantId, this.hash(tenantId, email));
  }

  async list(tenantId: string, query: PageQueryDto): Promise<Page<SuppressionView>> {
    await this.tenants.require(tenantId);
    return mapPage(await this.repo.page(tenantId, query), (s) => ({
      emailHash: s.emailHash,
      reason: s.reason,
      createdAt: s.createdAt.toISOString(),
    }));
  }

  async add(tenantId: string, email: string, reason: string | null): Promise<SuppressionView> {
    await this.tenants.require(tenantId);
    const emailHash = this.hash(tenantId, email);
    const row = await this.dataSource.transaction(async (em) => {
      await this.repo.add(em, tenantId, [emailHash], reason);
      return this.repo.find(em, tenantId, emailHash);
    });
    return { emailHash, reason: row!.reason, createdAt: row!.createdAt.toISOString() };
  }

  async lift(tenantId: string, email: string): Promise<void> {
    await this.tenants.require(tenantId);
    if (!(await this.repo.remove(tenantId, this.hash(tenantId, email)))) throw notFound('suppression');
  }
}
