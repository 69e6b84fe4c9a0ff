import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Data rights (docs/data-rights.md): the tenant's suppression list (hashes only), contact aliases
 * left behind by a merge, and outbox rows that outlive an erased contact (its run and contact
 * links are cleared, its address, subject and body replaced by `erased`).
 */
export class DataRights1796133363140 implements MigrationInterface {
  name = 'DataRights1796133363140';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "suppressions" (
        "tenant_id" uuid NOT NULL,
        "email_hash" text NOT NULL,
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "reason" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT date_trunc('milliseconds', now()),
        CONSTRAINT "PK_suppressions" PRIMARY KEY ("tenant_id", "email_hash"),
        CONSTRAINT "FK_suppressions_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "ix_suppressions_created" ON "suppressions" ("tenant_id", "created_at", "id")`);

    await q.query(`
      CREATE TABLE "contact_aliases" (
        "tenant_id" uuid NOT NULL,
        "kind" text NOT NULL,
        "value" text NOT NULL,
        "contact_id" uuid NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "CHK_contact_aliases_kind" CHECK ("kind" IN ('external_id', 'email')),
        CONSTRAINT "PK_contact_aliases" PRIMARY KEY ("tenant_id", "kind", "value"),
        CONSTRAINT "FK_contact_aliases_contact" FOREIGN KEY ("tenant_id", "contact_id") REFERENCES "contacts"("tenant_id", "id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "ix_contact_aliases_contact" ON "contact_aliases" ("tenant_id", "contact_id")`);

    await q.query(`ALTER TABLE "messages" ALTER COLUMN "run_id" DROP NOT NULL, ALTER COLUMN "contact_id" DROP NOT NULL`);
    await q.query(`CREATE INDEX "ix_messages_contact" ON "messages" ("tenant_id", "contact_id", "created_at", "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "ix_messages_contact"`);
    await q.query(`DELETE FROM "messages" WHERE "run_id" IS NULL OR "contact_id" IS NULL`);
    await q.query(`ALTER TABLE "messages" ALTER COLUMN "run_id" SET NOT NULL, ALTER COLUMN "contact_id" SET NOT NULL`);
    await q.query(`DROP TABLE "contact_aliases"`);
    await q.query(`DROP TABLE "suppressions"`);
  }
}
