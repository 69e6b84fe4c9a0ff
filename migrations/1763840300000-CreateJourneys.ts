import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateJourneys1763840300000 implements MigrationInterface {
  name = 'CreateJourneys1763840300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "journeys" (
        "tenant_id" uuid NOT NULL,
        "id" uuid NOT NULL,
        "name" text NOT NULL,
        "status" text NOT NULL,
        "trigger_event_type" text NOT NULL,
        "reentry" text NOT NULL,
        "steps" jsonb NOT NULL,
        "seed_key" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "CHK_journeys_status" CHECK ("status" IN ('draft', 'active', 'paused')),
        CONSTRAINT "CHK_journeys_reentry" CHECK ("reentry" IN ('once', 'every_event')),
        CONSTRAINT "PK_journeys" PRIMARY KEY ("tenant_id", "id"),
        CONSTRAINT "FK_journeys_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "ix_journeys_trigger" ON "journeys" ("tenant_id", "trigger_event_type", "status")`);
    await q.query(`CREATE INDEX "ix_journeys_created" ON "journeys" ("tenant_id", "created_at", "id")`);
    // Seeded journeys (the signup welcome draft) exist once per seed key; NULLs never conflict.
    await q.query(`CREATE UNIQUE INDEX "uq_journeys_seed_key" ON "journeys" ("tenant_id", "seed_key")`);

    await q.query(`
      CREATE TABLE "journey_runs" (
        "tenant_id" uuid NOT NULL,
        "id" uuid NOT NULL,
        "journey_id" uuid NOT NULL,
        "contact_id" uuid NOT NULL,
        "event_id" uuid NOT NULL,
        "once_key" uuid,
        "status" text NOT NULL,
        "current_step" integer NOT NULL,
        "definition" jsonb NOT NULL,
        "history" jsonb NOT NULL DEFAULT '[]'::jsonb,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "CHK_journey_runs_status" CHECK ("status" IN ('active', 'waiting', 'completed', 'failed')),
        CONSTRAINT "PK_journey_runs" PRIMARY KEY ("tenant_id", "id"),
        CONSTRAINT "FK_journey_runs_journey" FOREIGN KEY ("tenant_id", "journey_id") REFERENCES "journeys"("tenant_id", "id") ON DELETE CASCADE,
        CONSTRAINT "FK_journey_runs_contact" FOREIGN KEY ("tenant_id", "contact_id") REFERENCES "contacts"("tenant_id", "id") ON DELETE CASCADE,
        CONSTRAINT "FK_journey_runs_event" FOREIGN KEY ("tenant_id", "event_id") REFERENCES "events"("tenant_id", "id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "ix_journey_runs_journey" ON "journey_runs" ("tenant_id", "journey_id", "created_at", "id")`);
    // Reentry `once`: once_key is the contact id (NULL for every_event runs, which never conflict).
    await q.query(`CREATE UNIQUE INDEX "uq_journey_runs_once" ON "journey_runs" ("tenant_id", "journey_id", "once_key")`);

    await q.query(`
      CREATE TABLE "messages" (
        "tenant_id" uuid NOT NULL,
        "id" uuid NOT NULL,
        "journey_id" uuid NOT NULL,
        "run_id" uuid NOT NULL,
        "contact_id" uuid NOT NULL,
        "step_index" integer NOT NULL,
        "to" text,
        "subject" text NOT NULL,
        "text" text NOT NULL,
        "status" text NOT NULL,
        "reason" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "CHK_messages_status" CHECK ("status" IN ('sending', 'sent', 'captured', 'blocked', 'failed')),
        CONSTRAINT "PK_messages" PRIMARY KEY ("tenant_id", "id"),
        CONSTRAINT "FK_messages_run" FOREIGN KEY ("tenant_id", "run_id") REFERENCES "journey_runs"("tenant_id", "id") ON DELETE CASCADE,
        CONSTRAINT "FK_messages_journey" FOREIGN KEY ("tenant_id", "journey_id") REFERENCES "journeys"("tenant_id", "id") ON DELETE CASCADE,
        CONSTRAINT "FK_messages_contact" FOREIGN KEY ("tenant_id", "contact_id") REFERENCES "contacts"("tenant_id", "id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "ix_messages_created" ON "messages" ("tenant_id", "created_at", "id")`);
    // The outbox's guarantee: one email per (run, step), whatever retries the job queue makes.
    await q.query(`CREATE UNIQUE INDEX "uq_messages_run_step" ON "messages" ("tenant_id", "run_id", "step_index")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "messages"`);
    await q.query(`DROP TABLE "journey_runs"`);
    await q.query(`DROP TABLE "journeys"`);
  }
}
