import { definePlugin } from '@rapport/core/plugin';
import { scoreNewLead } from '../leads/lead-scoring.js';
import { predictMigrations } from '../store/predict-migrations.js';
import { predictTables } from '../store/predict-tables.js';
import {
  expectedConversionsKpi,
  expectedLeadPipelineKpi,
  leadQualityKpi,
} from './lead-score-kpis.js';

/** The predict plugin's KPIs. */
export const predictKpis = [
  expectedConversionsKpi,
  leadQualityKpi,
  expectedLeadPipelineKpi,
] as const;

/**
 * The predict plugin: its tables (models with metrics, lead scores), the lead-score KPIs, and an
 * `afterCreate` hook that scores every new lead with the tenant's latest model, inside the
 * create's transaction.
 *
 * @example
 * const crm = createCrm({ storage: sqliteStorage(), plugins: [predictPlugin()] });
 * await crm.migrate();
 */
export function predictPlugin() {
  return definePlugin({
    id: 'predict',
    kpis: predictKpis,
    tables: predictTables,
    migrations: predictMigrations,
    hooks: {
      lead: {
        // Typed from the lead; the scope is the write's, so the score commits with the lead.
        async afterCreate({ scope, record }) {
          await scoreNewLead(scope, record);
        },
      },
    },
  });
}

/**
 * The predict plugin as a value, for loaders that pick plugins from a package's exports (the
 * CLI's `kpiPackages`).
 *
 * @example
 * const crm = createCrm({ storage: sqliteStorage(), plugins: [predictKpiPlugin] });
 */
export const predictKpiPlugin = predictPlugin();
