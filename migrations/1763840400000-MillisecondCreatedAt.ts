import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * List cursors carry `created_at` as an ISO string, which has millisecond precision, while
 * now() has microseconds: a row sharing its millisecond with the cursor row fell between pages.
 * Defaults written by the database now keep milliseconds only, like the app's own timestamps.
 */
export class MillisecondCreatedAt1763840400000 implements MigrationInterface {
  name = 'MillisecondCreatedAt1763840400000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['journeys', 'journey_runs', 'messages']) {
      await q.query(`ALTER TABLE "${table}" ALTER COLUMN "created_at" SET DEFAULT date_trunc('milliseconds', now())`);
      await q.query(`UPDATE "${table}" SET "created_at" = date_trunc('milliseconds', "created_at")`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['journeys', 'journey_runs', 'messages']) {
      await q.query(`ALTER TABLE "${table}" ALTER COLUMN "created_at" SET DEFAULT now()`);
    }
  }
}
