import type { AnyDatabase, CrmScope } from '@rapport/core';
import type { Kysely } from 'kysely';

/**
 * The kysely handle a scope runs on (its transaction's, else the engine's), for the predict
 * plugin's own tables. Core's public API creates plugin tables (migrations) but has no typed
 * access to them yet (DESIGN.md plans `init(ctx)`); `@rapport/http`'s key store reads its table
 * the same way. Every query on these tables names the scope's tenant.
 *
 * @example
 * const db = pluginDatabase(scope);
 */
export function pluginDatabase(scope: CrmScope): Kysely<AnyDatabase> {
  // The state is typed as core's (exported) ScopeState; it is the only road to a plugin table.
  return scope.state.tx?.trx ?? scope.state.engine.db;
}
