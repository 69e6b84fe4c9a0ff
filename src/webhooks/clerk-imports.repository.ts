import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { ClerkImport } from './webhook.entities.js';

/** What one imported page adds to its import, and where the cursor goes next. */
export interface PageProgress {
  pages: number;
  usersSeen: number;
  contactsCreated: number;
  nextOffset: number;
  /** The last page: the import completes. */
  last: boolean;
}

/**
 * `clerk_imports`: Clerk user backfill runs, their counters and their cursor (docs/webhooks.md,
 * "Clerk user backfill"). One running import per tenant (a partial unique index).
 */
@Injectable()
export class ClerkImportsRepository {
  constructor(@InjectRepository(ClerkImport) private readonly rows: Repository<ClerkImport>) {}

  find(tenantId: string, id: string): Promise<ClerkImport | null> {
    return this.rows.findOneBy({ tenantId, id });
  }

  /** Inserts a running import at offset 0; false when the tenant already runs one. */
  async startRunning(em: EntityManager, tenantId: string, id: string): Promise<boolean> {
    const inserted: Array<{ id: string }> = await em.query(
      `INSERT INTO clerk_imports (tenant_id, id, status, pages, users_seen, contacts_created, next_offset, error, started_at)
       VALUES ($1, $2, 'running', 0, 0, 0, 0, NULL, now())
       ON CONFLICT (tenant_id) WHERE status = 'running' DO NOTHING
       RETURNING id`,
      [tenantId, id],
    );
    return inserted.length > 0;
  }

  /** The id of the tenant's running import, if any. */
  async runningId(em: EntityManager, tenantId: string): Promise<string | null> {
    const [running]: Array<{ id: string }> = await em.query(`SELECT id FROM clerk_imports WHERE tenant_id = $1 AND status = 'running'`, [tenantId]);
    return running?.id ?? null;
  }

  /** Locks the import until the caller's transaction ends; its status and cursor, or null. */
  async lock(em: EntityManager, tenantId: string, id: string): Promise<{ status: string; nextOffset: number } | null> {
    const [locked]: Array<{ status: string; next_offset: number }> = await em.query(
      'SELECT status, next_offset FROM clerk_imports WHERE tenant_id = $1 AND id = $2 FOR UPDATE',
      [tenantId, id],
    );
    return locked ? { status: locked.status, nextOffset: locked.next_offset } : null;
  }

  /** Adds a page's counts, moves the cursor, and completes the import on its last page. */
  async recordPage(em: EntityManager, tenantId: string, id: string, page: PageProgress): Promise<void> {
    await em.query(
      `UPDATE clerk_imports
          SET pages = pages + $3, users_seen = users_seen + $4, contacts_created = contacts_created + $5, next_offset = $6,
              status = CASE WHEN $7 THEN 'completed' ELSE status END,
              finished_at = CASE WHEN $7 THEN now() ELSE finished_at END
        WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id, page.pages, page.usersSeen, page.contactsCreated, page.nextOffset, page.last],
    );
  }

  /** Fails a running import whose cursor is still at `offset` (a later page already moved it on). */
  async fail(tenantId: string, id: string, offset: number, error: string): Promise<void> {
    await this.rows.query(
      `UPDATE clerk_imports SET status = 'failed', error = $4, finished_at = now()
        WHERE tenant_id = $1 AND id = $2 AND status = 'running' AND next_offset = $3`,
      [tenantId, id, offset, error.slice(0, 500)],
    );
  }
}
