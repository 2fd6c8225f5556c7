import type { Kysely, UpdateQueryBuilder, UpdateResult } from 'kysely';
import { dbOf, type ScopeState } from '../engine/engine-state.js';
import { decodeRow } from '../engine/record-codec.js';
import { rewriteUpkeep, updateUpkeep } from '../engine/record-upkeep.js';
import type { StoredRecord } from '../engine/stored-record.js';
import { opportunityObject, stageHistoryObject } from '../objects/standard-objects.js';
import type { AnyDatabase } from '../storage/migration-context.js';
import { refreshConvertedStatuses } from './converted-status.js';

// Values the KPIs would otherwise recompute per row on every read, kept at write time by
// recomputing them for the records a write touched. One statement per 500 records (well under
// every dialect's parameter limit), each an index seek per row: the covering indexes of
// `0002-kpi-covering-indexes` and `0003-widen-kpi-indexes` serve the lookups.

const idsPerStatement = 500;

type Db = Kysely<AnyDatabase>;

/** The ids in chunks; a single `undefined` chunk (every row) when no ids are given. */
function chunks(ids: readonly string[] | undefined): (readonly string[] | undefined)[] {
  if (ids === undefined) return [undefined];
  const unique = [...new Set(ids)];
  const result: string[][] = [];
  for (let start = 0; start < unique.length; start += idsPerStatement) {
    result.push(unique.slice(start, start + idsPerStatement));
  }
  return result;
}

/**
 * Runs a recomputing UPDATE once per chunk of `ids` (matched on `idColumn`; every row without
 * ids), narrowed to the tenant when one is given, and returns the ids of the rows it rewrote.
 */
async function rewriteInChunks(
  tenantId: string | undefined,
  idColumn: string,
  ids: readonly string[] | undefined,
  update: () => UpdateQueryBuilder<AnyDatabase, string, string, UpdateResult>,
): Promise<string[]> {
  const rewritten: string[] = [];
  for (const chunk of chunks(ids)) {
    if (chunk?.length === 0) continue;
    let query = update();
    if (tenantId !== undefined) query = query.where('tenantId', '=', tenantId);
    if (chunk) query = query.where(idColumn, 'in', chunk);
    for (const row of await query.returning('id').execute()) rewritten.push(String(row.id));
  }
  return rewritten;
}

/**
 * @internal Recomputes `exitedAt` and `advancedAt` of the stage history of some opportunities
 * (of every opportunity without ids; of every tenant without a tenant id): the first later entry
 * of the deal in another stage, and the first such entry whose status is not lost. Exactly what
 * the stage KPIs looked up per entry before (strictly later `createdAt`, another stage), so the
 * figures are the same. Returns the ids of the rows it rewrote.
 */
export async function refreshStageExits(
  db: Db,
  tenantId: string | undefined,
  opportunityIds?: readonly string[],
): Promise<string[]> {
  const later = db
    .selectFrom('stageHistory as kLater')
    .whereRef('kLater.tenantId', '=', 'stageHistory.tenantId')
    .whereRef('kLater.opportunityId', '=', 'stageHistory.opportunityId')
    .whereRef('kLater.createdAt', '>', 'stageHistory.createdAt')
    .whereRef('kLater.stage', '<>', 'stageHistory.stage');
  return rewriteInChunks(tenantId, 'opportunityId', opportunityIds, () =>
    db.updateTable('stageHistory').set((eb) => ({
      exitedAt: later.select(eb.fn.min('kLater.createdAt').as('at')),
      advancedAt: later
        .where('kLater.status', '<>', 'lost')
        .select(eb.fn.min('kLater.createdAt').as('at')),
    })),
  );
}

/**
 * @internal Recomputes `firstActivityAt` of some leads (all without ids): the earliest
 * `completedAt` of the lead's completed activities, null without one. Returns the lead ids.
 */
export async function refreshFirstActivities(
  db: Db,
  tenantId: string | undefined,
  leadIds?: readonly string[],
): Promise<string[]> {
  return rewriteInChunks(tenantId, 'id', leadIds, () =>
    db.updateTable('leads').set((eb) => ({
      firstActivityAt: db
        .selectFrom('activities as kActivity')
        .select(eb.fn.min('kActivity.completedAt').as('at'))
        .whereRef('kActivity.tenantId', '=', 'leads.tenantId')
        .whereRef('kActivity.leadId', '=', 'leads.id')
        .where('kActivity.completedAt', 'is not', null),
    })),
  );
}

/**
 * @internal Recomputes `mainProductId` of some opportunities (all without ids): the product of
 * the line item with the largest total, ties to the smallest line item id (the order the
 * `product` breakdown used); null without line items. Returns the opportunity ids.
 */
export async function refreshMainProducts(
  db: Db,
  tenantId: string | undefined,
  opportunityIds?: readonly string[],
): Promise<string[]> {
  return rewriteInChunks(tenantId, 'id', opportunityIds, () =>
    db.updateTable('opportunities').set({
      mainProductId: largestItem(db)
        .whereRef('kItem.tenantId', '=', 'opportunities.tenantId')
        .whereRef('kItem.opportunityId', '=', 'opportunities.id'),
    }),
  );
}

/** The product of the line item with the largest total, ties to the smallest id (one row). */
function largestItem(db: Db) {
  return db
    .selectFrom('opportunityLineItems as kItem')
    .select('kItem.productId')
    .orderBy('kItem.totalPrice', 'desc')
    .orderBy('kItem.id')
    .limit(1);
}

/**
 * Recomputes every value the engine keeps at write time (stage history exits, leads' first
 * completed activity and converted deal's status, opportunities' main product) for one tenant, or for all without one. The
 * engine keeps them itself on every write through a scope; this is for rows written below it
 * (raw bulk loads such as `insertGeneratedData`, a restored dump). Run it in the transaction of
 * the load when there is one. Like the load, it is below the engine's rollups too (a deal whose
 * main product it changes is not moved in the `product` rollups): with rollups on, run
 * `crm.rebuildRollups()` after both.
 *
 * @example
 * import { refreshKeptValues, unscopedDatabase } from '@rapport/core/storage';
 * await refreshKeptValues(unscopedDatabase(crm), { tenantId: 'acme' });
 */
export async function refreshKeptValues(
  db: Kysely<AnyDatabase>,
  options: { readonly tenantId?: string } = {},
): Promise<void> {
  await refreshStageExits(db, options.tenantId);
  await refreshFirstActivities(db, options.tenantId);
  await refreshMainProducts(db, options.tenantId);
  await refreshConvertedStatuses(db, options.tenantId);
}

/**
 * @internal Keeps the stage history values of opportunities after a write added to their
 * history. No lock of its own: the update that added the entry holds the opportunity's row.
 */
export async function keepStageExits(
  state: ScopeState,
  opportunityIds: readonly string[],
): Promise<void> {
  // Rollups of stage history facts read the exits: their cells move by what the rewrite changed.
  const upkeep = await rewriteUpkeep(state, stageHistoryObject, 'opportunityId', opportunityIds);
  const ids = await refreshStageExits(dbOf(state), state.tenantId, opportunityIds);
  await upkeep.done();
  const cache = state.tx?.cache;
  if (!cache) return;
  // The rows were rewritten below the repository: the cache may only miss, never lie.
  cache.markWritten('stageHistory');
  for (const id of ids) cache.forgetRecord('stageHistory', id);
}

/**
 * @internal Locks the rows a kept value is written to before it is computed, where transactions run side
 * by side: the computing UPDATE then starts after a concurrent writer of the same row has
 * committed, so it sees that writer's activity or line item too (under READ COMMITTED its
 * snapshot would otherwise miss it, and the later commit would keep a stale value). A storage
 * that runs one transaction at a time needs no lock.
 */
export async function lockRows(
  state: ScopeState,
  table: 'leads' | 'opportunities',
  ids: readonly string[],
): Promise<void> {
  if (!state.engine.storage.concurrentTransactions) return;
  for (const chunk of chunks(ids)) {
    if (!chunk || chunk.length === 0) continue;
    await dbOf(state)
      .selectFrom(table)
      .select('id')
      .where('tenantId', '=', state.tenantId)
      .where('id', 'in', chunk)
      .orderBy('id')
      // Not FOR UPDATE: the write's own foreign key already holds a key-share lock on the row,
      // which FOR UPDATE conflicts with (two writers would deadlock); NO KEY UPDATE does not.
      .forNoKeyUpdate()
      .execute();
  }
}

/** @internal Keeps the first completed activity of leads after a write to their activities. */
export async function keepFirstActivities(
  state: ScopeState,
  leadIds: readonly string[],
): Promise<void> {
  await lockRows(state, 'leads', leadIds);
  const ids = await refreshFirstActivities(dbOf(state), state.tenantId, leadIds);
  const cache = state.tx?.cache;
  if (!cache) return;
  cache.markWritten('leads');
  for (const id of ids) cache.forgetRecord('leads', id);
}

/**
 * @internal Keeps the main product of an opportunity after a write to its line items. A value
 * that moves is written as an update of the deal, with or without rollups (every engine's
 * upkeep at least guards the rollups other engines keep): its contribution leaves the old
 * product's rows and joins the new one's in this transaction, and its version moves on, as for
 * any change of a deal's fields. The version is what keeps a concurrent
 * update exact: that update moves the deal's contribution from the row it read, and its
 * `version = read` condition refuses (CONFLICT) a row whose main product moved since.
 * `previous` is the deal as stored now in this transaction, read under its row lock
 * ({@link lockedOpportunity}) by the caller, which summed its items after that lock.
 */
export async function keepMainProduct(state: ScopeState, previous: StoredRecord): Promise<void> {
  const cache = state.tx?.cache;
  const opportunityId = previous.id;
  const next = await mainProductOf(state, opportunityId);
  if ((previous.mainProductId ?? null) === next) return;
  const upkeep = await updateUpkeep(
    state,
    opportunityObject,
    previous,
    { mainProductId: next },
    false,
  );
  cache?.markWritten('opportunities');
  cache?.forgetRecord('opportunities', opportunityId);
  try {
    await dbOf(state)
      .updateTable('opportunities')
      .set((eb) => ({ mainProductId: next, version: eb('version', '+', 1) }))
      .where('tenantId', '=', state.tenantId)
      .where('id', '=', opportunityId)
      .execute();
  } catch (error) {
    // Where the failed statement left the transaction usable (SQLite), the kept data must be whole.
    await upkeep.restore().catch(() => undefined);
    throw error;
  }
  await upkeep.done({ ...previous, mainProductId: next, version: previous.version + 1 });
}

/**
 * @internal The opportunity's row as stored now, locked where transactions run side by side (the lock of
 * {@link lockRows}, which the line item's foreign key does not conflict with), so nothing moves
 * it between this read and the write of its main product: the state its kept data was last
 * computed from. Read from the database, not the transaction's cache: another transaction may
 * have committed a change since this one cached the row.
 */
export async function lockedOpportunity(
  state: ScopeState,
  opportunityId: string,
): Promise<StoredRecord | undefined> {
  let query = dbOf(state)
    .selectFrom('opportunities')
    .selectAll()
    .where('tenantId', '=', state.tenantId)
    .where('id', '=', opportunityId);
  if (state.engine.storage.concurrentTransactions) query = query.forNoKeyUpdate();
  const row = await query.executeTakeFirst();
  return row && decodeRow(state.engine.storage.sql, opportunityObject, row);
}

/**
 * The main product of an opportunity from its line items (null without one), as
 * {@link refreshMainProducts} computes it. Read after the opportunity's lock: every writer of
 * its line items takes that lock before it commits, so the items cannot change before the write.
 */
async function mainProductOf(state: ScopeState, opportunityId: string): Promise<string | null> {
  const row = await largestItem(dbOf(state))
    .where('kItem.tenantId', '=', state.tenantId)
    .where('kItem.opportunityId', '=', opportunityId)
    .executeTakeFirst();
  return row ? String(row.productId) : null;
}
