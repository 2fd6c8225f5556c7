import type { z } from 'zod';
import { RapportError } from '../errors/rapport-error.js';
import { fromZodError } from '../errors/zod-issues.js';
import type { ObjectName } from '../objects/standard-objects.js';
import {
  defaultSharing,
  type SharingPatch,
  type SharingSettings,
  sharingLevels,
  sharingObjects,
  sharingPatchSchema,
  teamSharingLevels,
} from '../tenancy/sharing.js';
import { coreDbOf, nowOf, type ScopeState } from './engine-state.js';
import { loadTenant } from './load-tenant.js';
import { requireAdmin } from './roles.js';
import { inTransaction } from './transaction.js';

/**
 * Who sees and changes what beyond owner and hierarchy: org-wide defaults per object and team
 * sharing (see `docs/security.md`). Everyone reads them; admins change them.
 *
 * @example
 * await admin.sharing.update({ defaults: { account: 'publicRead' }, teams: 'read' });
 * (await rep.sharing.settings()).defaults.account; // 'publicRead'
 */
export interface SharingService {
  /** The tenant's sharing settings. */
  settings(): Promise<SharingSettings>;
  /**
   * Changes them (admins; FORBIDDEN for others, VALIDATION for an unknown object or level).
   * Objects not named keep their default. Scopes made afterwards see the change; a scope
   * that made the change sees it at once.
   */
  update(patch: SharingPatch): Promise<SharingSettings>;
  /**
   * The owners whose records of `object` this scope reads: `'all'`, or their user ids. It is
   * the one rule every list, count and KPI of the scope applies, for a plugin that must tell an
   * owner out of sight from an owner without records (a forecast of chosen owners) without
   * deriving the rule again. VALIDATION for an object the engine does not have.
   *
   * @example
   * const owners = await rep.sharing.visibleOwners('opportunity'); // 'all', or Set { 'rita' }
   */
  visibleOwners(object: ObjectName): Promise<'all' | ReadonlySet<string>>;
}

/** A stored value that is one of `levels`, or the fallback (a row written by a later version). */
function oneOf<T extends string>(levels: readonly T[], value: unknown, fallback: T): T {
  return levels.find((level) => level === value) ?? fallback;
}

/**
 * @internal The tenant's sharing settings (once per scope): the stored row, or the defaults for a
 * tenant that never changed them.
 */
export async function loadSharing(state: ScopeState): Promise<SharingSettings> {
  if (state.cache.sharing) return state.cache.sharing;
  const row = await coreDbOf(state)
    .selectFrom('sharingSettings')
    .selectAll()
    .where('tenantId', '=', state.tenantId)
    .executeTakeFirst();
  let settings = defaultSharing;
  if (row) {
    const stored: unknown = JSON.parse(row.defaults);
    const byObject = typeof stored === 'object' && stored !== null ? stored : {};
    const defaults = { ...defaultSharing.defaults };
    for (const object of sharingObjects) {
      const value: unknown = Object.getOwnPropertyDescriptor(byObject, object)?.value;
      defaults[object] = oneOf(sharingLevels, value, 'private');
    }
    settings = {
      defaults,
      teams: oneOf(teamSharingLevels, row.teams, 'off'),
      version: row.version,
    };
  }
  state.cache.sharing = settings;
  return settings;
}

/**
 * @internal `scope.sharing.update`: admins only; the objects named get the new default, the
 * others keep theirs. The scope's visibility is computed again from the new settings.
 */
export async function updateSharing(state: ScopeState, patch: unknown): Promise<SharingSettings> {
  requireAdmin(state, 'change sharing settings');
  const parsed = sharingPatchSchema.safeParse(patch);
  if (!parsed.success) throw fromZodError('sharing', parsed.error);
  try {
    return await writeSharing(state, parsed.data);
  } finally {
    // The scope's cache may hold what a rolled-back transaction wrote: read again next time.
    delete state.cache.sharing;
    delete state.cache.owners;
  }
}

async function writeSharing(
  state: ScopeState,
  patch: z.output<typeof sharingPatchSchema>,
): Promise<SharingSettings> {
  return inTransaction(state, async (tx) => {
    await loadTenant(tx);
    delete tx.cache.sharing;
    const current = await loadSharing(tx);
    const defaults = { ...current.defaults };
    for (const object of sharingObjects) {
      const level = patch.defaults?.[object];
      if (level !== undefined) defaults[object] = level;
    }
    const teams = patch.teams ?? current.teams;
    const values = {
      defaults: JSON.stringify(defaults),
      teams,
      version: current.version + 1,
      updatedAt: nowOf(tx).toISOString(),
      updatedBy: tx.actor.id,
    };
    const db = coreDbOf(tx);
    if (current.version === 0) {
      await db
        .insertInto('sharingSettings')
        .values({ tenantId: tx.tenantId, ...values })
        .execute();
    } else {
      const result = await db
        .updateTable('sharingSettings')
        .set(values)
        .where('tenantId', '=', tx.tenantId)
        .where('version', '=', current.version)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) {
        throw new RapportError(
          'CONFLICT',
          'the sharing settings changed meanwhile; read them again',
          {
            object: 'sharing',
          },
        );
      }
    }
    delete tx.cache.sharing;
    delete tx.cache.owners;
    return loadSharing(tx);
  });
}
