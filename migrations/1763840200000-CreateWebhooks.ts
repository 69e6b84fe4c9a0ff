import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateWebhooks1763840200000 implements MigrationInterface {
  name = 'CreateWebhooks1763840200000';

  async up(q: QueryRunner): Promise<void> {
    // The primary key is the dedupe on the provider's event id: a redelivery cannot insert twice.
    await q.query(`
      CREATE TABLE "webhook_deliveries" (
        "tenant_id" uuid NOT NULL,
        "provider" text NOT NULL,
        "delivery_id" text NOT NULL,
        "provider_event_type" text NOT NULL,
        "outcome" text NOT NULL,
        "event_type" text,
        "contact_id" uuid,
        "reason" text,
        "received_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "PK_webhook_deliveries" PRIMARY KEY ("tenant_id", "provider", "delivery_id")
      )`);
    await q.query(`
      CREATE TABLE "provider_customers" (
        "tenant_id" uuid NOT NULL,
        "provider" text NOT NULL,
        "customer_id" text NOT NULL,
        "contact_id" uuid NOT NULL,
        "linked_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "PK_provider_customers" PRIMARY KEY ("tenant_id", "provider", "customer_id")
      )`);
    await q.query(`
      CREATE TABLE "provider_state" (
        "tenant_id" uuid NOT NULL,
        "provider" text NOT NULL,
        "key" text NOT NULL,
        "state" jsonb NOT NULL,
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "PK_provider_state" PRIMARY KEY ("tenant_id", "provider", "key")
      )`);
    await q.query(`
      CREATE TABLE "clerk_imports" (
        "tenant_id" uuid NOT NULL,
        "id" uuid NOT NULL,
        "status" text NOT NULL,
        "pages" integer NOT NULL DEFAULT 0,
        "users_seen" integer NOT NULL DEFAULT 0,
        "contacts_created" integer NOT NULL DEFAULT 0,
        "error" text,
        "started_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "finished_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "PK_clerk_imports" PRIMARY KEY ("tenant_id", "id")
      )`);
    for (const table of ['webhook_deliveries', 'provider_customers', 'provider_state', 'clerk_imports']) {
      await q.query(
        `ALTER TABLE "${table}" ADD CONSTRAINT "FK_${table}_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE`,
      );
    }
    await q.query(
      `ALTER TABLE "provider_customers" ADD CONSTRAINT "FK_provider_customers_contact" FOREIGN KEY ("tenant_id", "contact_id") REFERENCES "contacts"("tenant_id", "id") ON DELETE CASCADE`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "clerk_imports"`);
    await q.query(`DROP TABLE "provider_state"`);
    await q.query(`DROP TABLE "provider_customers"`);
    await q.query(`DROP TABLE "webhook_deliveries"`);
  }
}
