import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateContactsAndEvents1763840100000 implements MigrationInterface {
  name = 'CreateContactsAndEvents1763840100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "contacts" (
        "tenant_id" uuid NOT NULL,
        "id" uuid NOT NULL,
        "external_id" text,
        "email" text,
        "name" text,
        "attributes" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "consent" jsonb,
        "unsubscribed_at" TIMESTAMP WITH TIME ZONE,
        "deactivated_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_contacts" PRIMARY KEY ("tenant_id", "id"),
        CONSTRAINT "FK_contacts_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "uq_contacts_external_id" ON "contacts" ("tenant_id", "external_id") WHERE external_id IS NOT NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "uq_contacts_email_only" ON "contacts" ("tenant_id", "email") WHERE external_id IS NULL`,
    );
    await q.query(`CREATE INDEX "ix_contacts_email" ON "contacts" ("tenant_id", "email")`);
    await q.query(`CREATE INDEX "ix_contacts_created" ON "contacts" ("tenant_id", "created_at", "id")`);

    await q.query(`
      CREATE TABLE "events" (
        "tenant_id" uuid NOT NULL,
        "id" uuid NOT NULL,
        "contact_id" uuid,
        "type" text NOT NULL,
        "properties" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "received_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "message_id" text,
        "source" text NOT NULL,
        CONSTRAINT "PK_events" PRIMARY KEY ("tenant_id", "id"),
        CONSTRAINT "FK_events_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE,
        CONSTRAINT "FK_events_contact" FOREIGN KEY ("tenant_id", "contact_id") REFERENCES "contacts"("tenant_id", "id") ON DELETE CASCADE
      )`);
    // messageId is unique per tenant, forever: the constraint, not a read, decides duplicates.
    await q.query(`CREATE UNIQUE INDEX "uq_events_message_id" ON "events" ("tenant_id", "message_id")`);
    await q.query(
      `CREATE INDEX "ix_events_contact_timeline" ON "events" ("tenant_id", "contact_id", "occurred_at", "id")`,
    );
    await q.query(`CREATE INDEX "ix_events_source" ON "events" ("tenant_id", "source", "received_at")`);

    await q.query(`
      CREATE TABLE "contact_connectors" (
        "tenant_id" uuid NOT NULL,
        "connector" text NOT NULL,
        "contact_id" uuid NOT NULL,
        "first_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "PK_contact_connectors" PRIMARY KEY ("tenant_id", "connector", "contact_id"),
        CONSTRAINT "FK_contact_connectors_contact" FOREIGN KEY ("tenant_id", "contact_id") REFERENCES "contacts"("tenant_id", "id") ON DELETE CASCADE
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "contact_connectors"`);
    await q.query(`DROP TABLE "events"`);
    await q.query(`DROP TABLE "contacts"`);
  }
}
