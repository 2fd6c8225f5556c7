import type { AnyRapportPlugin, Crm } from '@rapport/core';
import { databaseLocation } from '../database/database-location.js';
import { openCrm } from '../database/open-crm.js';
import { InputError } from '../errors/cli-errors.js';

/**
 * The engine as every command opens it (the http plugin, the installed KPI packages, the predict
 * plugin among them), migrated, on the `--db` location (which must exist). Opening with fewer
 * plugins than the ones that migrated the database would fail: kysely refuses a database whose
 * applied migrations it does not know (a `rapport demo` database has the http plugin's).
 *
 * @example
 * const crm = await openPredictCrm('rapport-demo.sqlite');
 * try {
 *   crm.tenant('demo').system().kpis.definitions().length;
 * } finally {
 *   await crm.destroy();
 * }
 */
export async function openPredictCrm(
  db: string | undefined,
): Promise<Crm<readonly AnyRapportPlugin[]>> {
  const opened = await openCrm(databaseLocation(db), { mustExist: true });
  if (!opened.crm.plugins.some((plugin) => plugin.id === 'predict')) {
    await opened.close();
    throw new InputError('@rapport/predict is not installed: npm install @rapport/predict');
  }
  try {
    await opened.crm.migrate();
  } catch (error) {
    await opened.close();
    throw error;
  }
  return opened.crm;
}
