import type { RapportMigration } from '@rapport/core';

/**
 * The predict plugin's tables: trained models with their metrics (one row per tenant, kind and
 * version) and the latest score of every lead.
 */
export const predictMigrations: Readonly<Record<string, RapportMigration>> = {
  '0001-models-and-scores': {
    async up(db, { types }) {
      await db.schema
        .createTable('predictModels')
        .addColumn('tenantId', types.text, (c) => c.notNull().references('tenants.id'))
        .addColumn('kind', types.text, (c) => c.notNull())
        .addColumn('version', types.integer, (c) => c.notNull())
        .addColumn('method', types.text, (c) => c.notNull())
        .addColumn('trainedAt', types.timestamp, (c) => c.notNull())
        .addColumn('model', types.text, (c) => c.notNull())
        .addColumn('metrics', types.text, (c) => c.notNull())
        .addPrimaryKeyConstraint('predict_models_pk', ['tenantId', 'kind', 'version'])
        .execute();
      await db.schema
        .createTable('predictLeadScores')
        .addColumn('tenantId', types.text, (c) => c.notNull().references('tenants.id'))
        .addColumn('leadId', types.text, (c) => c.notNull())
        .addColumn('probability', types.double, (c) => c.notNull())
        .addColumn('lower', types.double)
        .addColumn('upper', types.double)
        .addColumn('method', types.text, (c) => c.notNull())
        .addColumn('modelVersion', types.integer, (c) => c.notNull())
        .addColumn('scoredAt', types.timestamp, (c) => c.notNull())
        .addColumn('factors', types.text, (c) => c.notNull())
        .addPrimaryKeyConstraint('predict_lead_scores_pk', ['tenantId', 'leadId'])
        .addForeignKeyConstraint(
          'predict_lead_scores_lead_fk',
          ['tenantId', 'leadId'],
          'leads',
          ['tenantId', 'id'],
          (fk) => fk.onDelete('cascade'),
        )
        .execute();
    },
    async down(db) {
      await db.schema.dropTable('predictLeadScores').execute();
      await db.schema.dropTable('predictModels').execute();
    },
  },
  // A model trained for a forecast is reused while its inputs are the same: the key names them.
  '0002-model-cache-key': {
    async up(db, { types }) {
      await db.schema.alterTable('predictModels').addColumn('cacheKey', types.text).execute();
    },
    async down(db) {
      await db.schema.alterTable('predictModels').dropColumn('cacheKey').execute();
    },
  },
};
