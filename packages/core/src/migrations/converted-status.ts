import { refreshConvertedStatuses } from '../sales/converted-status.js';
import type { RapportMigration } from '../storage/migration-context.js';

/**
 * `0009-converted-status`: `leads.convertedOpportunityStatus`, `convertedOpportunityAmount` and
 * `convertedOpportunityCurrency`, the status, amount and currency of the lead's converted
 * opportunity kept on the lead (so the lead rollups count won leads and sum their won amounts),
 * backfilled here, and an
 * index on `(tenantId, convertedOpportunityId)`: a deal whose status changes finds its converted
 * leads through it instead of reading every lead of the tenant.
 */
export const convertedStatus: RapportMigration = {
  async up(db, { types }) {
    await db.schema
      .alterTable('leads')
      .addColumn('convertedOpportunityStatus', types.text)
      .execute();
    await db.schema
      .alterTable('leads')
      .addColumn('convertedOpportunityAmount', types.bigint)
      .execute();
    await db.schema
      .alterTable('leads')
      .addColumn('convertedOpportunityCurrency', types.text)
      .execute();
    await db.schema
      .createIndex('leads_tenantId_convertedOpportunityId_idx')
      .on('leads')
      .columns(['tenantId', 'convertedOpportunityId'])
      .execute();
    await refreshConvertedStatuses(db, undefined);
  },
  async down(db) {
    await db.schema.dropIndex('leads_tenantId_convertedOpportunityId_idx').execute();
    await db.schema.alterTable('leads').dropColumn('convertedOpportunityCurrency').execute();
    await db.schema.alterTable('leads').dropColumn('convertedOpportunityAmount').execute();
    await db.schema.alterTable('leads').dropColumn('convertedOpportunityStatus').execute();
  },
};
