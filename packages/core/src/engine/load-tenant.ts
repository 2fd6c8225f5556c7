import { RapportError } from '../errors/rapport-error.js';
import type { Tenant } from '../tenancy/tenant.js';
import { coreDbOf, type ScopeState } from './engine-state.js';

/** @internal Loads (once per scope) the tenant's settings; NOT_FOUND for an unknown tenant. */
export async function loadTenant(state: ScopeState): Promise<Tenant> {
  if (state.cache.tenant) return state.cache.tenant;
  const row = await coreDbOf(state)
    .selectFrom('tenants')
    .selectAll()
    .where('id', '=', state.tenantId)
    .executeTakeFirst();
  if (!row)
    throw new RapportError('NOT_FOUND', `tenant ${state.tenantId} does not exist`, {
      object: 'tenant',
      id: state.tenantId,
    });
  state.cache.tenant = row;
  return row;
}

/**
 * @internal A read of records that checks its tenant only when it must: every record row's
 * `tenantId` references `tenants.id` (a foreign key; tenants are never deleted), so a statement
 * that returned a row of the tenant proved the tenant exists, as of that statement, and needs no
 * statement of its own for it. `build` makes the statement (it may throw VALIDATION for a bad
 * filter: an unknown tenant is NOT_FOUND first, as when the tenant was read before anything);
 * `run` executes it, and when `found` says it read no row the tenant is read (NOT_FOUND for an
 * unknown one: a mistyped tenant id must not look like an empty CRM). An error of `run` itself
 * is left as it is (on Postgres, a failed statement aborts the transaction: a read after it would
 * hide the error). This saves a list, count or get its one round trip for the tenant row on
 * every request made in a fresh scope (each HTTP request).
 */
export async function readProvingTenant<TQuery, TResult>(
  state: ScopeState,
  build: () => Promise<TQuery>,
  run: (query: TQuery) => Promise<TResult>,
  found: (result: TResult) => boolean,
): Promise<TResult> {
  let query: TQuery;
  try {
    query = await build();
  } catch (error) {
    await loadTenant(state);
    throw error;
  }
  const result = await run(query);
  if (!found(result)) await loadTenant(state);
  return result;
}
