import { sql } from 'kysely';
import { coreDbOf, dbOf, type ScopeState, type TransactionState } from '../engine/engine-state.js';
import type { RecordUpkeep, WriteUpkeep } from '../engine/record-upkeep.js';
import type { RollupPlan } from './rollup-definition.js';
import { keptRollupsOf } from './rollup-upkeep.js';

/** The tenants each transaction has already guarded: one statement per tenant and transaction. */
const guardedByTransaction = new WeakMap<TransactionState, Set<string>>();

const keepsNothing: WriteUpkeep<unknown> = { restore: async () => {}, done: async () => {} };

const idsByPlan = new WeakMap<RollupPlan, readonly string[]>();

/** The ids of the rollups the scope's engine keeps itself: none with rollups off. */
function keptIds(state: ScopeState): readonly string[] {
  const plan = keptRollupsOf(state.engine);
  if (!plan) return [];
  let ids = idsByPlan.get(plan);
  if (!ids) {
    ids = plan.rollups.map((rollup) => rollup.id);
    idsByPlan.set(plan, ids);
  }
  return ids;
}

/**
 * @internal Forgets, in the writing transaction, that the tenant's rollups which this engine
 * does not keep are complete: an engine with rollups off (or with other plugins, whose rollups
 * have other ids) writes records that another engine's cells do not count, so those cells would
 * read stale. Without their build rows the other engine scans, exactly, until its next
 * `rebuildRollups`. Called by every write (through {@link guardedUpkeep}) and by a change of the
 * tenant's time zone (which moves timestamp-dated rows to other months).
 *
 * Where transactions run side by side (Postgres), the tenant's row is locked FOR KEY SHARE
 * before the delete, by its own statement: a rebuild locks it FOR UPDATE before it reads the
 * records, so a write either finishes before the rebuild reads (and is counted) or waits until
 * the rebuild has committed its build rows, which the delete, a later statement with a later
 * snapshot, then sees and removes. (Waiting inside the delete's own statement would not do: under
 * READ COMMITTED its snapshot is older than the rows it waited for.) An insert has taken that
 * key share already, through its tenant foreign key (`tenantLocked`), and needs no second one.
 */
export async function forgetForeignBuilds(state: ScopeState, tenantLocked = false): Promise<void> {
  const { tx, tenantId } = state;
  const guarded = tx ? (guardedByTransaction.get(tx) ?? new Set<string>()) : undefined;
  if (guarded?.has(tenantId)) return;
  if (state.engine.storage.concurrentTransactions && !tenantLocked)
    await coreDbOf(state)
      .selectFrom('tenants')
      .select('id')
      .where('id', '=', tenantId)
      .forKeyShare()
      .execute();
  const kept = keptIds(state);
  let statement = dbOf(state).deleteFrom('rollupBuilds').where(sql.ref('tenantId'), '=', tenantId);
  if (kept.length > 0) statement = statement.where(sql.ref('rollup'), 'not in', kept);
  await statement.execute();
  // Only once it ran: a failed delete (the transaction still usable on SQLite) guards again.
  if (tx && guarded) {
    guarded.add(tenantId);
    guardedByTransaction.set(tx, guarded);
  }
}

/**
 * @internal Locks the tenant's row against every writer until the transaction ends (a rebuild,
 * see {@link forgetForeignBuilds}; a settings change, which decides on the zone it read);
 * nothing to do where one transaction runs at a time.
 */
export async function lockTenantRow(state: ScopeState): Promise<void> {
  if (!state.engine.storage.concurrentTransactions) return;
  await coreDbOf(state)
    .selectFrom('tenants')
    .select('id')
    .where('id', '=', state.tenantId)
    .forUpdate()
    .execute();
}

/**
 * @internal The write path's upkeep of every engine: each write first forgets the rollups the
 * engine does not keep ({@link forgetForeignBuilds}), then tells `kept` (the rollups' upkeep,
 * when this engine keeps rollups) what it does.
 */
export function guardedUpkeep(kept: RecordUpkeep | undefined): RecordUpkeep {
  return {
    async inserted(state, definition, records) {
      // The rows' tenant foreign key holds the tenant row's key share until the transaction ends.
      await forgetForeignBuilds(state, true);
      await kept?.inserted(state, definition, records);
    },
    async updating(state, definition, previous, changed, customChanged) {
      await forgetForeignBuilds(state);
      return kept
        ? kept.updating(state, definition, previous, changed, customChanged)
        : keepsNothing;
    },
    async deleting(state, definition, records) {
      await forgetForeignBuilds(state);
      return kept ? kept.deleting(state, definition, records) : keepsNothing;
    },
    async committing(state) {
      await kept?.committing?.(state);
    },
    async rewriting(state, definition, via, parentIds) {
      await forgetForeignBuilds(state);
      return kept?.rewriting ? kept.rewriting(state, definition, via, parentIds) : keepsNothing;
    },
  };
}
