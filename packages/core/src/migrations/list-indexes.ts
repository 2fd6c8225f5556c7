import type { RapportMigration } from '../storage/migration-context.js';

/**
 * The tables as they were when this migration was written: a migration never follows later
 * changes of the object list.
 */
const recordTables = [
  'users',
  'teams',
  'accounts',
  'contacts',
  'campaigns',
  'leads',
  'products',
  'pipelines',
  'opportunities',
  'opportunityLineItems',
  'activities',
  'stageHistory',
  'quotas',
  'contracts',
] as const;

/**
 * Indexes for the orders lists are read in, so a page of 50 reads 50 index entries instead of
 * sorting every row of the tenant (`GET /opportunities?limit=50` took about 45 ms at 100,000
 * opportunities, whatever the limit):
 * - every record table: `(tenantId, createdAt, id)`, the default list order and its keyset
 *   tie-break;
 * - opportunities: `(tenantId, closeDate, id)`, the order of the pipeline board and the at-risk
 *   list.
 */
export const listIndexes: RapportMigration = {
  async up(db) {
    for (const table of recordTables) {
      await db.schema
        .createIndex(`${table}_tenantId_createdAt_id_idx`)
        .on(table)
        .columns(['tenantId', 'createdAt', 'id'])
        .execute();
    }
    await db.schema
      .createIndex('opportunities_tenantId_closeDate_id_idx')
      .on('opportunities')
      .columns(['tenantId', 'closeDate', 'id'])
      .execute();
  },
  async down(db) {
    for (const table of recordTables) {
      await db.schema.dropIndex(`${table}_tenantId_createdAt_id_idx`).execute();
    }
    await db.schema.dropIndex('opportunities_tenantId_closeDate_id_idx').execute();
  },
};
