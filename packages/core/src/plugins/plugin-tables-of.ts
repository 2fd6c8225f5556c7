import type { Kysely } from 'kysely';
import { dbOf } from '../engine/engine-state.js';
import { scopeStateOf } from '../engine/scope-states.js';
import { RapportError } from '../errors/rapport-error.js';
import { type PluginTenantTables, tenantTablesOf } from './plugin-context.js';
import type { PluginDatabase, PluginTables } from './plugin-tables.js';

/**
 * A plugin's own tables as a scope sees them: narrowed to the scope's tenant and bound to its
 * transaction (inside `scope.transaction(...)` a write there commits or rolls back with the
 * records). For plugin APIs that take a scope, as `trainLeadModel(scope)` does; typed from the
 * plugin's `tables` declaration.
 *
 * @example
 * import { definePlugin } from '@rapport/core/plugin';
 *
 * const npsPlugin = definePlugin({
 *   id: 'acme-nps',
 *   tables: { npsResponses: { tenantId: 'text', id: 'text', score: 'integer' } },
 * });
 * await scope.transaction(async (tx) => {
 *   await pluginTablesOf(tx, npsPlugin).insertInto('npsResponses', { id: 'r1', score: 9 }).execute();
 * });
 */
export function pluginTablesOf<TTables extends PluginTables>(
  scope: unknown,
  plugin: { readonly id: string; readonly tables?: TTables },
): PluginTenantTables<PluginDatabase<TTables>> {
  const state = scopeStateOf(scope);
  if (!state.engine.plugins.some((registered) => registered.id === plugin.id)) {
    throw new RapportError(
      'UNSUPPORTED',
      `plugin ${plugin.id} is not registered on this engine: createCrm({ plugins: [...] })`,
    );
  }
  // The engine's database holds the plugin's tables (its migrations made them); their declared
  // columns are what this view types.
  const db = dbOf(state) as unknown as Kysely<PluginDatabase<TTables>>;
  return tenantTablesOf(db, state.tenantId);
}
