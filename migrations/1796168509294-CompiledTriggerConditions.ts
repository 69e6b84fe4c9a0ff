import type { MigrationInterface, QueryRunner } from 'typeorm';
import { triggerPaths } from '../src/journeys/conditions.js';
import type { Condition } from '../src/journeys/dto/journey.dto.js';

/**
 * A journey's trigger conditions, compiled into SQL/JSON paths that the enrollment statement
 * evaluates in one `jsonb_path_exists` call per (event, journey) pair (src/journeys/conditions.ts,
 * docs/operations.md#the-recording-path), where it used to read each condition's JSON for each
 * pair. The columns are `jsonpath`, so PostgreSQL checks a path when it is written; existing
 * journeys get theirs from the same compiler the app writes them with.
 */
/** Writes every journey's trigger paths from its `where`, with the compiler the app writes them with. */
export async function compileStoredTriggers(q: QueryRunner): Promise<void> {
  const rows: Array<{ tenant_id: string; id: string; trigger_where: Condition[] }> = await q.query(
    `SELECT tenant_id, id, trigger_where FROM "journeys" WHERE jsonb_array_length(trigger_where) > 0`,
  );
  for (const row of rows) {
    const paths = triggerPaths(row.trigger_where);
    await q.query(
      `UPDATE "journeys" SET trigger_event_path = $3, trigger_contact_path = $4, trigger_vars = $5::jsonb WHERE tenant_id = $1 AND id = $2`,
      [row.tenant_id, row.id, paths.eventPath, paths.contactPath, JSON.stringify(paths.vars)],
    );
  }
}

export class CompiledTriggerConditions1796168509294 implements MigrationInterface {
  name = 'CompiledTriggerConditions1796168509294';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE "journeys" ADD "trigger_event_path" jsonpath, ADD "trigger_contact_path" jsonpath,
         ADD "trigger_vars" jsonb NOT NULL DEFAULT '{}'`,
    );
    await compileStoredTriggers(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "journeys" DROP "trigger_event_path", DROP "trigger_contact_path", DROP "trigger_vars"`);
  }
}
