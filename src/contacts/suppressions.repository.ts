import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type Page, type PageQueryDto, Paginator } from '../common/pagination.js';
import { Suppression } from './suppression.entity.js';

/** `suppressions`: hashes only (docs/data-rights.md#suppressions); the only code that reads or writes the table. */
@Injectable()
export class SuppressionsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly pages: Paginator,
  ) {}

  /** Adds the hashes (one statement); an address already on the list keeps its first entry. */
  async add(em: EntityManager, tenantId: string, hashes: string[], reason: string | null): Promise<void> {
    if (hashes.length === 0) return;
    await em.query(
      `INSERT INTO suppressions (tenant_id, email_hash, reason)
       SELECT $1, u.h, $3 FROM unnest($2::text[]) AS u(h) ORDER BY u.h
       ON CONFLICT (tenant_id, email_hash) DO NOTHING`,
      [tenantId, [...new Set(hashes)], reason],
    );
  }

  /** Whether the entry existed (and is now gone). */
  async remove(tenantId: string, hash: string): Promise<boolean> {
    const [, affected]: [unknown, number] = await this.dataSource.query(
      'DELETE FROM suppressions WHERE tenant_id = $1 AND email_hash = $2',
      [tenantId, hash],
    );
    return affected > 0;
  }

  async find(em: EntityManager, tenantId: string, hash: string): Promise<{ reason: string | null; createdAt: Date } | null> {
    const [row]: Array<{ reason: string | null; created_at: Date }> = await em.query(
      'SELECT reason, created_at FROM suppressions WHERE tenant_id = $1 AND email_hash = $2',
      [tenantId, hash],
    );
    return row ? { reason: row.reason, createdAt: row.created_at } : null;
  }

  async has(em: EntityManager, tenantId: string, hash: string): Promise<boolean> {
    const rows: unknown[] = await em.query('SELECT 1 FROM suppressions WHERE tenant_id = $1 AND email_hash = $2', [tenantId, hash]);
    return rows.length > 0;
  }

  /** The tenant's list, newest first. */
  page(tenantId: string, query: PageQueryDto): Promise<Page<Suppression>> {
    const qb = this.dataSource.getRepository(Suppression).createQueryBuilder('s').where('s.tenant_id = :tenantId', { tenantId });
    const spec = {
      scope: `suppressions:${tenantId}`,
      alias: 's',
      column: 'created_at',
      order: 'DESC',
      at: (s: Suppression) => s.createdAt,
      id: (s: Suppression) => s.id,
    } as const;
    return this.pages.page(qb, query, spec, (s) => s);
  }
}
