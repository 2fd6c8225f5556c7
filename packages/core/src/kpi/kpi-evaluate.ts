import {
  type AliasedRawBuilder,
  type Expression,
  expressionBuilder,
  type RawBuilder,
  type SelectQueryBuilder,
  type SqlBool,
  sql,
} from 'kysely';
import { listRates } from '../engine/currencies.js';
import { dbOf, type ScopeState } from '../engine/engine-state.js';
import { queryableFields, whereConditions } from '../engine/query-filter.js';
import { loadTenant, visibleOwners } from '../engine/visibility.js';
import { validationError } from '../errors/rapport-error.js';
import type { AnyDatabase } from '../migrations/migration-context.js';
import { minorUnitDigits } from '../money/currency.js';
import type { AnyObjectDefinition } from '../objects/object-definition.js';
import type { ObjectName } from '../objects/standard-objects.js';
import {
  type Period,
  type PeriodCalendar,
  previousPeriod,
  resolvePeriod,
} from '../periods/period.js';
import type { Tenant } from '../tenancy/tenant.js';
import { dayInTimeZone } from '../tenancy/tenant.js';
import {
  type AnyKpiDefinition,
  type AnyKpiMeasure,
  type AnyKpiSource,
  type DeclaredKpi,
  isDeclaredKpi,
  type KpiBreakdown,
  type KpiDimension,
  type KpiQueryContext,
  type KpiRange,
  type KpiRow,
  type KpiValue,
  type QueryKpi,
} from './kpi-definition.js';
import { dimensionExpressions } from './kpi-dimensions.js';
import {
  type KpiComparison,
  type KpiFigure,
  type KpiGroupResult,
  type KpiResult,
  wilsonInterval,
} from './kpi-result.js';
import type { KpiEvaluateOptions, ScopedFrom } from './kpi-service.js';

type Builder = SelectQueryBuilder<AnyDatabase, string, {}>;
type Condition = Expression<SqlBool>;
type Bucket = 'c' | 'p';

/** Everything one evaluation shares. */
interface Evaluation {
  readonly state: ScopeState;
  readonly from: ScopedFrom;
  readonly tenant: Tenant;
  readonly today: string;
  readonly period: Period;
  readonly previous: Period | null;
  readonly by: KpiBreakdown | undefined;
  readonly filters: Readonly<
    Record<string, string | null | readonly (string | null)[] | undefined>
  >;
  /** Factor from minor units of a currency to minor units of the base currency. */
  readonly factors: ReadonlyMap<string, number>;
  /** What query KPIs computed with `ctx.shared`, by key, range and breakdown. */
  readonly shared: Map<string, Promise<unknown>>;
}

const eb = expressionBuilder<AnyDatabase, string>();
/** The map key of the total and of the group whose key is null. */
const TOTAL = '\u0000total';
const NONE = '\u0000none';

function definitionOf(evaluation: Evaluation, object: ObjectName): AnyObjectDefinition {
  const definition = evaluation.state.engine.objects[object];
  if (!definition) throw validationError('kpi', ['source', 'object'], `unknown object ${object}`);
  return definition;
}

/** Date fields accept a bare day; timestamp fields do not. */
function isTimestampField(definition: AnyObjectDefinition, field: string): boolean {
  if (field === 'createdAt' || field === 'updatedAt') return true;
  const schema = definition.fields.shape[field];
  if (!schema) throw validationError('kpi', ['source', 'date'], `${field} is not a field`);
  return !(schema as { safeParse(value: unknown): { success: boolean } }).safeParse('2026-01-01')
    .success;
}

function inRange(
  column: Expression<unknown>,
  period: Period,
  timestamp: boolean,
): RawBuilder<SqlBool> {
  const low = timestamp ? period.startInstant : period.start;
  const high = timestamp ? period.endInstant : period.end;
  return sql<SqlBool>`(${column} >= ${low} and ${column} < ${high})`;
}

function moneyFactor(
  evaluation: Evaluation,
  amount: Expression<unknown>,
  currency: Expression<unknown>,
) {
  // Rates come from the exchangeRates table (loaded once per evaluation) and reach SQL as a CASE
  // of literals, with the minor-unit difference folded in, so a JPY amount converts as correctly
  // as a USD one. A currency without a rate converts to null and is left out of sums.
  const cases = [...evaluation.factors].map(
    ([code, factor]) => sql`when ${sql.lit(code)} then ${amount} * ${sql.lit(factor)}`,
  );
  return sql<number>`(case ${currency} ${sql.join(cases, sql` `)} else null end)`;
}

function expressionSql(
  evaluation: Evaluation,
  definition: AnyObjectDefinition,
  alias: string,
  expression: unknown,
): RawBuilder<number> {
  const fields = queryableFields(definition);
  const ref = (field: unknown) => {
    if (typeof field !== 'string' || !fields.has(field))
      throw validationError(
        'kpi',
        ['measure', 'of'],
        `${String(field)} is not a field of ${definition.name}`,
      );
    return sql.ref(`${alias}.${field}`);
  };
  if (typeof expression === 'string') return sql<number>`${ref(expression)}`;
  const value = expression as Record<string, unknown>;
  if ('money' in value)
    return moneyFactor(evaluation, ref(value.money), sql.ref(`${alias}.currency`));
  if ('daysBetween' in value) {
    const [start, end] = value.daysBetween as [string, string];
    return evaluation.state.engine.storage.sql.daysBetween(ref(start), ref(end));
  }
  if ('times' in value) {
    const [left, right] = value.times as [unknown, unknown];
    return sql<number>`(${expressionSql(evaluation, definition, alias, left)} * ${expressionSql(evaluation, definition, alias, right)})`;
  }
  throw validationError(
    'kpi',
    ['measure', 'of'],
    `is not a KPI expression: ${JSON.stringify(expression)}`,
  );
}

function whereSql(
  evaluation: Evaluation,
  definition: AnyObjectDefinition,
  alias: string,
  where: object | undefined,
): Condition[] {
  return whereConditions(eb, where as Readonly<Record<string, unknown>> | undefined, {
    definition,
    customSchema: evaluation.state.engine.customSchemas[definition.name]!,
    dialect: evaluation.state.engine.storage.sql,
    alias,
  });
}

function groupOf(evaluation: Evaluation, object: ObjectName, alias: string, by: KpiBreakdown) {
  return dimensionExpressions(
    by,
    object,
    alias,
    evaluation.state.engine.objects,
    evaluation.state.engine.storage.sql,
    evaluation.tenant.id,
  );
}

/**
 * Grouped rows (with a `kpiGroup` column) with the group's label added as `kpiLabel`: looked up
 * once per group after the GROUP BY, not once per row inside it.
 */
function withLabels(
  evaluation: Evaluation,
  object: ObjectName,
  by: KpiBreakdown,
  grouped: SelectQueryBuilder<AnyDatabase, string, {}>,
): SelectQueryBuilder<AnyDatabase, string, {}> {
  const { labelOf } = groupOf(evaluation, object, 'g', by);
  const groupKey = sql.ref('g.kpiGroup');
  return dbOf(evaluation.state)
    .selectFrom(grouped.as('g'))
    .selectAll('g')
    .select(sql`${labelOf ? labelOf(groupKey) : groupKey}`.as('kpiLabel'));
}

function filterSql(evaluation: Evaluation, object: ObjectName, alias: string): Condition[] {
  const conditions: Condition[] = [];
  for (const [dimension, filter] of Object.entries(evaluation.filters)) {
    if (filter === undefined) continue;
    const { key } = groupOf(evaluation, object, alias, dimension as KpiBreakdown);
    const values = Array.isArray(filter) ? filter : [filter];
    const present = values.filter((value): value is string => value !== null);
    const alternatives: Condition[] = [];
    if (present.length > 0) alternatives.push(eb(key, 'in', present));
    if (present.length < values.length) alternatives.push(eb(key, 'is', null));
    conditions.push(alternatives.length > 0 ? eb.or(alternatives) : sql<SqlBool>`1 = 0`);
  }
  return conditions;
}

/**
 * The rows of a source through the scoped query layer: tenant, visibility, the source's filters,
 * the evaluation's filters and, for dated sources, the given ranges.
 */
async function sourceRows(
  evaluation: Evaluation,
  source: AnyKpiSource,
  alias: string,
  ranges: readonly Period[],
): Promise<Builder> {
  const definition = definitionOf(evaluation, source.object);
  const conditions = [
    ...whereSql(evaluation, definition, alias, source.where),
    ...filterSql(evaluation, source.object, alias),
  ];
  const limited = ranges.filter((range) => range.start !== null);
  if (source.date && limited.length > 0) {
    const timestamp = isTimestampField(definition, source.date);
    const column = sql.ref(`${alias}.${source.date}`);
    conditions.push(eb.or(limited.map((range) => inRange(column, range, timestamp))));
  }
  if (definition.access === 'shared' && 'ownerId' in definition.fields.shape) {
    // Shared records that still name an owner (quotas) are readable by everyone, but a rep's
    // quota attainment must divide by his own quota: KPIs see the owned ones of visible owners.
    const owners = await visibleOwners(evaluation.state);
    if (owners !== 'all') {
      const ownerId = sql.ref(`${alias}.ownerId`);
      conditions.push(
        eb.or([eb(ownerId, 'is', null), eb(ownerId, 'in', [...owners, evaluation.state.actor.id])]),
      );
    }
  }
  const query = await evaluation.from(source.object, alias);
  return conditions.length > 0 ? query.where(eb.and(conditions)) : query;
}

function sourceKey(source: AnyKpiSource): string {
  return JSON.stringify([source.object, source.date ?? null, source.where ?? null]);
}

/** Whether the period cuts a source (it has a date field and the period has limits). */
function isDated(evaluation: Evaluation, source: AnyKpiSource): boolean {
  return source.date !== undefined && evaluation.period.start !== null;
}

/** A partial aggregate that can be combined across groups. */
interface Partial {
  n: number;
  s: number | null;
  v: number | null;
}

/** Per bucket, per group (or TOTAL): rows per source and partials per measure signature. */
interface Cell {
  label: string | null;
  readonly rows: Map<string, number>;
  readonly partials: Map<string, Partial>;
}
type Cells = Map<Bucket, Map<string, Cell>>;

function cell(cells: Cells, bucket: Bucket, group: string): Cell {
  let byGroup = cells.get(bucket);
  if (!byGroup) {
    byGroup = new Map();
    cells.set(bucket, byGroup);
  }
  let found = byGroup.get(group);
  if (!found) {
    found = { label: null, rows: new Map(), partials: new Map() };
    byGroup.set(group, found);
  }
  return found;
}

function toNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const number = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(number) ? number : null;
}

function measureSignature(measure: AnyKpiMeasure): string {
  return JSON.stringify([
    sourceKey(measure.source),
    measure.aggregate,
    measure.of ?? null,
    measure.where ?? null,
  ]);
}

function combine(aggregate: AnyKpiMeasure['aggregate'], into: Partial, from: Partial): void {
  into.n += from.n;
  if (from.s !== null) into.s = (into.s ?? 0) + from.s;
  if (from.v !== null) {
    if (into.v === null) into.v = from.v;
    else if (aggregate === 'min') into.v = Math.min(into.v, from.v);
    else if (aggregate === 'max') into.v = Math.max(into.v, from.v);
  }
}

function bucketSql(
  evaluation: Evaluation,
  definition: AnyObjectDefinition,
  source: AnyKpiSource,
  alias: string,
): RawBuilder<unknown> {
  const { period, previous } = evaluation;
  if (!source.date || !previous || period.start === null) return sql`${sql.lit('c')}`;
  const timestamp = isTimestampField(definition, source.date);
  return sql`(case when ${inRange(sql.ref(`${alias}.${source.date}`), period, timestamp)} then ${sql.lit('c')} else ${sql.lit('p')} end)`;
}

function rangesOf(evaluation: Evaluation): Period[] {
  return evaluation.previous ? [evaluation.period, evaluation.previous] : [evaluation.period];
}

function groupName(key: unknown): string {
  return key === null || key === undefined ? NONE : String(key);
}

/** One GROUP BY over a source for all fusable measures on it (every KPI that shares it). */
async function runFusedSource(
  evaluation: Evaluation,
  source: AnyKpiSource,
  measures: ReadonlyMap<string, AnyKpiMeasure>,
  cells: Cells,
): Promise<void> {
  const definition = definitionOf(evaluation, source.object);
  const key = sourceKey(source);
  let inner = (await sourceRows(evaluation, source, 't', rangesOf(evaluation)))
    .selectAll('t')
    .select(bucketSql(evaluation, definition, source, 't').as('kpiBucket'));
  const by = evaluation.by;
  if (by)
    inner = inner.select(sql`${groupOf(evaluation, source.object, 't', by).key}`.as('kpiGroup'));
  const columns: AliasedRawBuilder<unknown, string>[] = [];
  const names = [...measures.keys()];
  names.forEach((signature, index) => {
    const measure = measures.get(signature)!;
    const conditions = whereSql(evaluation, definition, 'r', measure.where);
    const when = conditions.length > 0 ? eb.and(conditions) : sql<SqlBool>`1 = 1`;
    if (measure.aggregate === 'count') {
      columns.push(sql`sum(case when ${when} then 1 else 0 end)`.as(`m${index}n`));
      return;
    }
    const value = expressionSql(evaluation, definition, 'r', measure.of);
    if (measure.aggregate === 'sum' || measure.aggregate === 'avg') {
      columns.push(sql`sum(case when ${when} then ${value} end)`.as(`m${index}s`));
      columns.push(
        sql`sum(case when ${when} and ${value} is not null then 1 else 0 end)`.as(`m${index}n`),
      );
    } else {
      const fn = measure.aggregate === 'min' ? sql`min` : sql`max`;
      columns.push(sql`${fn}(case when ${when} then ${value} end)`.as(`m${index}v`));
    }
  });
  let outer = dbOf(evaluation.state)
    .selectFrom(inner.as('r'))
    .select([sql.ref('r.kpiBucket').as('kpiBucket'), sql`count(*)`.as('kpiRows')])
    .select(columns)
    .groupBy('r.kpiBucket');
  if (by) outer = outer.select(sql.ref('r.kpiGroup').as('kpiGroup')).groupBy('r.kpiGroup');
  const rows = (await (by
    ? withLabels(evaluation, source.object, by, outer)
    : outer
  ).execute()) as Record<string, unknown>[];
  for (const row of rows) {
    const bucket = row.kpiBucket as Bucket;
    const targets = [cell(cells, bucket, TOTAL)];
    if (by) {
      const groupCell = cell(cells, bucket, groupName(row.kpiGroup));
      groupCell.label =
        row.kpiLabel === null || row.kpiLabel === undefined ? null : String(row.kpiLabel);
      targets.push(groupCell);
    }
    for (const target of targets) {
      target.rows.set(key, (target.rows.get(key) ?? 0) + (toNumber(row.kpiRows) ?? 0));
      names.forEach((signature, index) => {
        const measure = measures.get(signature)!;
        const partial: Partial = {
          n: toNumber(row[`m${index}n`]) ?? 0,
          s: toNumber(row[`m${index}s`]),
          v: toNumber(row[`m${index}v`]),
        };
        const existing = target.partials.get(signature);
        if (existing) combine(measure.aggregate, existing, partial);
        else target.partials.set(signature, partial);
      });
    }
  }
}

/** A median per bucket (and group): its own query with window functions, same on every dialect. */
async function runMedian(
  evaluation: Evaluation,
  signature: string,
  measure: AnyKpiMeasure,
  cells: Cells,
  grouped: boolean,
): Promise<void> {
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
  const rows = (await (by
    ? withLabels(evaluation, source.object, by, outer)
    : outer
  ).execute()) as Record<string, unknown>[];
  for (const row of rows) {
    const target = cell(cells, row.kpiBucket as Bucket, by ? groupName(row.kpiGroup) : TOTAL);
    if (by)
      target.label =
        row.kpiLabel === null || row.kpiLabel === undefined ? null : String(row.kpiLabel);
    target.partials.set(signature, {
      n: toNumber(row.kpiCount) ?? 0,
      s: null,
      v: toNumber(row.kpiMedian),
    });
  }
}

function measureValue(aggregate: AnyKpiMeasure['aggregate'], partial: Partial | undefined) {
  if (aggregate === 'count') return partial?.n ?? 0;
  if (aggregate === 'sum') return partial?.s ?? 0;
  if (!partial) return null;
  if (aggregate === 'avg')
    return partial.n > 0 && partial.s !== null ? partial.s / partial.n : null;
  return partial.v;
}

interface Computed {
  readonly value: number | null;
  readonly reason: string | null;
  readonly sampleSize: number;
  readonly successes?: number;
  readonly trials?: number;
}

function normalise(value: KpiValue, sampleSize: number): Computed {
  if (typeof value === 'number') {
    return Number.isFinite(value)
      ? { value, reason: null, sampleSize }
      : { value: null, reason: 'not a finite number', sampleSize };
  }
  const finite = value.value !== null && Number.isFinite(value.value);
  return {
    value: finite ? value.value : null,
    reason: finite ? null : (value.reason ?? 'no data'),
    sampleSize,
    ...(value.successes === undefined ? {} : { successes: value.successes }),
    ...(value.trials === undefined ? {} : { trials: value.trials }),
  };
}

function measureValues(
  kpi: DeclaredKpi,
  evaluation: Evaluation,
  cells: Cells,
  bucket: Bucket,
  group: string,
): Record<string, number | null> {
  const values: Record<string, number | null> = {};
  for (const [name, measure] of Object.entries(kpi.measures)) {
    // A snapshot source is the same state now for both periods.
    const from = bucket === 'p' && !isDated(evaluation, measure.source) ? 'c' : bucket;
    const partial = cells.get(from)?.get(group)?.partials.get(measureSignature(measure));
    values[name] = measureValue(measure.aggregate, partial);
  }
  return values;
}

function computeDeclared(
  kpi: DeclaredKpi,
  evaluation: Evaluation,
  cells: Cells,
  bucket: Bucket,
  group: string,
): Computed {
  const values = measureValues(kpi, evaluation, cells, bucket, group);
  const first = Object.values(kpi.measures)[0];
  const sampleSize =
    kpi.sampleSize?.(values) ??
    (first
      ? (cells
          .get(bucket === 'p' && !isDated(evaluation, first.source) ? 'c' : bucket)
          ?.get(group)
          ?.rows.get(sourceKey(first.source)) ?? 0)
      : 0);
  return normalise(kpi.value(values), sampleSize);
}

function comparison(current: Computed, previous: Computed, period: Period): KpiComparison {
  const both = current.value !== null && previous.value !== null;
  const change = both ? current.value! - previous.value! : null;
  return {
    period,
    value: previous.value,
    reason: previous.reason,
    sampleSize: previous.sampleSize,
    change,
    relativeChange:
      change !== null && previous.value !== 0 ? change / Math.abs(previous.value!) : null,
  };
}

function figure(current: Computed, previous: Computed | null, period: Period | null): KpiFigure {
  return {
    value: current.value,
    reason: current.reason,
    sampleSize: current.sampleSize,
    interval:
      current.successes !== undefined && current.trials !== undefined
        ? wilsonInterval(current.successes, current.trials)
        : null,
    previous: previous && period ? comparison(current, previous, period) : null,
  };
}

function sortGroups(groups: KpiGroupResult[]): KpiGroupResult[] {
  return groups.sort(
    (a, b) =>
      b.sampleSize - a.sampleSize ||
      String(a.label ?? '').localeCompare(String(b.label ?? '')) ||
      String(a.key ?? '').localeCompare(String(b.key ?? '')),
  );
}

function resultBase(kpi: AnyKpiDefinition, evaluation: Evaluation) {
  return {
    id: kpi.id,
    group: kpi.group,
    title: kpi.title,
    unit: kpi.unit,
    direction: kpi.direction,
    currency: kpi.unit === 'money' ? evaluation.tenant.baseCurrency : null,
    period: evaluation.period,
  };
}

function checkDimension(kpi: AnyKpiDefinition, dimension: string): void {
  const base = dimension.startsWith('custom.') ? 'custom' : dimension;
  if (!(kpi.dimensions as readonly string[]).includes(base)) {
    throw validationError(
      'kpi',
      ['by'],
      `KPI ${kpi.id} cannot be broken down or filtered by ${dimension}`,
      'unsupported_dimension',
    );
  }
}

function declaredResult(kpi: DeclaredKpi, evaluation: Evaluation, cells: Cells): KpiResult {
  const dated = Object.values(kpi.measures).some((m) => isDated(evaluation, m.source));
  const previousPeriodOf = dated ? evaluation.previous : null;
  const compute = (bucket: Bucket, group: string) =>
    computeDeclared(kpi, evaluation, cells, bucket, group);
  const total = figure(
    compute('c', TOTAL),
    previousPeriodOf ? compute('p', TOTAL) : null,
    previousPeriodOf,
  );
  let breakdown: KpiGroupResult[] | null = null;
  if (evaluation.by) {
    // A group is listed when any of the KPI's measures has data for it in the period: a rep
    // with a quota and no wins is there (attainment 0), a rep without deals or quota is not.
    const groups = new Map<string, string | null>();
    for (const [group, found] of cells.get('c') ?? []) {
      if (group === TOTAL) continue;
      const values = Object.values(measureValues(kpi, evaluation, cells, 'c', group));
      if (values.some((value) => value !== null && value !== 0)) groups.set(group, found.label);
    }
    breakdown = sortGroups(
      [...groups].map(([group, label]) => {
        const key = group === NONE ? null : group;
        return {
          key,
          label: label ?? key,
          ...figure(
            compute('c', group),
            previousPeriodOf ? compute('p', group) : null,
            previousPeriodOf,
          ),
        };
      }),
    );
  }
  return { ...resultBase(kpi, evaluation), ...total, breakdown, items: [] };
}

function queryContext(
  evaluation: Evaluation,
  range: Period | null,
  by: KpiBreakdown | undefined,
  previousRange: Period | null = null,
): KpiQueryContext {
  const db = dbOf(evaluation.state);
  const ranges = [range, previousRange].filter((r): r is Period => r !== null);
  return {
    range,
    previousRange,
    by,
    tenant: evaluation.tenant,
    today: evaluation.today,
    sql: evaluation.state.engine.storage.sql,
    source: (source, alias = 't') => sourceRows(evaluation, source, alias, ranges),
    rangeOf: (source, alias) => {
      if (!source.date || !range || !previousRange || range.start === null)
        return sql<KpiRange>`${sql.lit('current')}`;
      const column = sql.ref(`${alias}.${source.date}`);
      const timestamp = isTimestampField(definitionOf(evaluation, source.object), source.date);
      return sql<KpiRange>`(case when ${inRange(column, range, timestamp)} then ${sql.lit('current')} else ${sql.lit('previous')} end)`;
    },
    group: (object, alias) => (by ? groupOf(evaluation, object, alias, by) : undefined),
    toBase: (amount, currency) => moneyFactor(evaluation, amount, currency),
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
  };
}

function fromRows(
  rows: readonly KpiRow<unknown>[],
): Map<string, { row: KpiRow<unknown>; computed: Computed }> {
  return new Map(
    rows.map((row) => [
      groupName(row.key),
      { row, computed: normalise(row.value, row.sampleSize) },
    ]),
  );
}

const noRows: Computed = { value: null, reason: 'no data', sampleSize: 0 };

async function queryResult(
  kpi: QueryKpi<string, KpiDimension, unknown>,
  evaluation: Evaluation,
): Promise<KpiResult<string, unknown>> {
  const snapshot = kpi.snapshot === true || evaluation.period.start === null;
  const range = snapshot ? null : evaluation.period;
  const previous = snapshot ? null : evaluation.previous;
  const runOne = async (period: Period | null, by: KpiBreakdown | undefined) =>
    fromRows(await kpi.query(queryContext(evaluation, period, by)));
  // Current and previous rows of a breakdown (or the total): one call for a KPI that computes
  // both ranges at once, else one call per range.
  const run = async (by: KpiBreakdown | undefined) => {
    if (!kpi.bothRanges)
      return Promise.all([runOne(range, by), previous ? runOne(previous, by) : undefined]);
    const rows = await kpi.query(queryContext(evaluation, range, by, previous));
    return [
      fromRows(rows.filter((row) => row.range !== 'previous')),
      previous ? fromRows(rows.filter((row) => row.range === 'previous')) : undefined,
    ] as const;
  };
  const [current, before] = await run(undefined);
  const currentTotal = current.get(NONE);
  const total = figure(
    currentTotal?.computed ?? noRows,
    before ? (before.get(NONE)?.computed ?? noRows) : null,
    previous,
  );
  let breakdown: KpiGroupResult[] | null = null;
  if (evaluation.by) {
    const [groups, groupsBefore] = await run(evaluation.by);
    breakdown = sortGroups(
      [...groups].map(([group, { row, computed }]) => ({
        key: row.key,
        label: row.label ?? row.key,
        ...figure(
          computed,
          groupsBefore ? (groupsBefore.get(group)?.computed ?? noRows) : null,
          previous,
        ),
      })),
    );
  }
  return {
    ...resultBase(kpi, evaluation),
    ...total,
    breakdown,
    items: currentTotal?.row.items ?? [],
  };
}

/** @internal Evaluates KPIs: declared ones fused per source, query KPIs one by one. */
export async function evaluateKpis(
  context: { readonly state: ScopeState; readonly from: ScopedFrom },
  kpis: readonly AnyKpiDefinition[],
  options: KpiEvaluateOptions<string>,
): Promise<never> {
  const { state, from } = context;
  const tenant = await loadTenant(state);
  const today = dayInTimeZone(state.engine.now(), tenant.timeZone);
  const calendar: PeriodCalendar = {
    timeZone: tenant.timeZone,
    fiscalYearStartMonth: tenant.fiscalYearStartMonth,
    today,
  };
  const period = resolvePeriod(options.period ?? 'thisMonth', calendar);
  const previous = options.compare === false ? null : previousPeriod(period, calendar);
  const by = options.by as KpiBreakdown | undefined;
  const filters = (options.filters ?? {}) as Evaluation['filters'];
  for (const kpi of kpis) {
    if (by) checkDimension(kpi, by);
    for (const dimension of Object.keys(filters)) checkDimension(kpi, dimension);
  }
  const needsRates = kpis.some(
    (kpi) => !isDeclaredKpi(kpi) || JSON.stringify(kpi.measures).includes('"money"'),
  );
  const factors = new Map<string, number>([[tenant.baseCurrency, 1]]);
  if (needsRates) {
    const baseDigits = minorUnitDigits(tenant.baseCurrency);
    for (const { currency, rate } of await listRates(state)) {
      factors.set(currency, rate * 10 ** (baseDigits - minorUnitDigits(currency)));
    }
  }
  const evaluation: Evaluation = {
    state,
    from,
    tenant,
    today,
    period,
    previous,
    by,
    filters,
    factors,
    shared: new Map(),
  };

  // Fusion: every fusable measure of every requested declared KPI, grouped by its source.
  const fused = new Map<string, { source: AnyKpiSource; measures: Map<string, AnyKpiMeasure> }>();
  const medians = new Map<string, AnyKpiMeasure>();
  for (const kpi of kpis) {
    if (!isDeclaredKpi(kpi)) continue;
    for (const measure of Object.values(kpi.measures)) {
      const signature = measureSignature(measure);
      if (measure.aggregate === 'median') {
        medians.set(signature, measure);
        continue;
      }
      const key = sourceKey(measure.source);
      let group = fused.get(key);
      if (!group) {
        group = { source: measure.source, measures: new Map() };
        fused.set(key, group);
      }
      group.measures.set(signature, measure);
    }
  }
  const cells: Cells = new Map();
  const queryKpis = kpis.filter(
    (kpi): kpi is QueryKpi<string, KpiDimension, unknown> => !isDeclaredKpi(kpi),
  );
  // Fused sources, medians and query KPIs all run side by side (a pool runs them in parallel).
  const [queried] = await Promise.all([
    Promise.all(queryKpis.map((kpi) => queryResult(kpi, evaluation))),
    ...[...fused.values()].map(({ source, measures }) =>
      runFusedSource(evaluation, source, measures, cells),
    ),
    ...[...medians].flatMap(([signature, measure]) => [
      runMedian(evaluation, signature, measure, cells, false),
      ...(by ? [runMedian(evaluation, signature, measure, cells, true)] : []),
    ]),
  ]);
  const byId = new Map(queried.map((result) => [result.id, result]));
  const results: Record<string, KpiResult<string, unknown>> = {};
  for (const kpi of kpis) {
    results[kpi.id] = isDeclaredKpi(kpi)
      ? declaredResult(kpi, evaluation, cells)
      : byId.get(kpi.id)!;
  }
  // The public type of the results is computed from the requested ids in KpiService.
  return results as never;
}
