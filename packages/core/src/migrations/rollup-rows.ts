import type { RapportMigration } from '../storage/migration-context.js';

/** Measure slots of a rollup row (`measureSlots` of the rollup plan, fixed here by the schema). */
const slots = 8;

/**
 * `0008-rollup-rows`: one row per rollup key (tenant, rollup, month, owner, currency, breakdown
 * value) with a column per measure, instead of `0006`'s row per key and measure. Columns: the
 * source's row count `n`, the rows a product could not keep exactly `x` (a fractional
 * probability: the read then scans), and per measure slot a count `n<i>` and an integer sum
 * `s<i>` (money in minor units of its own currency). A write upserts one statement instead of
 * one row per measure, and a read sums a fifth of the rows.
 *
 * Rollups are derived: the `0006` cells are dropped, not converted, and every tenant's build
 * rows are cleared, so KPIs read the records (exact, as without rollups) until
 * `crm.rebuildRollups()` (`rapport rollups rebuild`) fills the new rows. The rollup ids also
 * changed (their hash carries the shape's version), so no old build row could match anyway.
 */
export const rollupRows: RapportMigration = {
  async up(db, { types }) {
    await db.schema.dropTable('rollupCells').execute();
    await db.deleteFrom('rollupBuilds').execute();
    let table = db.schema
      .createTable('rollupCells')
      .addColumn('tenantId', types.text, (c) => c.notNull().references('tenants.id'))
      .addColumn('rollup', types.text, (c) => c.notNull())
      .addColumn('bucket', types.text, (c) => c.notNull())
      .addColumn('ownerId', types.text, (c) => c.notNull())
      .addColumn('currency', types.text, (c) => c.notNull())
      .addColumn('groupKey', types.text, (c) => c.notNull())
      .addColumn('n', types.bigint, (c) => c.notNull())
      .addColumn('x', types.bigint, (c) => c.notNull());
    for (const kind of ['n', 's'])
      for (let i = 1; i <= slots; i += 1)
        table = table.addColumn(`${kind}${i}`, types.bigint, (c) => c.notNull());
    await table
      .addPrimaryKeyConstraint('rollup_cells_pk', [
        'tenantId',
        'rollup',
        'bucket',
        'ownerId',
        'currency',
        'groupKey',
      ])
      .execute();
  },
};
