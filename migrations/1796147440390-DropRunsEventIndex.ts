import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Runs lose their index by triggering event: the why-not route finds an event's runs through its
 * contact's runs (ix_journey_runs_contact), and every enrolled run costs one index insertion
 * less (docs/operations.md#the-recording-path).
 */
export class DropRunsEventIndex1796147440390 implements MigrationInterface {
  name = 'DropRunsEventIndex1796147440390';

  async up(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX "ix_journey_runs_event"');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX "ix_journey_runs_event" ON "journey_runs" ("tenant_id", "event_id")');
  }
}
