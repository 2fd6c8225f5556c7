import { type SqlBool, sql } from 'kysely';
import { dbOf } from '../engine/engine-state.js';
import { visibleOwners } from '../engine/visibility.js';
import {
  type Builder,
  type Evaluation,
  eb,
  moneyFactor,
  moneyField,
  withLabels,
} from '../kpi/kpi-compile.js';
import { type Cells, foldMedianRows, groupName, toNumber } from '../kpi/kpi-fold.js';
import type { AnyKpiMeasure } from '../kpi/kpi-measure.js';
import { tenantCells } from './rollup-cells.js';
import type { RollupDefinition } from './rollup-definition.js';
import { flushDeltas } from './rollup-deltas.js';
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
 * The median rows (`kpiBucket`, `kpiGroup`, `kpiMedian`, `kpiCount`) of a money histogram: the
 * counts per currency and amount (minor units) added up per bucket and group, each amount
 * converted by the same expression as the scan converts one deal's (`moneyFactor`: the
 * evaluation's rates, so a changed rate needs no rebuild), ranked in converted order (equal
 * converted values of two currencies are the same value, whichever ranks first), and the values
 * at the ranks the scan averages averaged by the database, as the scan does: the same types and
 * arithmetic on each dialect (a double on SQLite, a numeric on Postgres), the same figure to the
 * last bit. Amounts in a currency without a rate convert to null and are left out, as scanned.
 */
function moneyMedianQuery(evaluation: Evaluation, picked: Builder, grouped: boolean) {
  const db = dbOf(evaluation.state);
  const ref = (column: string) => sql.ref(column);
  let counted = db
    .selectFrom(picked.as('x'))
    .select([
      ref('x.kpiBucket').as('kpiBucket'),
      ref('x.kpiCurrency').as('kpiCurrency'),
      ref('x.kpiValue').as('kpiAmount'),
    ])
    // A bigint on both dialects (Postgres sums a bigint into a numeric): the ranks below are
    // whole numbers, as the scan's row_number() and count(*).
    .select(sql`cast(sum(${ref('x.n')}) as bigint)`.as('kpiN'))
    .groupBy([ref('x.kpiBucket'), ref('x.kpiCurrency'), ref('x.kpiValue')])
    // Amounts a record moved away from hold zeros.
    .having(sql<SqlBool>`sum(${ref('x.n')}) <> 0`);
  if (grouped)
    counted = counted.select(ref('x.kpiGroup').as('kpiGroup')).groupBy(ref('x.kpiGroup'));
  const value = moneyFactor(evaluation, ref('y.kpiAmount'), ref('y.kpiCurrency'));
  const partition = grouped
    ? sql`partition by ${ref('y.kpiBucket')}, ${ref('y.kpiGroup')}`
    : sql`partition by ${ref('y.kpiBucket')}`;
  const ranked = db
    .selectFrom(counted.as('y'))
    .select([
      ref('y.kpiBucket').as('kpiBucket'),
      ...(grouped ? [ref('y.kpiGroup').as('kpiGroup')] : []),
      value.as('kpiValue'),
      ref('y.kpiN').as('kpiN'),
      // The rank of the last record of this row: the records up to it, in converted order.
      sql`cast(sum(${ref('y.kpiN')}) over (${partition} order by ${value} rows between unbounded preceding and current row) as bigint)`.as(
        'kpiUpTo',
      ),
      sql`cast(sum(${ref('y.kpiN')}) over (${partition}) as bigint)`.as('kpiCount'),
    ])
    .where(value, 'is not', null);
  // The scan averages the values at ranks (count + 1) / 2 and (count + 2) / 2: the one middle
  // value for an odd count, the two for an even one. Rank k is (count + k) / 2; each is the value
  // whose records span it, so a value holding both middle ranks is averaged twice, as scanned.
  const count = ref('w.kpiCount');
  const upTo = ref('w.kpiUpTo');
  const rank = sql`(${count} + ${ref('r.k')}) / 2`;
  let outer = db
    .selectFrom([ranked.as('w'), sql`(select 1 as ${ref('k')} union all select 2)`.as('r')])
    .select([
      ref('w.kpiBucket').as('kpiBucket'),
      sql`avg(${ref('w.kpiValue')})`.as('kpiMedian'),
      sql`max(${count})`.as('kpiCount'),
    ])
    .where(
      sql<SqlBool>`(${ref('r.k')} = 1 or ${count} % 2 = 0) and ${rank} > ${upTo} - ${ref('w.kpiN')} and ${rank} <= ${upTo}`,
    )
    .groupBy(ref('w.kpiBucket'));
  if (grouped) outer = outer.select(ref('w.kpiGroup').as('kpiGroup')).groupBy(ref('w.kpiGroup'));
  return outer;
}

/**
 * @internal Answers a median from its histogram: the rows counted per whole value, per bucket
 * (and group), read in value order; the middle value is found in the counts, exactly (no
 * approximation: every row is counted at its own value). Money is counted per currency and
 * amount and ordered once converted ({@link moneyMedianQuery}). False when no complete histogram
 * matches (the caller scans).
 */
export async function answerMedianFromRollups(
  evaluation: Evaluation,
  signature: string,
  measure: AnyKpiMeasure,
  cells: Cells,
  grouped: boolean,
): Promise<boolean> {
  await flushDeltas(evaluation.state);
  const histogram = await matchHistogram(evaluation, signature, grouped);
  if (!histogram || !(await built(evaluation)).has(histogram.id)) return false;
  const by = grouped ? evaluation.by : undefined;
  const group = by ? keyOf(by) : undefined;
  const money = moneyField(measure.of) !== undefined;
  const conditions = [
    eb(sql.ref('c.rollup'), '=', histogram.id),
    ...(await visibilityConditions(evaluation, histogram)),
    ...periodConditions(evaluation, histogram.source),
    ...filterConditions(evaluation),
  ];
  const picked = tenantCells(evaluation.state, 'c')
    .where(eb.and(conditions))
    .select([
      bucketOf(evaluation, histogram.source).as('kpiBucket'),
      ...(group ? [group.as('kpiGroup')] : []),
      ...(money ? [sql.ref('c.currency').as('kpiCurrency')] : []),
      // A bigint: money amounts in minor units pass 2^31.
      sql`cast(substr(${sql.ref('c.groupKey')}, 2) as bigint)`.as('kpiValue'),
      sql.ref('c.n').as('n'),
    ]);
  if (money) {
    const outer = moneyMedianQuery(evaluation, picked, by !== undefined);
    const query = by ? withLabels(evaluation, histogram.source.object, by, outer) : outer;
    // Untyped rows: the columns are the aliases chosen above, read by name in the fold.
    const rows = (await query.execute()) as Record<string, unknown>[];
    foldMedianRows(rows, signature, by !== undefined, cells);
    return true;
  }
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
