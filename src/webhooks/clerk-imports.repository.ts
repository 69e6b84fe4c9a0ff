import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { cutCodePoints } from '../common/unicode.js';
import { ClerkImport } from './webhook.entities.js';

/** What one imported page adds to its import. */
export interface ImportedPage {
  /** Users in the page (0 for the empty page after the last one). */
  seen: number;
  contactsCreated: number;
  /** The cursor after this page. */
  nextOffset: number;
  /** The page was the last one: the import is completed. */
  last: boolean;
}

/** Clerk user imports (`clerk_imports`): their status, counters and cursor; the only code that writes the table. */
@Injectable()
export class ClerkImportsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findById(tenantId: string, importId: string): Promise<ClerkImport | null> {
    return this.dataSource.getRepository(ClerkImport).findOneBy({ tenantId, id: importId });
  }

  /**
   * Starts an import unless one is running for the tenant (the partial unique index on running
   * imports decides, also between concurrent starts): true when this one started. In the caller's
   * transaction, which also enqueues the first page.
   */
  async startIfNoneRunning(em: EntityManager, tenantId: string, importId: string): Promise<boolean> {
    const inserted: Array<{ id: string }> = await em.query(
      `INSERT INTO clerk_imports (tenant_id, id, status, pages, users_seen, contacts_created, next_offset, error, started_at)
       VALUES ($1, $2, 'running', 0, 0, 0, 0, NULL, now())
       ON CONFLICT (tenant_id) WHERE status = 'running' DO NOTHING
       RETURNING id`,
      [tenantId, importId],
    );
    return inserted.length > 0;
  }

  /** The id of the tenant's running import, or null. */
  async findRunningId(em: EntityManager, tenantId: string): Promise<string | null> {
    const [row]: Array<{ id: string }> = await em.query(`SELECT id FROM clerk_imports WHERE tenant_id = $1 AND status = 'running'`, [tenantId]);
    return row?.id ?? null;
  }

  /** The import's status and cursor, row-locked for the rest of the caller's transaction; null when there is none. */
  async lockCursor(em: EntityManager, tenantId: string, importId: string): Promise<{ status: string; nextOffset: number } | null> {
    const [row]: Array<{ status: string; next_offset: number }> = await em.query(
      'SELECT status, next_offset FROM clerk_imports WHERE tenant_id = $1 AND id = $2 FOR UPDATE',
      [tenantId, importId],
    );
    return row ? { status: row.status, nextOffset: row.next_offset } : null;
  }

  /** Adds a page to the counters and moves the cursor; the last page completes the import. */
  async recordPage(em: EntityManager, tenantId: string, importId: string, page: ImportedPage): Promise<void> {
    await em.query(
      `UPDATE clerk_imports
          SET pages = pages + $3, users_seen = users_seen + $4, contacts_created = contacts_created + $5, next_offset = $6,
              status = CASE WHEN $7 THEN 'completed' ELSE status END,
              finished_at = CASE WHEN $7 THEN now() ELSE finished_at END
        WHERE tenant_id = $1 AND id = $2`,
      [tenantId, importId, page.seen > 0 ? 1 : 0, page.seen, page.contactsCreated, page.nextOffset, page.last],
    );
  }

  /**
   * Ends the import as failed with `error` (at most 500 characters kept), if it is still running
   * with its cursor at `offset`: a page that gave up after the import moved on changes nothing.
   */
  async fail(tenantId: string, importId: string, offset: number, error: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE clerk_imports SET status = 'failed', error = $4, finished_at = now()
        WHERE tenant_id = $1 AND id = $2 AND status = 'running' AND next_offset = $3`,
      [tenantId, importId, offset, cutCodePoints(error, 500)],
    );
  }
}
