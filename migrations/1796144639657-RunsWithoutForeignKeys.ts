import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * journey_runs loses its three foreign keys (to its journey, its contact and its triggering
 * event). Each one made every run insert take a FOR KEY SHARE lock on the parent row: the
 * journey's row was share-locked by every concurrent request that enrolled anyone in it (a
 * multixact per row, on the one hot row), the contact's and event's rows were written once more
 * (docs/operations.md#the-recording-path). Integrity is kept by who writes the table:
 * - runs are inserted only by enrollment, in the request's transaction, from its own just-written
 *   events joined with the journey and the contact; the events' own foreign key to the contact
 *   already holds that contact against an erasure or a merge until the request commits;
 * - an erasure deletes the contact's runs before its events and the contact, and a merge moves
 *   them (both after locking the contact rows, so they see every committed run);
 * - journeys are never deleted (they are paused), and neither are tenants.
 */
export class RunsWithoutForeignKeys1796144639657 implements MigrationInterface {
  name = 'RunsWithoutForeignKeys1796144639657';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'ALTER TABLE "journey_runs" DROP CONSTRAINT "FK_journey_runs_journey", DROP CONSTRAINT "FK_journey_runs_contact", DROP CONSTRAINT "FK_journey_runs_event"',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "journey_runs"
      ADD CONSTRAINT "FK_journey_runs_journey" FOREIGN KEY ("tenant_id", "journey_id") REFERENCES "journeys"("tenant_id", "id") ON DELETE CASCADE,
      ADD CONSTRAINT "FK_journey_runs_contact" FOREIGN KEY ("tenant_id", "contact_id") REFERENCES "contacts"("tenant_id", "id") ON DELETE CASCADE,
      ADD CONSTRAINT "FK_journey_runs_event" FOREIGN KEY ("tenant_id", "event_id") REFERENCES "events"("tenant_id", "id") ON DELETE CASCADE`);
  }
}
