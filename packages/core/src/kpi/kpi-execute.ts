import { type AliasedRawBuilder, type SqlBool, sql } from 'kysely';
import { dbOf } from '../engine/engine-state.js';
import { visibilityCondition } from '../engine/visibility.js';
import { RapportError } from '../errors/rapport-error.js';
import { currencyFieldOf } from '../objects/money-currency.js';
import type { AnyObjectDefinition } from '../objects/object-definition.js';
import type { ObjectName } from '../objects/standard-objects.js';
import type { Period } from '../periods/period.js';
import {
  bucketSql,
  convertedSum,
  definitionOf,
  type Evaluation,
  eb,
  expressionSql,
  groupOf,
  inRange,
  isTimestampField,
  moneyFactor,
  moneyField,
  moneyProduct,
  rangesOf,
  sourceRows,
  whereSql,
  withLabels,
} from './kpi-compile.js';
import type { QueryKpi } from './kpi-definition.js';
import {
  type AnyKpiFacts,
  type KpiFactRow,
  type KpiFacts,
  precomputedFacts,
  scanFacts,
} from './kpi-facts.js';
import {
  type Cells,
  type Computed,
  foldFusedRows,
  foldMedianRows,
  groupName,
  normalise,
} from './kpi-fold.js';
import { hiddenFieldsRead } from './kpi-hidden-fields.js';
import type { KpiBreakdown, KpiDimension } from './kpi-info.js';
import type { AnyKpiMeasure } from './kpi-measure.js';
import type { FusedSource } from './kpi-plan.js';
import { answerPrecomputed, answerPrecomputedMedian } from './kpi-precomputed.js';
import type { KpiQueryContext, KpiRange, KpiRow } from './kpi-query-context.js';
import { rolledUpMeasures } from './kpi-rolled-up.js';

/** The aggregate columns of the fused measures, named `m<index><n|s|v>` for the fold. */
function measureColumns(
  evaluation: Evaluation,
  definition: AnyObjectDefinition,
  measures: ReadonlyMap<string, AnyKpiMeasure>,
): AliasedRawBuilder<unknown, string>[] {
  const columns: AliasedRawBuilder<unknown, string>[] = [];
  const currency = sql.ref(`r.${currencyFieldOf(definition) ?? 'currency'}`);
  [...measures.values()].forEach((measure, index) => {
    const conditions = whereSql(evaluation, definition, 'r', measure.where);
    const when = conditions.length > 0 ? eb.and(conditions) : sql<SqlBool>`1 = 1`;
    if (measure.aggregate === 'count') {
      columns.push(sql`sum(case when ${when} then 1 else 0 end)`.as(`m${index}n`));
      return;
    }
    const value = expressionSql(evaluation, definition, 'r', measure.of);
    if (measure.aggregate === 'sum' || measure.aggregate === 'avg') {
      const money = moneyField(measure.of);
      const product = moneyProduct(measure.of);
      // Money (and money times a field: the weighted pipeline) is summed per currency in its
      // minor units and converted once per currency, as the rollups keep it.
      const perCurrency = money
        ? sql.ref(`r.${money}`)
        : product
          ? sql`(${sql.ref(`r.${product.money}`)} * ${expressionSql(evaluation, definition, 'r', product.factor)})`
          : undefined;
      const sum = perCurrency
        ? convertedSum(
            evaluation,
            (code) =>
              sql`sum(case when ${when} and ${currency} = ${sql.lit(code)} then ${perCurrency} end)`,
          )
        : sql`sum(case when ${when} then ${value} end)`;
      columns.push(sum.as(`m${index}s`));
      columns.push(
        sql`sum(case when ${when} and ${value} is not null then 1 else 0 end)`.as(`m${index}n`),
      );
    } else {
      const fn = measure.aggregate === 'min' ? sql`min` : sql`max`;
      columns.push(sql`${fn}(case when ${when} then ${value} end)`.as(`m${index}v`));
    }
  });
  return columns;
}

/** @internal One GROUP BY over a source for all fusable measures on it (every KPI that shares it). */
export async function runFusedSource(
  evaluation: Evaluation,
  fused: FusedSource,
  cells: Cells,
): Promise<void> {
  // Answered from a complete rollup that matches, else scanned (rollups off, or none matches).
  if (await answerPrecomputed(evaluation, fused, cells)) return;
  const { key, source, measures } = fused;
  const definition = definitionOf(evaluation, source.object);
  let inner = (await sourceRows(evaluation, source, 't', rangesOf(evaluation)))
    .selectAll('t')
    .select(bucketSql(evaluation, definition, source, 't').as('kpiBucket'));
  const by = evaluation.by;
  if (by)
    inner = inner.select(sql`${groupOf(evaluation, source.object, 't', by).key}`.as('kpiGroup'));
  let outer = dbOf(evaluation.state)
    .selectFrom(inner.as('r'))
    .select([sql.ref('r.kpiBucket').as('kpiBucket'), sql`count(*)`.as('kpiRows')])
    .select(measureColumns(evaluation, definition, measures))
    .groupBy('r.kpiBucket');
  if (by) outer = outer.select(sql.ref('r.kpiGroup').as('kpiGroup')).groupBy('r.kpiGroup');
  const query = by ? withLabels(evaluation, source.object, by, outer) : outer;
  // Untyped rows: the columns are the aliases chosen above, read by name in the fold.
  const rows = (await query.execute()) as Record<string, unknown>[];
  foldFusedRows(rows, key, measures, by !== undefined, cells);
}

/** @internal A median per bucket (and group): its own query with window functions, same on every dialect. */
export async function runMedian(
  evaluation: Evaluation,
  signature: string,
  measure: AnyKpiMeasure,
  cells: Cells,
  grouped: boolean,
): Promise<void> {
  // Answered from a complete histogram that matches, else scanned.
  if (await answerPrecomputedMedian(evaluation, signature, measure, cells, grouped)) return;
  const { source } = measure;
  const definition = definitionOf(evaluation, source.object);
  const value = expressionSql(evaluation, definition, 't', measure.of);
  const conditions = whereSql(evaluation, definition, 't', measure.where);
  let inner = (await sourceRows(evaluation, source, 't', rangesOf(evaluation)))
    .select([bucketSql(evaluation, definition, source, 't').as('kpiBucket'), value.as('kpiValue')])
    .where(eb.and([...conditions, eb(value, 'is not', null)]));
  const by = grouped ? evaluation.by : undefined;
  if (by)
    inner = inner.select(sql`${groupOf(evaluation, source.object, 't', by).key}`.as('kpiGroup'));
  const partition = by
    ? sql`partition by ${sql.ref('v.kpiBucket')}, ${sql.ref('v.kpiGroup')}`
    : sql`partition by ${sql.ref('v.kpiBucket')}`;
  const db = dbOf(evaluation.state);
  const ranked = db
    .selectFrom(inner.as('v'))
    .selectAll('v')
    .select([
      sql`row_number() over (${partition} order by ${sql.ref('v.kpiValue')})`.as('kpiRank'),
      sql`count(*) over (${partition})`.as('kpiCount'),
    ]);
  let outer = db
    .selectFrom(ranked.as('w'))
    .select([
      sql.ref('w.kpiBucket').as('kpiBucket'),
      sql`avg(${sql.ref('w.kpiValue')})`.as('kpiMedian'),
      sql`max(${sql.ref('w.kpiCount')})`.as('kpiCount'),
    ])
    .where(
      sql<SqlBool>`${sql.ref('w.kpiRank')} in ((${sql.ref('w.kpiCount')} + 1) / 2, (${sql.ref('w.kpiCount')} + 2) / 2)`,
    )
    .groupBy('w.kpiBucket');
  if (by) outer = outer.select(sql.ref('w.kpiGroup').as('kpiGroup')).groupBy('w.kpiGroup');
  const query = by ? withLabels(evaluation, source.object, by, outer) : outer;
  // Untyped rows: the columns are the aliases chosen above, read by name in the fold.
  const rows = (await query.execute()) as Record<string, unknown>[];
  foldMedianRows(rows, signature, by !== undefined, cells);
}

/** @internal What a query KPI's `query` gets for one call. */
export function queryContext(
  evaluation: Evaluation,
  range: Period | null,
  by: KpiBreakdown | undefined,
  previousRange: Period | null = null,
): KpiQueryContext {
  const db = dbOf(evaluation.state);
  const ranges = [range, previousRange].filter((r): r is Period => r !== null);
  const context: KpiQueryContext = {
    range,
    previousRange,
    by,
    tenant: evaluation.tenant,
    items: evaluation.items,
    today: evaluation.today,
    sql: evaluation.state.engine.storage.sql,
    source: (source, alias = 't') => sourceRows(evaluation, source, alias, ranges),
    scoped: (object, alias = 't') => evaluation.from(object, alias),
    seesEvery: async (object) =>
      (await visibilityCondition(evaluation.state, definitionOf(evaluation, object), 'x')) ===
      undefined,
    pluginTable: (table, alias = 't') => {
      const declared = evaluation.state.engine.plugins.some(
        (plugin) => plugin.tables !== undefined && table in plugin.tables,
      );
      if (!declared) {
        throw new RapportError(
          'UNSUPPORTED',
          `no registered plugin declares a table ${table}; read core tables through ctx.scoped`,
        );
      }
      return db
        .selectFrom(`${table} as ${alias}`)
        .where(sql.ref(`${alias}.tenantId`), '=', evaluation.state.tenantId);
    },
    rangeOf: (source, alias) => {
      if (!source.date || !range || !previousRange || range.start === null)
        return sql<KpiRange>`${sql.lit('current')}`;
      const column = sql.ref(`${alias}.${source.date}`);
      const timestamp = isTimestampField(definitionOf(evaluation, source.object), source.date);
      return sql<KpiRange>`(case when ${inRange(column, range, timestamp)} then ${sql.lit('current')} else ${sql.lit('previous')} end)`;
    },
    group: (object, alias) => (by ? groupOf(evaluation, object, alias, by) : undefined),
    toBase: (amount, currency) => moneyFactor(evaluation, amount, currency),
    toBaseSum: (sumOf) => convertedSum(evaluation, sumOf),
    selectFrom: (subquery) => db.selectFrom(subquery),
    shared: <TValue>(key: string, compute: () => Promise<TValue>) => {
      const slot = JSON.stringify([
        key,
        range?.startInstant ?? null,
        range?.endInstant ?? null,
        previousRange?.startInstant ?? null,
        previousRange?.endInstant ?? null,
        by ?? null,
      ]);
      let value = evaluation.shared.get(slot);
      if (!value) {
        value = compute();
        evaluation.shared.set(slot, value);
      }
      // The slot was filled by a `compute` of the same key, so it holds a TValue.
      return value as Promise<TValue>;
    },
    facts: async <TNames extends string>(facts: KpiFacts<ObjectName, TNames> | AnyKpiFacts) => {
      // Cast: both forms are the same plain data; the erased one is what the rollups read.
      const erased = facts as AnyKpiFacts;
      const kept =
        range === null
          ? undefined
          : await precomputedFacts(
              { ...evaluation, period: range, previous: previousRange, by },
              erased,
            );
      // Cast: the rows hold a value for every name of the facts, whichever path computed them.
      return (kept ?? (await scanFacts(context, erased))) as readonly KpiFactRow<TNames>[];
    },
    sharedFacts: (key, compute, total) => {
      // The total of an evaluation with a breakdown: the breakdown's facts, added up.
      if (by === undefined && evaluation.by !== undefined) {
        const grouped = queryContext(evaluation, range, evaluation.by, previousRange);
        return grouped.shared(key, () => compute(grouped)).then(total);
      }
      return context.shared(key, () => compute(context));
    },
    rolledUp: async (measures) => {
      // Hidden fields are kept from records the actor may not see: only an actor who sees every
      // one of them may have a figure over them (the query then runs its own SQL).
      const hidden = Object.values(measures).flatMap((measure) =>
        hiddenFieldsRead(evaluation.state.engine.objects, measure.source, [measure]),
      );
      for (const { from } of hidden) if (!(await context.seesEvery(from))) return undefined;
      return rolledUpMeasures(evaluation, range, previousRange, by, measures);
    },
  };
  return context;
}

/** @internal Rows of a query KPI by group name, each with its normalised value. */
export type QueryRows = Map<string, { row: KpiRow<unknown>; computed: Computed }>;

function fromRows(rows: readonly KpiRow<unknown>[]): QueryRows {
  return new Map(
    rows.map((row) => [
      groupName(row.key),
      { row, computed: normalise(row.value, row.sampleSize) },
    ]),
  );
}

/** @internal The rows of a query KPI for the period and (when compared) the previous one. */
export interface QueryRuns {
  readonly current: QueryRows;
  readonly previous: QueryRows | undefined;
}

/**
 * @internal Runs a query KPI for the total (`by` undefined) or a breakdown: one call for a KPI
 * that computes both ranges at once, else one call per range.
 */
export async function runQueryKpi(
  kpi: QueryKpi<string, KpiDimension, unknown>,
  evaluation: Evaluation,
  range: Period | null,
  previous: Period | null,
  by: KpiBreakdown | undefined,
): Promise<QueryRuns> {
  const runOne = async (period: Period) =>
    fromRows(await kpi.query(queryContext(evaluation, period, by)));
  if (!kpi.bothRanges) {
    const [current, before] = await Promise.all([
      kpi.query(queryContext(evaluation, range, by)).then(fromRows),
      previous ? runOne(previous) : undefined,
    ]);
    return { current, previous: before };
  }
  const rows = await kpi.query(queryContext(evaluation, range, by, previous));
  return {
    current: fromRows(rows.filter((row) => row.range !== 'previous')),
    previous: previous ? fromRows(rows.filter((row) => row.range === 'previous')) : undefined,
  };
}
