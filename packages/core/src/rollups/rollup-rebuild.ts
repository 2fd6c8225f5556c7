import { sql } from 'kysely';
import { dbOf, type ScopeState } from '../engine/engine-state.js';
import { inTransaction } from '../engine/transaction.js';
import { toNumber } from '../kpi/kpi-fold.js';
import {
  cellAmounts,
  cellKey,
  contributions,
  countColumn,
  sumColumn,
  tenantCells,
} from './rollup-cells.js';
import { measureSlots, type RollupDefinition } from './rollup-plan.js';
import { addContributions } from './rollup-upkeep.js';

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
  const builtAt = state.engine.now().toISOString();
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

/**
 * A rollup row as cells of the check's report, one per measure (`0`: the source's rows, `x`: rows
 * kept inexactly), keyed `rollup`, NUL, then month, owner, currency, group and measure by `|`.
 */
function cellMap(rows: readonly Readonly<Record<string, unknown>>[]) {
  const map = new Map<string, { n: number; s: number }>();
  const amount = (row: Readonly<Record<string, unknown>>, column: string) =>
    toNumber(row[column]) ?? 0;
  for (const row of rows) {
    const parts = [row.bucket, row.ownerId, row.currency, row.groupKey].map(String).join('|');
    const prefix = `${String(row.rollup)}\u0000${parts}|`;
    const cells: [string, number, number][] = [
      ['0', amount(row, 'n'), 0],
      ['x', amount(row, 'x'), 0],
    ];
    for (let i = 1; i <= measureSlots; i += 1)
      cells.push([String(i), amount(row, countColumn(i)), amount(row, sumColumn(i))]);
    // Cells that add nothing (a record moved away) are as good as no cell.
    for (const [measure, n, s] of cells)
      if (n !== 0 || s !== 0) map.set(`${prefix}${measure}`, { n, s });
  }
  return map;
}

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
    const ids = rollups.map((rollup) => rollup.id);
    const kept: Record<string, unknown>[] =
      ids.length === 0
        ? []
        : await tenantCells(tx)
            .select(cellColumns.map((column) => sql.ref(`c.${column}`).as(column)))
            .where(sql.ref('c.rollup'), 'in', ids)
            .execute();
    const recomputed: Record<string, unknown>[] = [];
    for (const rollup of rollups) {
      // Row by row: spreading 100,000s of rows into push() overflows the call stack.
      for (const row of await contributions(tx, rollup, undefined, 1).execute())
        recomputed.push(row);
    }
    const have = cellMap(kept);
    const want = cellMap(recomputed);
    const differences: RollupDifference[] = [];
    for (const key of new Set([...have.keys(), ...want.keys()])) {
      const a = have.get(key) ?? { n: 0, s: 0 };
      const b = want.get(key) ?? { n: 0, s: 0 };
      if (a.n === b.n && a.s === b.s) continue;
      const [rollup = '', cell = ''] = key.split('\u0000');
      differences.push({ tenantId: tx.tenantId, rollup, key: cell, kept: a, recomputed: b });
    }
    return { tenantId: tx.tenantId, rollups: rollups.length, cells: kept.length, differences };
  });
}
