import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Exact ingestion-health counts without scanning events (docs/operations.md, "Ingestion
 * health"): `ingestion_counters` holds, per tenant and connector, a few slots of running totals
 * (events recorded, contacts first seen, last activity) that the recording statement adds to
 * and the health read sums. A recording takes a slot no other transaction holds (SKIP LOCKED),
 * and opens a new slot only when every existing one is held, so concurrent batches of one tenant
 * never queue on one hot row; there are at most as many slots as transactions ever ran at once.
 * The totals of data recorded before this migration are written into slot 0.
 *
 * `mara_concurrent_duplicate()` aborts the recording statement with a serialization failure
 * (SQLSTATE 40001) when its `ON CONFLICT` insert skipped a message id that another transaction
 * recorded after this one's duplicate read: the request is then recorded again from the start
 * (and finds that message id a duplicate), so a duplicate never writes its contact.
 */
export class IngestionCounters1796133454099 implements MigrationInterface {
  name = 'IngestionCounters1796133454099';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "ingestion_counters" (
        "tenant_id" uuid NOT NULL,
        "connector" text NOT NULL,
        "slot" integer NOT NULL,
        "events" bigint NOT NULL DEFAULT 0,
        "contacts" bigint NOT NULL DEFAULT 0,
        "last_activity_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "PK_ingestion_counters" PRIMARY KEY ("tenant_id", "connector", "slot"),
        CONSTRAINT "FK_ingestion_counters_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE
      )`);
    await q.query(`
      INSERT INTO "ingestion_counters" (tenant_id, connector, slot, events, contacts, last_activity_at)
      SELECT tenant_id, connector, 0, sum(events), sum(contacts), max(last_at)
        FROM (SELECT tenant_id, source AS connector, count(*) AS events, 0 AS contacts, max(received_at) AS last_at
                FROM events GROUP BY tenant_id, source
              UNION ALL
              SELECT tenant_id, connector, 0, count(*), max(last_seen_at)
                FROM contact_connectors GROUP BY tenant_id, connector) t
       GROUP BY tenant_id, connector`);
    await q.query(`
      CREATE FUNCTION mara_concurrent_duplicate() RETURNS boolean LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'a concurrent request recorded one of these message ids first'
          USING ERRCODE = 'serialization_failure';
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION mara_concurrent_duplicate()`);
    await q.query(`DROP TABLE "ingestion_counters"`);
  }
}
