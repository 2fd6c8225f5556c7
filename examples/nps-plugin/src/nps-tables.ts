import type { RapportMigration } from '@rapport/core/plugin';

/**
 * The plugin's own table, with its column kinds: this declaration types `ctx.db`, `ctx.tenantTables`
 * and the `tables` its hooks get. The migration below creates it.
 */
export const npsTables = {
  npsResponses: {
    tenantId: 'text',
    id: 'text',
    accountId: 'text',
    score: 'integer',
    answeredAt: 'timestamp',
    answeredBy: 'text',
  },
} as const;

/** Creates `nps_responses`; a response belongs to an account of the same tenant. */
export const createNpsResponses: RapportMigration = {
  async up(db, { types }) {
    await db.schema
      .createTable('npsResponses')
      .addColumn('tenantId', types.text, (c) => c.notNull().references('tenants.id'))
      .addColumn('id', types.text, (c) => c.notNull())
      .addColumn('accountId', types.text, (c) => c.notNull())
      .addColumn('score', types.integer, (c) => c.notNull())
      .addColumn('answeredAt', types.timestamp, (c) => c.notNull())
      .addColumn('answeredBy', types.text, (c) => c.notNull())
      .addPrimaryKeyConstraint('nps_responses_pk', ['tenantId', 'id'])
      .addForeignKeyConstraint('nps_responses_account_fk', ['tenantId', 'accountId'], 'accounts', [
        'tenantId',
        'id',
      ])
      .execute();
  },
  async down(db) {
    await db.schema.dropTable('npsResponses').execute();
  },
};
