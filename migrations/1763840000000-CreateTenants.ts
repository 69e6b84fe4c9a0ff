import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateTenants1763840000000 implements MigrationInterface {
  name = 'CreateTenants1763840000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "tenants" (
        "id" uuid NOT NULL,
        "name" text NOT NULL,
        "ingestion_key_hash" text,
        "ingestion_key_prefix" text,
        "ingestion_key_created_at" TIMESTAMP WITH TIME ZONE,
        "signup_event_type" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_tenants" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE UNIQUE INDEX "uq_tenants_ingestion_key_hash" ON "tenants" ("ingestion_key_hash")`);
    await q.query(`
      CREATE TABLE "tenant_secrets" (
        "tenant_id" uuid NOT NULL,
        "kind" text NOT NULL,
        "ciphertext" text NOT NULL,
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_tenant_secrets" PRIMARY KEY ("tenant_id", "kind"),
        CONSTRAINT "FK_tenant_secrets_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE
      )`);
    await q.query(`
      CREATE TABLE "tenant_rate_limits" (
        "tenant_id" uuid NOT NULL,
        "requests_per_hour" integer NOT NULL DEFAULT 600,
        "burst" integer NOT NULL DEFAULT 600,
        "tokens" double precision NOT NULL,
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_tenant_rate_limits" PRIMARY KEY ("tenant_id"),
        CONSTRAINT "FK_tenant_rate_limits_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "tenant_rate_limits"`);
    await q.query(`DROP TABLE "tenant_secrets"`);
    await q.query(`DROP TABLE "tenants"`);
  }
}
