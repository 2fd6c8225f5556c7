import { sql } from 'kysely';
import { RapportError } from '../errors/rapport-error.js';
import type { AnyObjectDefinition } from '../objects/object-definition.js';
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
 * @internal The owner ids whose records the actor sees: all for admins; the actor and everyone
 * below it in the `managerId` tree for managers; the actor alone for reps.
 */
export async function visibleOwners(state: ScopeState): Promise<ReadonlySet<string> | 'all'> {
  if (state.cache.visibleOwners) return state.cache.visibleOwners;
  const { actor } = state;
  let result: ReadonlySet<string> | 'all';
  if (actor.role === 'admin') {
    result = 'all';
  } else if (actor.role === 'rep') {
    result = new Set([actor.id]);
  } else {
    const rows = await coreDbOf(state)
      .selectFrom('users')
      .select(['id', 'managerId'])
      .where('tenantId', '=', state.tenantId)
      .where('managerId', 'is not', null)
      .execute();
    const reports = new Map<string, string[]>();
    for (const row of rows) {
      if (row.managerId === null) continue;
      const list = reports.get(row.managerId) ?? [];
      list.push(row.id);
      reports.set(row.managerId, list);
    }
    const seen = new Set([actor.id]);
    const queue = [actor.id];
    for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
      for (const child of reports.get(next) ?? []) {
        if (!seen.has(child)) {
          seen.add(child);
          queue.push(child);
        }
      }
    }
    result = seen;
  }
  state.cache.visibleOwners = result;
  return result;
}

/** @internal Whether the actor sees records owned by `ownerId`. */
export async function canSeeOwner(state: ScopeState, ownerId: string): Promise<boolean> {
  const owners = await visibleOwners(state);
  return owners === 'all' || owners.has(ownerId);
}

/**
 * @internal A SQL condition that keeps the rows of a table the actor may see, or undefined when
 * the actor sees all of them. `alias` is the table's alias in the query.
 */
export async function visibilityCondition(
  state: ScopeState,
  definition: AnyObjectDefinition,
  alias: string,
): Promise<ReturnType<typeof sql<boolean>> | undefined> {
  // A read in a tenant that does not exist is NOT_FOUND, as a write is, not silently empty
  // (a mistyped tenant id would otherwise look like an empty CRM). Cached per scope.
  await loadTenant(state);
  if (definition.access === 'shared') return undefined;
  const owners = await visibleOwners(state);
  if (owners === 'all') return undefined;
  const ids = [...owners];
  if (definition.access === 'owned') {
    return sql<boolean>`${sql.ref(`${alias}.ownerId`)} in (${sql.join(ids)})`;
  }
  return sql<boolean>`${sql.ref(`${alias}.opportunityId`)} in (select ${sql.ref('visibleOpportunity.id')} from ${sql.table('opportunities')} as ${sql.ref('visibleOpportunity')} where ${sql.ref('visibleOpportunity.tenantId')} = ${state.tenantId} and ${sql.ref('visibleOpportunity.ownerId')} in (${sql.join(ids)}))`;
}

/** @internal Throws FORBIDDEN unless the actor is an admin. */
export function requireAdmin(state: ScopeState, what: string): void {
  if (state.actor.role !== 'admin') {
    throw new RapportError('FORBIDDEN', `only admins may ${what}`);
  }
}
