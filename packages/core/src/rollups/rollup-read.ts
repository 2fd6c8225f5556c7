import {
  type AliasedRawBuilder,
  type Expression,
  type RawBuilder,
  type SqlBool,
  sql,
} from 'kysely';
import { dbOf } from '../engine/engine-state.js';
import { visibleOwners } from '../engine/visibility.js';
import {
  convertedSum,
  type Evaluation,
  eb,
  filterConditionsOf,
  moneyField,
  rangesOf,
  withLabels,
} from '../kpi/kpi-compile.js';
import { type AnyKpiFacts, isMilliseconds, type KpiFactRow } from '../kpi/kpi-facts.js';
import { type Cells, foldFusedRows } from '../kpi/kpi-fold.js';
import type { KpiBreakdown } from '../kpi/kpi-info.js';
import { type FusedSource, stableKey } from '../kpi/kpi-plan.js';
import type { AnyKpiSource } from '../kpi/kpi-source.js';
import type { Period } from '../periods/period.js';
import { cellAmounts, countColumn, sumColumn, tenantCells } from './rollup-cells.js';
import { moneyTimes, type RollupDefinition } from './rollup-definition.js';
import { flushDeltas } from './rollup-deltas.js';
import { builtRollups } from './rollup-rebuild.js';
import { keptRollupsOf } from './rollup-upkeep.js';

type Condition = Expression<SqlBool>;

const builtByEvaluation = new WeakMap<object, Promise<ReadonlySet<string>>>();

/** @internal Which rollups are complete, read once per evaluation (every source asks). */
export function built(evaluation: Evaluation): Promise<ReadonlySet<string>> {
  // By the evaluation's shared map: a query KPI's call sees a copy of the evaluation with its
  // own range and breakdown, which shares it.
  let ids = builtByEvaluation.get(evaluation.shared);
  if (!ids) {
    ids = builtRollups(evaluation.state);
    builtByEvaluation.set(evaluation.shared, ids);
  }
  return ids;
}

/** @internal Dimensions every rollup answers: the owner is a key column, the team the owner's team. */
export const ownerDimensions: ReadonlySet<string> = new Set(['owner', 'team']);

/**
 * Dimensions read from the rollup of another one, looked up from its value at read time: the
 * family of the main product (so moving a product to another family needs no rebuild).
 */
const lookedUpDimensions: Readonly<Record<string, string>> = { productFamily: 'product' };

/** The rollup dimension a breakdown or filter reads. */
function rollupDimensionOf(dimension: string): string {
  return lookedUpDimensions[dimension] ?? dimension;
}

/**
 * The candidate keyed by the one dimension the evaluation's breakdown and filters name besides
 * owner and team (the totals' rollup when they name none), or undefined for two or more.
 */
function candidateFor(
  evaluation: Evaluation,
  candidates: readonly RollupDefinition[],
): RollupDefinition | undefined {
  const wanted = new Set<string>();
  if (evaluation.by && !ownerDimensions.has(evaluation.by))
    wanted.add(rollupDimensionOf(evaluation.by));
  for (const [dimension, filter] of Object.entries(evaluation.filters)) {
    if (filter !== undefined && !ownerDimensions.has(dimension))
      wanted.add(rollupDimensionOf(dimension));
  }
  if (wanted.size > 1) return undefined;
  const [dimension] = wanted;
  return candidates.find((candidate) => candidate.dimension?.name === dimension);
}

/**
 * @internal The rollup that answers a fused source for this evaluation's breakdown and filters,
 * or undefined when none does (the scan answers). Pure but for the plan.
 */
export function matchRollup(
  evaluation: Evaluation,
  fused: FusedSource,
): RollupDefinition | undefined {
  const candidates = keptRollupsOf(evaluation.state.engine)?.bySource.get(fused.key);
  if (!candidates) return undefined;
  const rollup = candidateFor(evaluation, candidates);
  if (!rollup) return undefined;
  // Cells are months: a period that cuts a month (a week, the last 30 days) is scanned. A
  // snapshot source read from a dated rollup (the plan folds them together) takes every month.
  if (fused.source.date && !wholeMonths(evaluation)) return undefined;
  // A record's own team (not its owner's) would have to be a key column too.
  const usesTeam = evaluation.by === 'team' || evaluation.filters.team !== undefined;
  if (usesTeam && 'teamId' in rollup.definition.fields.shape) return undefined;
  for (const signature of fused.measures.keys()) {
    if (!rollup.measures.has(signature)) return undefined;
  }
  return rollup;
}

/** The owner of a cell, as the scan's `ownerId`. */
const ownerOf = sql`nullif(${sql.ref('c.ownerId')}, '')`;

/** The team of a cell's owner, as the scan's team of a record without its own team. */
const teamOf = sql`(select ${sql.ref('kpi_users.teamId')} from ${sql.table('users')} as ${sql.ref('kpi_users')} where ${sql.ref('kpi_users.tenantId')} = ${sql.ref('c.tenantId')} and ${sql.ref('kpi_users.id')} = ${ownerOf})`;

/** The breakdown value of a cell (`=value`, or '' for null). */
const groupValueOf = sql`(case when ${sql.ref('c.groupKey')} = '' then null else substr(${sql.ref('c.groupKey')}, 2) end)`;

/** The family of a cell's product, as the scan's family of the record's main product. */
const productFamilyOf = sql`(select ${sql.ref('kpi_products.family')} from ${sql.table('products')} as ${sql.ref('kpi_products')} where ${sql.ref('kpi_products.tenantId')} = ${sql.ref('c.tenantId')} and ${sql.ref('kpi_products.id')} = ${groupValueOf})`;

/** @internal The expression of a dimension over rollup rows `c`. */
export function keyOf(dimension: string): RawBuilder<unknown> {
  if (dimension === 'owner') return ownerOf;
  if (dimension === 'team') return teamOf;
  if (dimension === 'productFamily') return productFamilyOf;
  return groupValueOf;
}

/** @internal The evaluation's dimension filters over rollup rows `c`. */
export function filterConditions(evaluation: Evaluation): Condition[] {
  return filterConditionsOf(evaluation, keyOf);
}

/**
 * @internal The owners whose cells the actor reads, the way the scan reads records (core's visibility
 * layer, with the tenant's sharing settings): nothing for a shared object or an actor who sees
 * every owner, else the cells of the visible owners (cells without an owner hold rows the scan
 * would not show either: `null in (...)` is never true).
 */
export async function visibilityConditions(
  evaluation: Evaluation,
  rollup: RollupDefinition,
): Promise<Condition[]> {
  if (rollup.definition.access === 'shared') return [];
  const owners = await visibleOwners(evaluation.state, rollup.definition.name);
  if (owners === 'all') return [];
  if (owners.size === 0) return [sql<SqlBool>`1 = 0`];
  return [eb(sql.ref('c.ownerId'), 'in', [...owners])];
}

/** The months of a range of whole months (`2026-01-01` to `2026-04-01`: 2026-01 to 2026-03). */
function monthsOf(range: Period): { readonly from: string; readonly to: string } | undefined {
  const { start, end } = range;
  if (start === null || end === null || !start.endsWith('-01') || !end.endsWith('-01'))
    return undefined;
  return { from: start.slice(0, 7), to: end.slice(0, 7) };
}

/** @internal Whether the evaluation's ranges are whole months (or there are none): what a rollup can cut. */
export function wholeMonths(evaluation: Evaluation): boolean {
  return rangesOf(evaluation).every((range) => range.start === null || monthsOf(range));
}

function inMonths(range: Period): Condition {
  const months = monthsOf(range);
  // matchRollup admitted only whole months.
  if (!months) return sql<SqlBool>`1 = 0`;
  const bucket = sql.ref('c.bucket');
  return sql<SqlBool>`(${bucket} >= ${months.from} and ${bucket} < ${months.to})`;
}

/**
 * @internal The rollup rows of the evaluation's ranges, for a read of `source` (a snapshot read
 * of a dated rollup takes every month).
 */
export function periodConditions(evaluation: Evaluation, source: AnyKpiSource): Condition[] {
  if (!source.date) return [];
  const limited = rangesOf(evaluation).filter((range) => range.start !== null);
  if (limited.length === 0) return [];
  return [eb.or(limited.map(inMonths))];
}

/** @internal `c` for a row of the period, `p` of the previous one (of a read of `source`). */
export function bucketOf(evaluation: Evaluation, source: AnyKpiSource): RawBuilder<unknown> {
  const { period, previous } = evaluation;
  if (!source.date || !previous || period.start === null) return sql`${sql.lit('c')}`;
  return sql`(case when ${inMonths(period)} then ${sql.lit('c')} else ${sql.lit('p')} end)`;
}

/** The measure columns of the fold (`m<i>n`, `m<i>s`) over the picked rollup rows `x`. */
function measureColumns(
  evaluation: Evaluation,
  fused: FusedSource,
  rollup: RollupDefinition,
): AliasedRawBuilder<unknown, string>[] {
  const x = (column: string) => sql.ref(`x.${column}`);
  const codes = [...evaluation.factors.keys()].map((code) => sql.lit(code));
  const columns: AliasedRawBuilder<unknown, string>[] = [];
  let i = 0;
  for (const [signature, measure] of fused.measures) {
    // matchRollup checked that the rollup keeps every measure of the source.
    const slot = rollup.measures.get(signature)?.index ?? -1;
    const n = x(countColumn(slot));
    const s = x(sumColumn(slot));
    const times = moneyTimes(rollup.definition, measure.of);
    if (measure.aggregate === 'count') {
      columns.push(sql`sum(${n})`.as(`m${i}n`));
    } else if (moneyField(measure.of) || times) {
      // A product is a floating point sum on the scan's side (an integer column times a real
      // one): the same exact integer, read as a real, so the factor multiplies the same type.
      const sumOf = (code: string) => {
        const sum = sql`sum(case when ${x('currency')} = ${sql.lit(code)} then ${s} end)`;
        return times ? sql`cast(${sum} as double precision)` : sum;
      };
      columns.push(convertedSum(evaluation, sumOf).as(`m${i}s`));
      columns.push(
        sql`sum(case when ${x('currency')} in (${sql.join(codes)}) then ${n} else 0 end)`.as(
          `m${i}n`,
        ),
      );
    } else {
      columns.push(sql`sum(${s})`.as(`m${i}s`));
      columns.push(sql`sum(${n})`.as(`m${i}n`));
    }
    i += 1;
  }
  return columns;
}

/** Whether a measure of the source may hold rows the rollup could not keep exactly. */
function mayBeInexact(fused: FusedSource, rollup: RollupDefinition): boolean {
  return [...fused.measures.values()].some(
    (measure) => moneyTimes(rollup.definition, measure.of)?.whole === false,
  );
}

/**
 * @internal Answers a fused source from its rollup, folding the same rows the scan would (per
 * bucket and group: the source's row count and each measure's partial), or returns false when
 * no complete rollup matches the evaluation (the caller scans).
 */
export async function answerFromRollups(
  evaluation: Evaluation,
  fused: FusedSource,
  cells: Cells,
): Promise<boolean> {
  // Cells this transaction's writes hold back are written before they are read.
  await flushDeltas(evaluation.state);
  const rollup = matchRollup(evaluation, fused);
  if (!rollup || !(await built(evaluation)).has(rollup.id)) return false;
  const conditions = [
    eb(sql.ref('c.rollup'), '=', rollup.id),
    ...(await visibilityConditions(evaluation, rollup)),
    ...periodConditions(evaluation, fused.source),
    ...filterConditions(evaluation),
  ];
  const by: KpiBreakdown | undefined = evaluation.by;
  const group = by ? keyOf(by) : undefined;
  const slots = new Set([...fused.measures.keys()].map((k) => rollup.measures.get(k)?.index));
  const amounts = cellAmounts.filter(
    (column) => column === 'n' || column === 'x' || slots.has(Number(column.slice(1))),
  );
  const picked = tenantCells(evaluation.state, 'c')
    .where(eb.and(conditions))
    .select([
      bucketOf(evaluation, fused.source).as('kpiBucket'),
      ...(group ? [group.as('kpiGroup')] : []),
      sql.ref('c.currency').as('currency'),
      ...amounts.map((column) => sql.ref(`c.${column}`).as(column)),
    ]);
  // Grouped by the computed columns of a subquery: Postgres does not match an expression with
  // parameters (the period's days) in GROUP BY against the same one in the select list.
  let outer = dbOf(evaluation.state)
    .selectFrom(picked.as('x'))
    .select([
      sql.ref('x.kpiBucket').as('kpiBucket'),
      sql`sum(${sql.ref('x.n')})`.as('kpiRows'),
      sql`sum(${sql.ref('x.x')})`.as('kpiInexact'),
    ])
    .select(measureColumns(evaluation, fused, rollup))
    .groupBy('x.kpiBucket')
    // Rows a record moved out of hold zeros: a group without rows is not listed by the scan.
    .having(sql<SqlBool>`sum(${sql.ref('x.n')}) <> 0`);
  if (by) outer = outer.select(sql.ref('x.kpiGroup').as('kpiGroup')).groupBy('x.kpiGroup');
  const query = by ? withLabels(evaluation, fused.source.object, by, outer) : outer;
  // Untyped rows: the columns are the aliases chosen above, read by name in the fold.
  const rows = (await query.execute()) as Record<string, unknown>[];
  // A product the rollup could not keep as an integer (a fractional probability): scanned.
  if (mayBeInexact(fused, rollup) && rows.some((row) => Number(row.kpiInexact) !== 0)) return false;
  foldFusedRows(rows, fused.key, fused.measures, by !== undefined, cells);
  return true;
}

/**
 * @internal Answers a query KPI's facts (`ctx.facts`) from their complete rollup for the
 * evaluation's breakdown and filters (owner, team, or the rollup's own dimension) over whole
 * months, with the scan's visibility (the owner of the rows' opportunity); undefined when none
 * matches (the caller scans). Every fact is an integer sum, so the figures are the scan's.
 */
export async function answerFactsFromRollups(
  evaluation: Evaluation,
  facts: AnyKpiFacts,
): Promise<readonly KpiFactRow[] | undefined> {
  await flushDeltas(evaluation.state);
  const candidates = keptRollupsOf(evaluation.state.engine)?.byFacts.get(facts.key);
  const kept = candidates?.[0]?.facts;
  // Another declaration under the same key is not what the rollup keeps.
  if (!candidates || !kept || stableKey(kept.spec) !== stableKey(facts)) return undefined;
  const rollup = candidateFor(evaluation, candidates);
  if (!rollup?.facts) return undefined;
  if (rollup.source.date && !wholeMonths(evaluation)) return undefined;
  if (!(await built(evaluation)).has(rollup.id)) return undefined;
  const conditions = [
    eb(sql.ref('c.rollup'), '=', rollup.id),
    ...(await visibilityConditions(evaluation, rollup)),
    ...periodConditions(evaluation, rollup.source),
    ...filterConditions(evaluation),
  ];
  const { by } = evaluation;
  const group = by ? keyOf(by) : undefined;
  const { slots } = rollup.facts;
  const picked = tenantCells(evaluation.state, 'c')
    .where(eb.and(conditions))
    .select([
      bucketOf(evaluation, rollup.source).as('kpiBucket'),
      ...(group ? [group.as('kpiGroup')] : []),
      sql.ref('c.n').as('n'),
      ...slots.flatMap(({ index }) => [
        sql.ref(`c.${countColumn(index)}`).as(countColumn(index)),
        sql.ref(`c.${sumColumn(index)}`).as(sumColumn(index)),
      ]),
    ]);
  const x = (column: string) => sql.ref(`x.${column}`);
  let outer = dbOf(evaluation.state)
    .selectFrom(picked.as('x'))
    .select([
      x('kpiBucket').as('kpiBucket'),
      ...slots.map(({ name, index }, i) => {
        const fact = facts.facts[name];
        const column = fact && isMilliseconds(fact) ? sumColumn(index) : countColumn(index);
        return sql`sum(${x(column)})`.as(`f${i}`);
      }),
    ])
    .groupBy('x.kpiBucket')
    // Rows every entry moved out of hold zeros: a group without rows is not listed by the scan.
    .having(sql<SqlBool>`sum(${x('n')}) <> 0`);
  if (by) outer = outer.select(x('kpiGroup').as('kpiGroup')).groupBy('x.kpiGroup');
  const query = by ? withLabels(evaluation, rollup.source.object, by, outer) : outer;
  // Untyped rows: the columns are the aliases chosen above.
  const rows = (await query.execute()) as Record<string, unknown>[];
  const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
  return rows.map((row) => ({
    range: row.kpiBucket === 'p' ? 'previous' : 'current',
    key: by ? text(row.kpiGroup) : null,
    label: by ? text(row.kpiLabel) : null,
    values: Object.fromEntries(slots.map(({ name }, i) => [name, Number(row[`f${i}`] ?? 0)])),
  }));
}
