import { type AnyRapportPlugin, type Crm, createCrm } from '@rapport/core';
import { predictPlugin } from '@rapport/predict';
import { databaseLocation } from '../database/database-location.js';
import { loadKpiPlugins } from '../database/kpi-plugins.js';
import { openCrm, openStorage } from '../database/open-crm.js';

/**
 * The engine with the installed KPI plugins and the predict plugin (its tables, hook and KPIs),
 * migrated, on the `--db` location (which must exist).
 *
 * @example
 * const crm = await openPredictCrm(flags.db);
 * try { ... } finally { await crm.destroy(); }
 */
export async function openPredictCrm(
  db: string | undefined,
): Promise<Crm<readonly AnyRapportPlugin[]>> {
  const location = databaseLocation(db);
  // openCrm checks that the location exists (with the message the other commands give).
  const probe = await openCrm(location, { mustExist: true });
  await probe.close();
  const plugins = await loadKpiPlugins();
  // The installed package is one of the KPI packages; this command needs it even if that failed.
  const withPredict = plugins.some((p) => p.id === 'predict')
    ? plugins
    : [...plugins, predictPlugin()];
  const crm = createCrm({ storage: openStorage(location), plugins: withPredict });
  await crm.migrate();
  return crm;
}
