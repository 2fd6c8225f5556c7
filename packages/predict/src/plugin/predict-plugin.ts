import { type CrmRecord, type CrmScope, definePlugin } from '@rapport/core';
import { scoreNewLead } from '../leads/lead-scoring.js';
import { predictMigrations } from '../store/predict-migrations.js';
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
    migrations: predictMigrations,
    hooks: {
      lead: {
        async afterCreate({ scope, record }) {
          // Hooks see the scope and record untyped (core's HooksConfig is not generic over plugins).
          await scoreNewLead(scope as CrmScope, record as CrmRecord<'lead'>);
        },
      },
    },
  });
}
