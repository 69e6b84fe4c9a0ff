import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Clerk imports run as durable jobs, one page each: the cursor (`next_offset`) lives in the row,
 * and a partial unique index allows one running import per tenant. Imports left `running` by the
 * earlier in-process runner have no job and never will: they are closed as failed.
 */
export class DurableClerkImports1763840600000 implements MigrationInterface {
  name = 'DurableClerkImports1763840600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "clerk_imports" ADD "next_offset" integer NOT NULL DEFAULT 0`);
    await q.query(
      `UPDATE "clerk_imports" SET "status" = 'failed', "error" = 'interrupted by an upgrade; start the import again', "finished_at" = now()
        WHERE "status" = 'running'`,
    );
    await q.query(`CREATE UNIQUE INDEX "uq_clerk_imports_running" ON "clerk_imports" ("tenant_id") WHERE "status" = 'running'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "uq_clerk_imports_running"`);
    await q.query(`ALTER TABLE "clerk_imports" DROP COLUMN "next_offset"`);
  }
}
