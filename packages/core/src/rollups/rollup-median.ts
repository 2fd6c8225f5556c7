import { type SqlBool, sql } from 'kysely';
import { dbOf } from '../engine/engine-state.js';
import { visibleOwners } from '../engine/visibility.js';
import { type Evaluation, eb, withLabels } from '../kpi/kpi-compile.js';
import { type Cells, foldMedianRows, groupName, toNumber } from '../kpi/kpi-fold.js';
import type { AnyKpiMeasure } from '../kpi/kpi-measure.js';
import { tenantCells } from './rollup-cells.js';
import type { RollupDefinition } from './rollup-plan.js';
import {
  bucketOf,
  built,
  filterConditions,
  keyOf,
  ownerDimensions,
  periodConditions,
  visibilityConditions,
  wholeMonths,
} from './rollup-read.js';
import { keptRollupsOf } from './rollup-upkeep.js';

/**
 * The histogram that answers a median for this evaluation, or undefined (scanned): it keys by
 * owner only, so the breakdown and the filters must be owner or team, and the period whole
 * months. An actor who sees every owner reads the all-owners histogram for a total.
 */
async function matchHistogram(
  evaluation: Evaluation,
  signature: string,
  grouped: boolean,
): Promise<RollupDefinition | undefined> {
  const pair = keptRollupsOf(evaluation.state.engine)?.byMedian.get(signature);
  if (!pair) return undefined;
  const { perOwner } = pair;
  const by = grouped ? evaluation.by : undefined;
  if (by && !ownerDimensions.has(by)) return undefined;
  const filtered = Object.entries(evaluation.filters).filter(([, filter]) => filter !== undefined);
  if (filtered.some(([dimension]) => !ownerDimensions.has(dimension))) return undefined;
  if (perOwner.source.date && !wholeMonths(evaluation)) return undefined;
  const usesTeam = by === 'team' || evaluation.filters.team !== undefined;
  if (usesTeam && 'teamId' in perOwner.definition.fields.shape) return undefined;
  if (by || filtered.length > 0) return perOwner;
  const seesAll =
    perOwner.definition.access === 'shared' ||
    (await visibleOwners(evaluation.state, perOwner.definition.name)) === 'all';
  return seesAll ? pair.allOwners : perOwner;
}

/** The median of counted values (ascending): the middle one, or the mean of the middle two. */
function medianOf(values: readonly (readonly [number, number])[], count: number): number {
  // The ranks the scan averages: (count + 1) / 2 and (count + 2) / 2, in whole numbers.
  const low = Math.floor((count + 1) / 2);
  const high = Math.floor((count + 2) / 2);
  let seen = 0;
  let lowValue: number | undefined;
  for (const [value, n] of values) {
    seen += n;
    if (lowValue === undefined && seen >= low) lowValue = value;
    if (seen >= high) return lowValue === undefined ? value : (lowValue + value) / 2;
  }
  // Unreachable: the counts add up to `count`.
  return Number.NaN;
}

/**
 * @internal Answers a median from its histogram: the rows counted per whole value, per bucket
 * (and group), read in value order; the middle value is found in the counts, exactly (no
 * approximation: every row is counted at its own value). False when no complete histogram
 * matches (the caller scans).
 */
export async function answerMedianFromRollups(
  evaluation: Evaluation,
  signature: string,
  _measure: AnyKpiMeasure,
  cells: Cells,
  grouped: boolean,
): Promise<boolean> {
  const histogram = await matchHistogram(evaluation, signature, grouped);
  if (!histogram || !(await built(evaluation)).has(histogram.id)) return false;
  const by = grouped ? evaluation.by : undefined;
  const group = by ? keyOf(by) : undefined;
  const conditions = [
    eb(sql.ref('c.rollup'), '=', histogram.id),
    ...(await visibilityConditions(evaluation, histogram)),
    ...periodConditions(evaluation, histogram),
    ...filterConditions(evaluation),
  ];
  const picked = tenantCells(evaluation.state, 'c')
    .where(eb.and(conditions))
    .select([
      bucketOf(evaluation, histogram).as('kpiBucket'),
      ...(group ? [group.as('kpiGroup')] : []),
      sql`cast(substr(${sql.ref('c.groupKey')}, 2) as integer)`.as('kpiValue'),
      sql.ref('c.n').as('n'),
    ]);
  const x = (column: string) => sql.ref(`x.${column}`);
  let outer = dbOf(evaluation.state)
    .selectFrom(picked.as('x'))
    .select([x('kpiBucket').as('kpiBucket'), x('kpiValue').as('kpiValue')])
    .select(sql`sum(${x('n')})`.as('kpiCount'))
    .groupBy([x('kpiBucket'), x('kpiValue')])
    // Values a record moved away from hold zeros.
    .having(sql<SqlBool>`sum(${x('n')}) <> 0`);
  if (by) outer = outer.select(x('kpiGroup').as('kpiGroup')).groupBy(x('kpiGroup'));
  const query = by ? withLabels(evaluation, histogram.source.object, by, outer) : outer;
  // Untyped rows: the columns are the aliases chosen above.
  const rows = (await query.execute()) as Record<string, unknown>[];
  const groups = new Map<string, { row: Record<string, unknown>; values: [number, number][] }>();
  for (const row of rows) {
    const key = `${String(row.kpiBucket)}\u0000${groupName(row.kpiGroup)}`;
    let entry = groups.get(key);
    if (!entry) {
      entry = { row, values: [] };
      groups.set(key, entry);
    }
    entry.values.push([toNumber(row.kpiValue) ?? 0, toNumber(row.kpiCount) ?? 0]);
  }
  const medians: Record<string, unknown>[] = [];
  for (const { row, values } of groups.values()) {
    values.sort(([a], [b]) => a - b);
    const count = values.reduce((sum, [, n]) => sum + n, 0);
    medians.push({
      kpiBucket: row.kpiBucket,
      kpiGroup: row.kpiGroup,
      kpiLabel: row.kpiLabel,
      kpiMedian: medianOf(values, count),
      kpiCount: count,
    });
  }
  foldMedianRows(medians, signature, by !== undefined, cells);
  return true;
}
