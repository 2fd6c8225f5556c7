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
