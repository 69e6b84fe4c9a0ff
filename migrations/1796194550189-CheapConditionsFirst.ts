import type { MigrationInterface, QueryRunner } from 'typeorm';
import { compileStoredTriggers } from './1796168509294-CompiledTriggerConditions.js';

/**
 * Journeys' trigger paths compiled again, with each side's `contains` conditions last
 * (src/journeys/conditions.ts `triggerPaths`): the conditions are ANDed, so a path answers as
 * before, and a failed comparison now spares the dearer `like_regex`. Down leaves them as they
 * are: either order answers the same.
 */
export class CheapConditionsFirst1796194550189 implements MigrationInterface {
  name = 'CheapConditionsFirst1796194550189';

  async up(q: QueryRunner): Promise<void> {
    await compileStoredTriggers(q);
  }

  async down(): Promise<void> {
    // Either order answers the same; nothing to undo.
  }
}
