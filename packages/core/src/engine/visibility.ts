import { sql } from 'kysely';
import type { AnyObjectDefinition } from '../objects/object-definition.js';
import type { SharingObject, SharingSettings } from '../tenancy/sharing.js';
import { coreDbOf, type ScopeState } from './engine-state.js';
import { loadTenant } from './load-tenant.js';
import { loadSharing } from './sharing-settings.js';

export { loadTenant, readProvingTenant } from './load-tenant.js';
export { requireAdmin, requireWriter } from './roles.js';

/** @internal What an actor does with records: reads them (lists, counts, KPIs) or changes them. */
export type AccessMode = 'read' | 'write';

/** @internal The owner ids an actor sees for an object, or all of them. */
export type OwnerSet = ReadonlySet<string> | 'all';

/** @internal The users an actor is related to: itself and its reports; its team. */
export interface ActorPeople {
  /** The actor and, for managers and readonly users, everyone below it by `managerId`. */
  readonly hierarchy: ReadonlySet<string>;
  /** The users with the actor's `teamId` (the actor too), empty when it has no team. */
  readonly team: ReadonlySet<string>;
}

const nobody: ReadonlySet<string> = new Set();

/** The actor's hierarchy and team (once per scope), reading the users only when needed. */
async function peopleOf(state: ScopeState, sharing: SharingSettings): Promise<ActorPeople> {
  const { actor } = state;
  const needsTeam = sharing.teams !== 'off';
  const cached = state.cache.people;
  if (cached && (cached.team !== undefined || !needsTeam)) {
    return { hierarchy: cached.hierarchy, team: cached.team ?? nobody };
  }
  const reportsCount = actor.role === 'manager' || actor.role === 'readonly';
  if (!reportsCount && !needsTeam) {
    state.cache.people = { hierarchy: new Set([actor.id]) };
    return { hierarchy: new Set([actor.id]), team: nobody };
  }
  const rows = await coreDbOf(state)
    .selectFrom('users')
    .select(['id', 'managerId', 'teamId'])
    .where('tenantId', '=', state.tenantId)
    .execute();
  const hierarchy = new Set([actor.id]);
  if (reportsCount) {
    const reports = new Map<string, string[]>();
    for (const row of rows) {
      if (row.managerId === null) continue;
      const list = reports.get(row.managerId) ?? [];
      list.push(row.id);
      reports.set(row.managerId, list);
    }
    const queue = [actor.id];
    for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
      for (const child of reports.get(next) ?? []) {
        if (!hierarchy.has(child)) {
          hierarchy.add(child);
          queue.push(child);
        }
      }
    }
  }
  const teamId = rows.find((row) => row.id === actor.id)?.teamId ?? null;
  const team =
    teamId === null ? nobody : new Set(rows.filter((r) => r.teamId === teamId).map((r) => r.id));
  state.cache.people = { hierarchy, team };
  return { hierarchy, team };
}

/**
 * @internal The one rule of who sees and changes what, as a set of owner ids per object (or
 * all): lists, gets, filters, sorts, counts, KPIs, breakdowns and reference checks read through
 * it (by {@link visibilityCondition}), and writes ask it with `write`. So anything keyed by owner
 * (a rollup per owner) applies exactly the visibility of a list by filtering on this set.
 * - admins: all;
 * - the `readonly` role: reads as a manager does, writes nothing (an empty set);
 * - objects everyone reads (users, products, ...): all for reads, nobody for writes (admins);
 * - the org-wide default of the object (line items and stage history follow the opportunity):
 *   `publicRead` is all for reads, `publicReadWrite` all for reads and writes; quotas are
 *   written by admins whatever it says;
 * - otherwise the actor, its reports (managers, readonly) and, when team sharing allows the
 *   access, the members of its team.
 *
 * @example
 * const owners = await visibleOwners(state, 'opportunity'); // Set { 'rita', 'otto' } or 'all'
 */
export async function visibleOwners(
  state: ScopeState,
  object: string,
  mode: AccessMode = 'read',
): Promise<OwnerSet> {
  const { actor } = state;
  if (actor.role === 'admin') return 'all';
  if (mode === 'write' && actor.role === 'readonly') return nobody;
  const definition = state.engine.objects[object];
  if (!definition) throw new Error(`visibleOwners: unknown object ${object}`);
  if (definition.access === 'shared') return mode === 'read' ? 'all' : nobody;
  if (definition.access === 'assigned' && mode === 'write') return nobody;
  const key = `${object}:${mode}`;
  const owners = state.cache.owners ?? new Map<string, OwnerSet>();
  state.cache.owners = owners;
  const cached = owners.get(key);
  if (cached) return cached;
  const sharing = await loadSharing(state);
  const owning = definition.access === 'opportunity' ? 'opportunity' : definition.name;
  // Cast: an owning object of an owned record is one of the objects with sharing defaults.
  const level = sharing.defaults[owning as SharingObject] ?? 'private';
  let result: OwnerSet;
  if (level === 'publicReadWrite' || (mode === 'read' && level === 'publicRead')) {
    result = 'all';
  } else {
    const people = await peopleOf(state, sharing);
    const teamShares = mode === 'read' ? sharing.teams !== 'off' : sharing.teams === 'readWrite';
    result = teamShares ? new Set([...people.hierarchy, ...people.team]) : people.hierarchy;
  }
  owners.set(key, result);
  return result;
}

/** @internal Whether the actor may read (or change) records of `object` owned by `ownerId`. */
export async function canAccessOwner(
  state: ScopeState,
  object: string,
  ownerId: string,
  mode: AccessMode,
): Promise<boolean> {
  const owners = await visibleOwners(state, object, mode);
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
  return ownersCondition(state, definition, alias);
}

/**
 * @internal {@link visibilityCondition} without its check that the tenant exists: only for a
 * read that checks it through {@link readProvingTenant} (its rows prove the tenant, and it reads
 * the tenant when it found none).
 */
export async function ownersCondition(
  state: ScopeState,
  definition: AnyObjectDefinition,
  alias: string,
): Promise<ReturnType<typeof sql<boolean>> | undefined> {
  if (definition.access === 'shared') return undefined;
  const owners = await visibleOwners(state, definition.name);
  if (owners === 'all') return undefined;
  const ids = [...owners];
  if (ids.length === 0) return sql<boolean>`1 = 0`;
  if (definition.access !== 'opportunity') {
    return sql<boolean>`${sql.ref(`${alias}.ownerId`)} in (${sql.join(ids)})`;
  }
  return sql<boolean>`${sql.ref(`${alias}.opportunityId`)} in (select ${sql.ref('visibleOpportunity.id')} from ${sql.table('opportunities')} as ${sql.ref('visibleOpportunity')} where ${sql.ref('visibleOpportunity.tenantId')} = ${state.tenantId} and ${sql.ref('visibleOpportunity.ownerId')} in (${sql.join(ids)}))`;
}
