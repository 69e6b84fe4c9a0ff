import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Journeys that express lifecycle logic (docs/journeys.md): trigger conditions, exit events and
 * a maximum event age on journeys; the `exited` status, its reason, the trigger's event type and
 * the due step's path on runs; the html part on outbox messages; and the backfill mark on events
 * (docs/journeys.md#backfill).
 */
export class JourneyLifecycleLogic1796133404733 implements MigrationInterface {
  name = 'JourneyLifecycleLogic1796133404733';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE "journeys"
        ADD COLUMN "trigger_where" jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN "exit_on" text[] NOT NULL DEFAULT '{}',
        ADD COLUMN "max_event_age_seconds" integer NOT NULL DEFAULT 86400`);
    await q.query(`
      ALTER TABLE "journey_runs"
        ADD COLUMN "exit_reason" jsonb,
        ADD COLUMN "trigger_event_type" text,
        ADD COLUMN "current_path" text`);
    await q.query(`
      UPDATE "journey_runs" r SET "trigger_event_type" = e."type", "current_path" = r."current_step"::text
        FROM "events" e WHERE e."tenant_id" = r."tenant_id" AND e."id" = r."event_id"`);
    await q.query(`UPDATE "journey_runs" SET "trigger_event_type" = '', "current_path" = "current_step"::text WHERE "current_path" IS NULL`);
    await q.query(`ALTER TABLE "journey_runs" ALTER COLUMN "trigger_event_type" SET NOT NULL, ALTER COLUMN "current_path" SET NOT NULL`);
    await q.query(`ALTER TABLE "journey_runs" DROP CONSTRAINT "CHK_journey_runs_status"`);
    await q.query(
      `ALTER TABLE "journey_runs" ADD CONSTRAINT "CHK_journey_runs_status"
         CHECK ("status" IN ('active', 'waiting', 'completed', 'exited', 'failed'))`,
    );
    // Exits look up a contact's running runs; the why-not route, the runs an event started.
    await q.query(
      `CREATE INDEX "ix_journey_runs_running" ON "journey_runs" ("tenant_id", "contact_id", "journey_id")
         WHERE "status" IN ('active', 'waiting')`,
    );
    await q.query(`CREATE INDEX "ix_journey_runs_event" ON "journey_runs" ("tenant_id", "event_id")`);
    await q.query(`ALTER TABLE "messages" ADD COLUMN "html" text`);
    await q.query(`ALTER TABLE "events" ADD COLUMN "backfill" boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "events" DROP COLUMN "backfill"`);
    await q.query(`ALTER TABLE "messages" DROP COLUMN "html"`);
    await q.query(`DROP INDEX "ix_journey_runs_event"`);
    await q.query(`DROP INDEX "ix_journey_runs_running"`);
    await q.query(`DELETE FROM "journey_runs" WHERE "status" = 'exited'`);
    await q.query(`ALTER TABLE "journey_runs" DROP CONSTRAINT "CHK_journey_runs_status"`);
    await q.query(
      `ALTER TABLE "journey_runs" ADD CONSTRAINT "CHK_journey_runs_status"
         CHECK ("status" IN ('active', 'waiting', 'completed', 'failed'))`,
    );
    await q.query(`ALTER TABLE "journey_runs" DROP COLUMN "exit_reason", DROP COLUMN "trigger_event_type", DROP COLUMN "current_path"`);
    await q.query(
      `ALTER TABLE "journeys" DROP COLUMN "trigger_where", DROP COLUMN "exit_on", DROP COLUMN "max_event_age_seconds"`,
    );
  }
}
