import { createClerkClient } from '@clerk/backend';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ClerkImportError, ClerkImportErrorCode } from './clerk-import.errors.js';
import { loggableError, PINO_LOGGER } from '../common/logger.js';
import { ContactsRepository } from '../contacts/contacts.repository.js';
import { EventRecorder } from '../ingestion/recording/event-recorder.service.js';
import { deadLetterOf, givenUpReason, JobQueue } from '../jobs/job-queue.service.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { ClerkAdapter } from './adapters/clerk.adapter.js';
import { ClerkImportsRepository } from './clerk-imports.repository.js';
import type { ClerkImportView } from './dto/webhook.dto.js';
import type { ClerkImport } from './webhook.entities.js';
import { chooseIdentity, deliveryOps } from './webhook-ops.js';

/** pg-boss queue of Clerk import pages: one job imports one page of one import. */
export const CLERK_PAGE_QUEUE = 'clerk-import-page';

interface PageJob {
  tenantId: string;
  importId: string;
  /** The page's offset in Clerk's user list; the job does nothing unless it is the import's cursor. */
  offset: number;
}

const PAGE_SIZE = 100;
/** @clerk/backend has no timeout of its own: a page request that takes longer is given up (and retried). */
const CLERK_TIMEOUT_MS = 30_000;
/** A page job active for longer belongs to a dead worker (the Clerk call plus one transaction). */
const PAGE_EXPIRE_SECONDS = 90;

/** Clerk's own answer that retrying will not change: a 4xx other than timeout and rate limit. */
function isFinal(err: unknown): boolean {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 && status !== 408 && status !== 429;
}

function clerkErrorMessage(err: unknown): string {
  const e = err as { message?: unknown; status?: unknown; errors?: Array<{ message?: unknown; code?: unknown }> } | null;
  const first = e?.errors?.[0];
  const detail = typeof first?.message === 'string' ? first.message : typeof e?.message === 'string' ? e.message : String(err);
  const status = typeof e?.status === 'number' ? `clerk API ${e.status}: ` : 'clerk API: ';
  return `${status}${detail || 'unknown error'}`.slice(0, 500);
}

/**
 * Backfills a tenant's existing Clerk users as contacts, paging through Clerk's users list with
 * @clerk/backend. Each user goes through the same mapping as a `user.updated` webhook and the one
 * recording path, so importing twice creates nothing new.
 *
 * Durable work on the job queue: one job per page. A page's contacts, the import's counters, its
 * cursor and the next page's job commit in one transaction, and a job whose offset is not the
 * import's cursor does nothing; so a page retried after a crash, a deploy or a Clerk hiccup is
 * imported once and counted once, and a new process picks the import up where it stopped. One
 * import runs per tenant at a time (a partial unique index): a second start answers 409.
 */
@Injectable()
export class ClerkImportService implements OnModuleInit, OnApplicationBootstrap {
  private readonly adapter = new ClerkAdapter();

  constructor(
    private readonly imports: ClerkImportsRepository,
    private readonly contacts: ContactsRepository,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tenants: TenantsService,
    private readonly recorder: EventRecorder,
    private readonly queue: JobQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.queue.declare({ name: CLERK_PAGE_QUEUE, expireInSeconds: PAGE_EXPIRE_SECONDS });
  }

  /** Workers (PROCESS_ROLE all or worker) import pages, and close imports whose page gave up. */
  async onApplicationBootstrap(): Promise<void> {
    await this.queue.work<PageJob>(CLERK_PAGE_QUEUE, { batchSize: 2, concurrency: 2, pollingIntervalSeconds: 1 }, (job) =>
      this.importPage(job.data),
    );
    await this.queue.work<PageJob>(deadLetterOf(CLERK_PAGE_QUEUE), { batchSize: 10, concurrency: 1, pollingIntervalSeconds: 5 }, (job) =>
      this.close(job.data, givenUpReason(job)),
    );
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

  /** Starts an import: its row and its first page's job commit together. 409 while one runs. */
  async start(tenantId: string): Promise<ClerkImportView> {
    await this.tenants.require(tenantId);
    const secretKey = await this.tenants.readSecret(tenantId, 'clerk_backend_api');
    if (!secretKey) {
      throw new ClerkImportError(ClerkImportErrorCode.BackendApiKeyMissing, 'clerk backend API key: not configured for this tenant');
    }
    const id = randomUUID();
    await this.dataSource.transaction(async (em) => {
      if (!(await this.imports.startIfNoneRunning(em, tenantId, id))) {
        const running = await this.imports.findRunningId(em, tenantId);
        throw new ClerkImportError(ClerkImportErrorCode.AlreadyRunning, `clerk import: ${running ?? 'another'} is already running for this tenant`);
      }
      await this.queue.insertIn<PageJob>(em, [{ name: CLERK_PAGE_QUEUE, data: { tenantId, importId: id, offset: 0 } }]);
    });
    return this.view((await this.imports.findById(tenantId, id))!);
  }

  async get(tenantId: string, importId: string): Promise<ClerkImportView> {
    const row = await this.imports.findById(tenantId, importId);
    if (!row) throw new ClerkImportError(ClerkImportErrorCode.NotFound, 'import not found');
    return this.view(row);
  }

  /**
   * One page. Clerk is asked outside any transaction; then, the import row locked, the page is
   * recorded only if the cursor still points at it, and the next page's job (or the end) commits
   * with it. A transient failure throws: pg-boss retries the job with backoff.
   */
  private async importPage(job: PageJob): Promise<void> {
    const row = await this.imports.findById(job.tenantId, job.importId);
    if (!row || row.status !== 'running' || row.nextOffset !== job.offset) return;
    const secretKey = await this.tenants.readSecret(job.tenantId, 'clerk_backend_api');
    if (!secretKey) return this.close(job, 'clerk backend API key: removed during the import');
    let page: { seen: number; users: Array<Record<string, unknown>> };
    try {
      page = await this.fetchPage(secretKey, job.offset);
    } catch (err) {
      if (!isFinal(err)) throw new Error(clerkErrorMessage(err));
      this.logger.error({ err: loggableError(err), importId: job.importId, tenantId: job.tenantId }, 'clerk import failed');
      return this.close(job, clerkErrorMessage(err));
    }
    const more = await this.dataSource.transaction(async (em): Promise<boolean> => {
      const locked = await this.imports.lockCursor(em, job.tenantId, job.importId);
      if (!locked || locked.status !== 'running' || locked.nextOffset !== job.offset) return false;
      const created = page.seen > 0 ? await this.recordPage(em, job, page.users) : 0;
      const last = page.seen < PAGE_SIZE;
      await this.imports.recordPage(em, job.tenantId, job.importId, {
        seen: page.seen,
        contactsCreated: created,
        nextOffset: job.offset + page.seen,
        last,
      });
      if (!last) {
        await this.queue.insertIn<PageJob>(em, [
          { name: CLERK_PAGE_QUEUE, data: { tenantId: job.tenantId, importId: job.importId, offset: job.offset + PAGE_SIZE } },
        ]);
      }
      return !last;
    });
    // The next page is due now: fetch it without waiting for the next poll.
    if (more) this.queue.notify(CLERK_PAGE_QUEUE);
  }

  /** A page of Clerk's users, given up after CLERK_TIMEOUT_MS or when the process shuts down. */
  private async fetchPage(secretKey: string, offset: number): Promise<{ seen: number; users: Array<Record<string, unknown>> }> {
    const clerk = createClerkClient({ secretKey, apiUrl: this.config.clerkApiUrl });
    const request = clerk.users.getUserList({ limit: PAGE_SIZE, offset, orderBy: '+created_at' });
    // Abandoned when the timeout or the shutdown wins; its late answer is dropped.
    request.catch(() => undefined);
    const signal = this.queue.stopSignal;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const giveUp = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${CLERK_TIMEOUT_MS / 1000} s`)), CLERK_TIMEOUT_MS);
      onAbort = () => reject(new Error('the process is shutting down; the page is retried'));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const page = await Promise.race([request, giveUp]);
      return { seen: page.data.length, users: page.data.flatMap((u) => (u.raw ? [u.raw as unknown as Record<string, unknown>] : [])) };
    } finally {
      clearTimeout(timer);
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  /** Ends a running import as failed (Clerk refused, the key is gone, or a page gave up). */
  private async close(job: PageJob, error: string): Promise<void> {
    await this.imports.fail(job.tenantId, job.importId, job.offset, error);
  }

  /**
   * Records one page of users in the caller's transaction; answers how many contacts it created.
   * What the op rules dropped from a user (an invalid email, an overlong name) is logged once per
   * page, as a warning: the user is imported without it.
   */
  private async recordPage(em: EntityManager, job: PageJob, users: Array<Record<string, unknown>>): Promise<number> {
    const ops = users.flatMap((user) => {
      const normalized = this.adapter.normalize({ type: 'user.updated', data: user }, new Map());
      if (normalized.outcome !== 'ok') return [];
      const identity = chooseIdentity(normalized.identity, null);
      return deliveryOps(normalized, identity, '', normalized.identity.email);
    });
    const ids = [...new Set(ops.flatMap((op) => (op.externalId ? [op.externalId] : [])))];
    const existing = await this.contacts.countWithExternalIds(em, job.tenantId, ids);
    await this.recorder.recordIn(em, job.tenantId, 'clerk', ops);
    const warnings = ops.flatMap((op) => (op.externalId ? op.warnings.map((w) => `${op.externalId}: ${w}`) : op.warnings));
    if (warnings.length > 0) {
      this.logger.warn(
        { importId: job.importId, tenantId: job.tenantId, offset: job.offset, warnings: warnings.slice(0, 20), count: warnings.length },
        'clerk import: fields dropped or cut',
      );
    }
    return ids.length - existing;
  }
}
