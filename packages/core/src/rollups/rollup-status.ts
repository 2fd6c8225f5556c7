import { sql } from 'kysely';
import { dbOf, type ScopeState } from '../engine/engine-state.js';
import { inTransaction } from '../engine/transaction.js';
import { toNumber } from '../kpi/kpi-fold.js';
import type { ObjectName } from '../objects/standard-objects.js';
import { tenantCells } from './rollup-cells.js';
import type { RollupDefinition } from './rollup-definition.js';

/**
 * One rollup the engine's KPIs define, as one tenant holds it.
 *
 * @example
 * const rollup: RollupState = { id: 'opportunity:owner:1a2b', object: 'opportunity', dimension: 'owner', kind: 'measures', built: true, builtAt: '2026-12-01T09:00:00.000Z', cells: 412 };
 */
export interface RollupState {
  /** The rollup's id (`object:dimension:hash`), as in {@link RollupDifference}. */
  readonly id: string;
  /** The object whose records it adds up. */
  readonly object: ObjectName;
  /** The breakdown it is keyed by besides month, owner and currency; null for the totals. */
  readonly dimension: string | null;
  /** `measures`: counts and sums; `histogram`: rows per value, for an exact median. */
  readonly kind: 'measures' | 'histogram';
  /**
   * Complete for this tenant, so KPIs read it: built from scratch (or the tenant was created with
   * rollups on) and kept by every write since. False until a rebuild after a write by an engine
   * that does not keep it; KPIs then scan the records, exactly, meanwhile.
   */
  readonly built: boolean;
  /** When it was last built (ISO timestamp), or null. */
  readonly builtAt: string | null;
  /** The cells it holds for the tenant (rows of `rollupCells`). */
  readonly cells: number;
}

/**
 * What `crm.rollupStatus()` reports for one tenant.
 *
 * @example
 * const status: RollupStatus = { tenantId: 'acme', kept: true, rollups: [], otherRollups: [] };
 * const scanning = status.rollups.filter((rollup) => !rollup.built).map((rollup) => rollup.id);
 */
export interface RollupStatus {
  /** The tenant. */
  readonly tenantId: string;
  /** True when this engine keeps its rollups at write time (`createCrm({ rollups: true })`). */
  readonly kept: boolean;
  /** Every rollup this engine's KPIs define, in plan order. */
  readonly rollups: readonly RollupState[];
  /**
   * Ids of rollups the tenant holds cells or build marks of that this engine does not define
   * (another plugin set, or an older definition), left as they are for the engine that keeps them.
   */
  readonly otherRollups: readonly string[];
}

/**
 * @internal The scope tenant's rollups: which are built and how many cells each holds, in one
 * transaction (one snapshot on Postgres). Two grouped reads of the tenant's primary-key range.
 */
export async function tenantRollupStatus(
  state: ScopeState,
  rollups: readonly RollupDefinition[],
  kept: boolean,
): Promise<RollupStatus> {
  return inTransaction(state, async (tx) => {
    const builds = await dbOf(tx)
      .selectFrom('rollupBuilds as b')
      .select(['b.rollup', 'b.builtAt'])
      .where(sql.ref('b.tenantId'), '=', tx.tenantId)
      .execute();
    const counts = await tenantCells(tx)
      .select([sql.ref('c.rollup').as('rollup'), sql`count(*)`.as('cells')])
      .groupBy(sql.ref('c.rollup'))
      .execute();
    const builtAt = new Map(builds.map((row) => [String(row.rollup), isoOf(row.builtAt)]));
    const cells = new Map(counts.map((row) => [String(row.rollup), toNumber(row.cells) ?? 0]));
    const planned = new Set(rollups.map((rollup) => rollup.id));
    const others = new Set([...builtAt.keys(), ...cells.keys()].filter((id) => !planned.has(id)));
    return {
      tenantId: tx.tenantId,
      kept,
      rollups: rollups.map((rollup) => ({
        id: rollup.id,
        object: rollup.source.object,
        dimension: rollup.dimension?.name ?? null,
        kind: rollup.histogram ? 'histogram' : 'measures',
        built: builtAt.has(rollup.id),
        builtAt: builtAt.get(rollup.id) ?? null,
        cells: cells.get(rollup.id) ?? 0,
      })),
      otherRollups: [...others].sort(),
    };
  });
}

/** A stored timestamp as ISO text (Postgres drivers may hand back a Date). */
function isoOf(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value);
}
