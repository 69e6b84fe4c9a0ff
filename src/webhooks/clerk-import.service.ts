import { createClerkClient } from '@clerk/backend';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { Repository } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { AppError, notFound } from '../common/errors.js';
import { isUuid } from '../common/ids.js';
import { loggableError, PINO_LOGGER } from '../common/logger.js';
import { EventRecorder } from '../ingestion/recording/event-recorder.service.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { ClerkAdapter } from './adapters/clerk.adapter.js';
import type { ClerkImportView } from './dto/webhook.dto.js';
import { ClerkImport } from './webhook.entities.js';
import { chooseIdentity, deliveryOps } from './webhook-ops.js';

const PAGE_SIZE = 100;

/**
 * Backfills a tenant's existing Clerk users as contacts, paging through Clerk's users list with
 * @clerk/backend. Each user goes through the same mapping as a `user.updated` webhook and the one
 * recording path, so importing twice creates nothing new. Runs in the background of the process
 * that started it; its progress is kept in `clerk_imports`.
 */
@Injectable()
export class ClerkImportService implements OnModuleDestroy {
  private readonly adapter = new ClerkAdapter();
  private readonly running = new Set<Promise<void>>();

  constructor(
    @InjectRepository(ClerkImport) private readonly imports: Repository<ClerkImport>,
    private readonly tenants: TenantsService,
    private readonly recorder: EventRecorder,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleDestroy(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  private view(row: ClerkImport): ClerkImportView {
    return {
      id: row.id,
      status: row.status,
      pages: row.pages,
      usersSeen: row.usersSeen,
      contactsCreated: row.contactsCreated,
      error: row.error,
      startedAt: row.startedAt.toISOString(),
      finishedAt: row.finishedAt?.toISOString() ?? null,
    };
  }

  async setApiKey(tenantId: string, secret: string): Promise<void> {
    await this.tenants.setSecret(tenantId, 'clerk_backend_api', secret);
  }

  async deleteApiKey(tenantId: string): Promise<void> {
    await this.tenants.deleteSecret(tenantId, 'clerk_backend_api');
  }

  async start(tenantId: string): Promise<ClerkImportView> {
    await this.tenants.require(tenantId);
    const secretKey = await this.tenants.readSecret(tenantId, 'clerk_backend_api');
    if (!secretKey) throw new AppError('bad_request', 'clerk backend API key: not configured for this tenant');
    const row = this.imports.create({
      tenantId,
      id: randomUUID(),
      status: 'running',
      pages: 0,
      usersSeen: 0,
      contactsCreated: 0,
      error: null,
      startedAt: new Date(),
      finishedAt: null,
    });
    await this.imports.insert(row);
    const run = this.run(row, secretKey).finally(() => this.running.delete(run));
    this.running.add(run);
    return this.view(row);
  }

  async get(tenantId: string, importId: string): Promise<ClerkImportView> {
    const row = isUuid(importId) && isUuid(tenantId) ? await this.imports.findOneBy({ tenantId, id: importId }) : null;
    if (!row) throw notFound('import');
    return this.view(row);
  }

  private async run(row: ClerkImport, secretKey: string): Promise<void> {
    const clerk = createClerkClient({ secretKey, apiUrl: this.config.clerkApiUrl });
    try {
      for (let offset = 0; ; offset += PAGE_SIZE) {
        const page = await clerk.users.getUserList({ limit: PAGE_SIZE, offset, orderBy: '+created_at' });
        if (page.data.length === 0) break;
        row.contactsCreated += await this.importPage(row.tenantId, page.data.flatMap((u) => (u.raw ? [u.raw as unknown as Record<string, unknown>] : [])));
        row.pages += 1;
        row.usersSeen += page.data.length;
        await this.imports.update({ tenantId: row.tenantId, id: row.id }, { pages: row.pages, usersSeen: row.usersSeen, contactsCreated: row.contactsCreated });
        if (page.data.length < PAGE_SIZE) break;
      }
      await this.imports.update({ tenantId: row.tenantId, id: row.id }, { status: 'completed', finishedAt: new Date() });
    } catch (err) {
      this.logger.error({ err: loggableError(err), importId: row.id, tenantId: row.tenantId }, 'clerk import failed');
      const message = err instanceof Error ? err.message.slice(0, 500) : 'unknown error';
      await this.imports.update({ tenantId: row.tenantId, id: row.id }, { status: 'failed', error: message, finishedAt: new Date() });
    }
  }

  /** Records one page of users; answers how many contacts it created. */
  private async importPage(tenantId: string, users: Array<Record<string, unknown>>): Promise<number> {
    const ops = users.flatMap((user) => {
      const normalized = this.adapter.normalize({ type: 'user.updated', data: user }, new Map());
      if (normalized.outcome !== 'ok') return [];
      const identity = chooseIdentity(normalized.identity, null);
      return deliveryOps(normalized, identity, '', normalized.identity.email);
    });
    const ids = ops.flatMap((op) => (op.externalId ? [op.externalId] : []));
    const existing: Array<{ n: number }> = await this.imports.query(
      'SELECT count(*)::int AS n FROM contacts WHERE tenant_id = $1 AND external_id = ANY($2::text[])',
      [tenantId, ids],
    );
    await this.recorder.record(tenantId, 'clerk', ops);
    return ids.length - existing[0].n;
  }
}
