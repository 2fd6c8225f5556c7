import type { RapportMigration } from '../storage/migration-context.js';

/**
 * The tables of the exact rollups (see docs/architecture.md, "Rollups"):
 * - `rollupCells`: per tenant, rollup, month (`YYYY-MM` of the source's date field; '' for a
 *   snapshot), owner, currency and breakdown value, the count `n`
 *   and the integer sum `s` of one measure; kept in the write transaction by old-contribution-out,
 *   new-contribution-in upserts. Empty strings stand for null in the key columns (a key column of
 *   a primary key cannot be null); a breakdown value is stored as `=value`, so an empty value
 *   and null stay apart.
 * - `rollupBuilds`: which rollups of a tenant are complete (built from scratch, or the tenant was
 *   created with them). A rollup's id carries the hash of its definition, so a changed plugin set
 *   finds no build row and reads through the scan until `rebuildRollups` runs.
 */
export const rollupTables: RapportMigration = {
  async up(db, { types }) {
    await db.schema
      .createTable('rollupCells')
      .addColumn('tenantId', types.text, (c) => c.notNull().references('tenants.id'))
      .addColumn('rollup', types.text, (c) => c.notNull())
      .addColumn('bucket', types.text, (c) => c.notNull())
      .addColumn('ownerId', types.text, (c) => c.notNull())
      .addColumn('currency', types.text, (c) => c.notNull())
      .addColumn('groupKey', types.text, (c) => c.notNull())
      .addColumn('measure', types.integer, (c) => c.notNull())
      .addColumn('n', types.bigint, (c) => c.notNull())
      .addColumn('s', types.bigint, (c) => c.notNull())
      .addPrimaryKeyConstraint('rollup_cells_pk', [
        'tenantId',
        'rollup',
        'bucket',
        'ownerId',
        'currency',
        'groupKey',
        'measure',
      ])
      .execute();
    await db.schema
      .createTable('rollupBuilds')
      .addColumn('tenantId', types.text, (c) => c.notNull().references('tenants.id'))
      .addColumn('rollup', types.text, (c) => c.notNull())
      .addColumn('builtAt', types.timestamp, (c) => c.notNull())
      .addPrimaryKeyConstraint('rollup_builds_pk', ['tenantId', 'rollup'])
      .execute();
  },
};
