import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The delivery log (docs/webhooks.md, "Delivery log and replay"): `webhook_deliveries` keeps every
 * verified delivery with its outcome, its error and its payload (encrypted), under an id of its
 * own. The dedupe on the provider's event id moves from the primary key to a partial unique
 * index: one entry per provider event (ok, ignored or failed), beside which each redelivery of an
 * already processed event is logged as a `duplicate` row that the index leaves out.
 */
export class WebhookDeliveryLog1763849100000 implements MigrationInterface {
  name = 'WebhookDeliveryLog1763849100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "webhook_deliveries" RENAME COLUMN "outcome" TO "status"`);
    await q.query(`
      ALTER TABLE "webhook_deliveries"
        ADD COLUMN "id" uuid,
        ADD COLUMN "error" text,
        ADD COLUMN "payload" text,
        ADD COLUMN "attempts" integer NOT NULL DEFAULT 1`);
    // Entries from before the log keep their outcome; they have no payload to show or replay.
    await q.query(`UPDATE "webhook_deliveries" SET "id" = gen_random_uuid()`);
    await q.query(`ALTER TABLE "webhook_deliveries" ALTER COLUMN "id" SET NOT NULL`);
    await q.query(`ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "PK_webhook_deliveries"`);
    await q.query(`ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "PK_webhook_deliveries" PRIMARY KEY ("id")`);
    await q.query(
      `ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "CHK_webhook_deliveries_status"
         CHECK ("status" IN ('processing', 'ok', 'ignored', 'duplicate', 'failed'))`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "uq_webhook_deliveries_event" ON "webhook_deliveries" ("tenant_id", "provider", "delivery_id")
        WHERE "status" <> 'duplicate'`,
    );
    // The list (newest first, per tenant) and the retention job (oldest first, per tenant).
    await q.query(`CREATE INDEX "ix_webhook_deliveries_received" ON "webhook_deliveries" ("tenant_id", "received_at", "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "ix_webhook_deliveries_received"`);
    await q.query(`DROP INDEX "uq_webhook_deliveries_event"`);
    await q.query(`DELETE FROM "webhook_deliveries" WHERE "status" IN ('duplicate', 'failed')`);
    await q.query(`ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "CHK_webhook_deliveries_status"`);
    await q.query(`ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "PK_webhook_deliveries"`);
    await q.query(
      `ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "PK_webhook_deliveries" PRIMARY KEY ("tenant_id", "provider", "delivery_id")`,
    );
    await q.query(`ALTER TABLE "webhook_deliveries" DROP COLUMN "id", DROP COLUMN "error", DROP COLUMN "payload", DROP COLUMN "attempts"`);
    await q.query(`ALTER TABLE "webhook_deliveries" RENAME COLUMN "status" TO "outcome"`);
  }
}
