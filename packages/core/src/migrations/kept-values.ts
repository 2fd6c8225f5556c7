import {
  refreshFirstActivities,
  refreshMainProducts,
  refreshStageExits,
} from '../sales/kept-values.js';
import type { RapportMigration } from '../storage/migration-context.js';

/**
 * Values kept at write time that KPIs recomputed per row on every read (at 100,000
 * opportunities, 458,677 stage history entries with two correlated lookups each):
 * - `stageHistory.exitedAt` and `advancedAt`: when the deal left the entry's stage, and when it
 *   first moved on to another stage that is not lost (stage conversion, time in stage);
 * - `leads.firstActivityAt`: the lead's first completed activity (time to first activity);
 * - `opportunities.mainProductId`: the product of its largest line item (the `product` breakdown).
 * Existing rows are backfilled here; from then on every write path of the engine keeps them.
 */
export const keptValues: RapportMigration = {
  async up(db, { types }) {
    await db.schema.alterTable('stageHistory').addColumn('exitedAt', types.timestamp).execute();
    await db.schema.alterTable('stageHistory').addColumn('advancedAt', types.timestamp).execute();
    await db.schema.alterTable('leads').addColumn('firstActivityAt', types.timestamp).execute();
    await db.schema.alterTable('opportunities').addColumn('mainProductId', types.text).execute();
    // The three values of this migration, not `refreshKeptValues`: later kept values (their
    // columns added by later migrations) do not exist yet.
    await refreshStageExits(db, undefined);
    await refreshFirstActivities(db, undefined);
    await refreshMainProducts(db, undefined);
  },
  async down(db) {
    await db.schema.alterTable('stageHistory').dropColumn('exitedAt').execute();
    await db.schema.alterTable('stageHistory').dropColumn('advancedAt').execute();
    await db.schema.alterTable('leads').dropColumn('firstActivityAt').execute();
    await db.schema.alterTable('opportunities').dropColumn('mainProductId').execute();
  },
};
