import { sql } from 'kysely';
import { dbOf, nowOf, type ScopeState } from '../engine/engine-state.js';
import { inTransaction } from '../engine/transaction.js';
import { toNumber } from '../kpi/kpi-fold.js';
import {
  cellAmounts,
  cellKey,
  contributionMonths,
  contributions,
  countColumn,
  sumColumn,
  tenantCells,
} from './rollup-cells.js';
import { measureSlots, type RollupDefinition } from './rollup-definition.js';
import { flushDeltas } from './rollup-deltas.js';
import { lockTenantRow } from './rollup-guard.js';
import { timestampDate } from './rollup-month.js';
import { addContributions } from './rollup-upkeep.js';
import { zoneChanged } from './rollup-zone.js';

/**
 * One cell where the kept rollups and a recompute from the records disagree.
 *
 * @example
 * const difference: RollupDifference = { tenantId: 'acme', rollup: 'opportunity:total:x1', key: '2026-03|u1|EUR||1', kept: { n: 2, s: 0 }, recomputed: { n: 3, s: 0 } };
 */
export interface RollupDifference {
  /** The tenant. */
  readonly tenantId: string;
  /** The rollup's id (`object:dimension:hash`). */
  readonly rollup: string;
  /**
   * The cell: month, owner, currency, breakdown value and measure (`0` the source's rows, `x`
   * rows a product could not keep exactly, else the measure's slot), joined by `|`.
   */
  readonly key: string;
  /** What the rollup holds (zero when it holds no such cell). */
  readonly kept: { readonly n: number; readonly s: number };
  /** What the records add up to. */
  readonly recomputed: { readonly n: number; readonly s: number };
}

/**
 * What `crm.rebuildRollups()` and `crm.checkRollups()` report for one tenant.
 *
 * @example
 * const report: RollupReport = { tenantId: 'acme', rollups: 10, cells: 1520, differences: [] };
 */
export interface RollupReport {
  /** The tenant. */
  readonly tenantId: string;
  /** How many rollups the engine's KPIs define. */
  readonly rollups: number;
  /** How many cells the rollups hold (after a rebuild: the recomputed ones). */
  readonly cells: number;
  /** Cells that differ from a recompute (always empty right after a rebuild). */
  readonly differences: readonly RollupDifference[];
}

/**
 * @internal Marks rollups as complete for the scope's tenant: after a rebuild, or for a new
 * tenant (which has no records, so every rollup is trivially exact).
 */
export async function markBuilt(
  state: ScopeState,
  rollups: readonly RollupDefinition[],
): Promise<void> {
  if (rollups.length === 0) return;
  const builtAt = nowOf(state).toISOString();
  await dbOf(state)
    .insertInto('rollupBuilds')
    .values(rollups.map((rollup) => ({ tenantId: state.tenantId, rollup: rollup.id, builtAt })))
    .onConflict((conflict) => conflict.columns(['tenantId', 'rollup']).doUpdateSet({ builtAt }))
    .execute();
}

/** @internal The ids of the scope tenant's complete rollups. */
export async function builtRollups(state: ScopeState): Promise<ReadonlySet<string>> {
  const rows = await dbOf(state)
    .selectFrom('rollupBuilds as b')
    .select('b.rollup')
    .where(sql.ref('b.tenantId'), '=', state.tenantId)
    .execute();
  return new Set(rows.map((row: { rollup: string }) => row.rollup));
}

/** Rollup rows by key (`rollup`, NUL, month, owner, currency and group by `|`): their amounts. */
function rowMap(rows: readonly Readonly<Record<string, unknown>>[]) {
  const map = new Map<string, number[]>();
  for (const row of rows) {
    const amounts = cellAmounts.map((column) => toNumber(row[column]) ?? 0);
    // Rows that add nothing (a record moved away) are as good as no row.
    if (amounts.every((amount) => amount === 0)) continue;
    const parts = [row.bucket, row.ownerId, row.currency, row.groupKey].map(String).join('|');
    map.set(`${String(row.rollup)}\u0000${parts}`, amounts);
  }
  return map;
}

/**
 * The measures of one row key where two rows differ, as the check's cells: `0` the source's
 * rows, `x` the rows kept inexactly, else the measure's slot with its count and sum.
 */
function differingCells(kept: readonly number[], recomputed: readonly number[]) {
  const at = (amounts: readonly number[], column: string) =>
    // Cast: indexOf takes only the tuple's names; an unknown column finds -1 and reads 0.
    amounts[cellAmounts.indexOf(column as (typeof cellAmounts)[number])] ?? 0;
  const cells: { measure: string; kept: Cell; recomputed: Cell }[] = [];
  const add = (measure: string, n: string, s: string | undefined) => {
    const a = { n: at(kept, n), s: s ? at(kept, s) : 0 };
    const b = { n: at(recomputed, n), s: s ? at(recomputed, s) : 0 };
    if (a.n !== b.n || a.s !== b.s) cells.push({ measure, kept: a, recomputed: b });
  };
  add('0', 'n', undefined);
  add('x', 'x', undefined);
  for (let i = 1; i <= measureSlots; i += 1) add(String(i), countColumn(i), sumColumn(i));
  return cells;
}

type Cell = { readonly n: number; readonly s: number };

const cellColumns = [...cellKey, ...cellAmounts];

/**
 * @internal Recomputes every rollup of the scope's tenant from its records, in one transaction
 * (old cells and stale rollups of other plugin sets dropped), and marks them built.
 */
export async function rebuildTenant(
  state: ScopeState,
  rollups: readonly RollupDefinition[],
): Promise<RollupReport> {
  return inTransaction(state, async (tx) => {
    await flushDeltas(tx);
    await lockTenantRow(tx);
    await dbOf(tx).deleteFrom('rollupCells').where(sql.ref('tenantId'), '=', tx.tenantId).execute();
    await dbOf(tx)
      .deleteFrom('rollupBuilds')
      .where(sql.ref('tenantId'), '=', tx.tenantId)
      .execute();
    await addContributions(tx, rollups, undefined, 1);
    await markBuilt(tx, rollups);
    const [count] = await tenantCells(tx).select(sql`count(*)`.as('cells')).execute();
    return {
      tenantId: tx.tenantId,
      rollups: rollups.length,
      cells: toNumber(count?.cells) ?? 0,
      differences: [],
    };
  });
}

/**
 * @internal Compares the scope tenant's kept rollups with a recompute from its records, in one
 * transaction (one snapshot on Postgres), and lists every cell that differs.
 */
export async function checkTenant(
  state: ScopeState,
  rollups: readonly RollupDefinition[],
): Promise<RollupReport> {
  return inTransaction(state, async (tx) => {
    await flushDeltas(tx);
    const ids = rollups.map((rollup) => rollup.id);
    const kept: Record<string, unknown>[] =
      ids.length === 0
        ? []
        : await tenantCells(tx)
            .select(cellColumns.map((column) => sql.ref(`c.${column}`).as(column)))
            .where(sql.ref('c.rollup'), 'in', ids)
            .execute();
    const recomputed: Record<string, unknown>[] = [];
    const months = await contributionMonths(tx, rollups, undefined);
    for (const rollup of rollups) {
      // Row by row: spreading 100,000s of rows into push() overflows the call stack.
      for (const row of await contributions(tx, rollup, undefined, 1, months).execute())
        recomputed.push(row);
    }
    const have = rowMap(kept);
    const want = rowMap(recomputed);
    const differences: RollupDifference[] = [];
    const none = cellAmounts.map(() => 0);
    for (const key of new Set([...have.keys(), ...want.keys()])) {
      const a = have.get(key) ?? none;
      const b = want.get(key) ?? none;
      if (a.every((amount, i) => amount === b[i])) continue;
      const [rollup = '', row = ''] = key.split('\u0000');
      for (const cell of differingCells(a, b))
        differences.push({
          tenantId: tx.tenantId,
          rollup,
          key: `${row}|${cell.measure}`,
          kept: cell.kept,
          recomputed: cell.recomputed,
        });
    }
    return { tenantId: tx.tenantId, rollups: rollups.length, cells: kept.length, differences };
  });
}

/**
 * @internal After the scope tenant's time zone changed to `timeZone` (in this transaction):
 * the rows of its timestamp-dated rollups are keyed by local months of the old zone, so they are
 * deleted and recomputed from the records in the new one, like a rebuild of just those rollups.
 * Their build rows stay as they were: a complete rollup is complete again, an incomplete one
 * still waits for a rebuild. Day-dated rollups and snapshots do not depend on the zone.
 */
export async function rezoneTenant(
  state: ScopeState,
  rollups: readonly RollupDefinition[],
  timeZone: string,
): Promise<void> {
  // Held-back cells of the old zone's months go in before those months are recomputed.
  await flushDeltas(state);
  zoneChanged(state, timeZone);
  const zoned = rollups.filter((rollup) => timestampDate(rollup) !== undefined);
  if (zoned.length === 0) return;
  await dbOf(state)
    .deleteFrom('rollupCells')
    .where(sql.ref('tenantId'), '=', state.tenantId)
    .where(
      sql.ref('rollup'),
      'in',
      zoned.map((rollup) => rollup.id),
    )
    .execute();
  await addContributions(state, zoned, undefined, 1);
}
