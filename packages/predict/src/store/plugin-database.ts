import type { CrmScope } from '@rapport/core';
import { pluginTablesOf } from '@rapport/core/plugin';
import { predictPluginTables } from './predict-tables.js';

/**
 * The predict plugin's tables as `scope` sees them: its tenant, its transaction.
 *
 * @example
 * const rows = await predictTablesOf(scope).selectFrom('predictModels').selectAll().execute();
 */
export function predictTablesOf(scope: CrmScope) {
  return pluginTablesOf(scope, predictPluginTables);
}
