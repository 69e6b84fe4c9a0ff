import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Dashboard sign-ins (src/dashboard): only a hash of each session id is stored. */
export class CreateDashboardSessions1763849000000 implements MigrationInterface {
  name = 'CreateDashboardSessions1763849000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "dashboard_sessions" (
        "id" uuid NOT NULL,
        "token_hash" text NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "PK_dashboard_sessions" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE UNIQUE INDEX "uq_dashboard_sessions_token_hash" ON "dashboard_sessions" ("token_hash")`);
    await q.query(`CREATE INDEX "ix_dashboard_sessions_expires_at" ON "dashboard_sessions" ("expires_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "dashboard_sessions"`);
  }
}
