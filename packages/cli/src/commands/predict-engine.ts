import type { AnyRapportPlugin, Crm } from '@rapport/core';
import { loadConfig } from '../config/load-config.js';
import { openCrm } from '../database/open-crm.js';
import { type ProjectFlags, projectDatabase, projectTenant } from '../database/open-project.js';
import { InputError } from '../errors/cli-errors.js';

/** The engine of a predict command and the tenant it works in. */
export interface PredictEngine {
  /** The engine, migrated; `destroy()` it when done. */
  readonly crm: Crm<readonly AnyRapportPlugin[]>;
  /** `--tenant`, else `RAPPORT_TENANT`, else the config's tenant, else `demo`. */
  readonly tenantId: string;
}

/**
 * The engine as every command opens it (the http plugin, the installed KPI packages, the predict
 * plugin among them, the project config's custom fields), migrated, on the project's database
 * (`--db`, `RAPPORT_DB` or the config's; it must exist) and tenant. Opening with fewer
 * plugins than the ones that migrated the database would fail: kysely refuses a database whose
 * applied migrations it does not know (a `rapport demo` database has the http plugin's).
 *
 * @example
 * const { crm, tenantId } = await openPredictCrm({ db: 'rapport-demo.sqlite' });
 * try {
 *   crm.tenant(tenantId).system().kpis.definitions().length;
 * } finally {
 *   await crm.destroy();
 * }
 */
export async function openPredictCrm(flags: ProjectFlags): Promise<PredictEngine> {
  const config = await loadConfig({ path: flags.config });
  const opened = await openCrm(projectDatabase(flags, config), { mustExist: true, config });
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
  return { crm: opened.crm, tenantId: projectTenant(flags, config) };
}
