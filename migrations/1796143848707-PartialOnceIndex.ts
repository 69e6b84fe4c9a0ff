import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reentry `once` is enforced by a unique index on (tenant, journey, once_key), where once_key is
 * the contact id of a `once` run and NULL for an `every_event` run. The index becomes partial
 * (`WHERE once_key IS NOT NULL`): `every_event` runs, which never conflict, no longer put an
 * entry into it (all under one key, the busiest page of the index), so enrolling them costs one
 * index insertion less (docs/operations.md#the-recording-path).
 */
export class PartialOnceIndex1796143848707 implements MigrationInterface {
  name = 'PartialOnceIndex1796143848707';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE UNIQUE INDEX "uq_journey_runs_once_partial" ON "journey_runs" ("tenant_id", "journey_id", "once_key") WHERE "once_key" IS NOT NULL`,
    );
    await q.query(`DROP INDEX "uq_journey_runs_once"`);
    await q.query(`ALTER INDEX "uq_journey_runs_once_partial" RENAME TO "uq_journey_runs_once"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE UNIQUE INDEX "uq_journey_runs_once_full" ON "journey_runs" ("tenant_id", "journey_id", "once_key")`);
    await q.query(`DROP INDEX "uq_journey_runs_once"`);
    await q.query(`ALTER INDEX "uq_journey_runs_once_full" RENAME TO "uq_journey_runs_once"`);
  }
}
