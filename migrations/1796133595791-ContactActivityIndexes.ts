import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A contact's page lists its emails and its journey runs, newest first (docs/dashboard.md#contacts):
 * its runs get an index on (tenant, contact, created_at, id), the order its pages are read in (the
 * emails have the same index since the data-rights migration).
 */
export class ContactActivityIndexes1796133595791 implements MigrationInterface {
  name = 'ContactActivityIndexes1796133595791';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "ix_journey_runs_contact" ON "journey_runs" ("tenant_id", "contact_id", "created_at", "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX "ix_journey_runs_contact"');
  }
}
