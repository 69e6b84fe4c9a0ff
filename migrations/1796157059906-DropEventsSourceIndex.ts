import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Events lose their index by source and arrival time: ingestion-health reads its counters
 * (docs/operations.md#ingestion-health), not the events, and nothing else reads events by source
 * (an erasure counts a contact's events per source through the contact's timeline index). Every
 * recorded event costs one index insertion less (docs/operations.md#the-recording-path).
 */
export class DropEventsSourceIndex1796157059906 implements MigrationInterface {
  name = 'DropEventsSourceIndex1796157059906';

  async up(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX "ix_events_source"');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX "ix_events_source" ON "events" ("tenant_id", "source", "received_at")');
  }
}
