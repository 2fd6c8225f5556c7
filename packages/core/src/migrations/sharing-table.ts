import type { RapportMigration } from '../storage/migration-context.js';

/**
 * `0007-sharing`: one row per tenant that changed its sharing settings (org-wide defaults per
 * object as a JSON document, team sharing). A tenant without a row has the defaults (everything
 * private, team sharing off), so existing tenants keep exactly the visibility they had. Team
 * membership needs no table: it is `users.teamId`.
 */
export const sharingTable: RapportMigration = {
  async up(db, { types }) {
    await db.schema
      .createTable('sharingSettings')
      .addColumn('tenantId', types.text, (c) => c.primaryKey().references('tenants.id'))
      .addColumn('defaults', types.text, (c) => c.notNull())
      .addColumn('teams', types.text, (c) => c.notNull())
      .addColumn('version', types.integer, (c) => c.notNull())
      .addColumn('updatedAt', types.timestamp, (c) => c.notNull())
      .addColumn('updatedBy', types.text, (c) => c.notNull())
      .execute();
  },
};
