import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox retries transient SMTP failures: a message the server did not take for a reason
 * that may pass is `deferred` (known not delivered, so it may be sent again) until `retry_at`;
 * `attempts` counts the hand-offs to SMTP.
 */
export class DeliveryRetries1763840500000 implements MigrationInterface {
  name = 'DeliveryRetries1763840500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "messages" ADD "attempts" integer NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE "messages" ADD "retry_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(`UPDATE "messages" SET "attempts" = 1 WHERE "status" IN ('sending', 'sent', 'failed')`);
    await q.query(`ALTER TABLE "messages" DROP CONSTRAINT "CHK_messages_status"`);
    await q.query(
      `ALTER TABLE "messages" ADD CONSTRAINT "CHK_messages_status" CHECK ("status" IN ('sending', 'deferred', 'sent', 'captured', 'blocked', 'failed'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE "messages" SET "status" = 'failed', "reason" = 'deferred when the retries were removed' WHERE "status" = 'deferred'`);
    await q.query(`ALTER TABLE "messages" DROP CONSTRAINT "CHK_messages_status"`);
    await q.query(
      `ALTER TABLE "messages" ADD CONSTRAINT "CHK_messages_status" CHECK ("status" IN ('sending', 'sent', 'captured', 'blocked', 'failed'))`,
    );
    await q.query(`ALTER TABLE "messages" DROP COLUMN "retry_at"`);
    await q.query(`ALTER TABLE "messages" DROP COLUMN "attempts"`);
  }
}
