import type { AliasedExpression, Expression, RawBuilder, SelectQueryBuilder } from 'kysely';
import type { CrmRecord, Where } from '../engine/record-types.js';
import type { AnyDatabase } from '../migrations/migration-context.js';
import type { ObjectName } from '../objects/standard-objects.js';
import type { Period } from '../periods/period.js';
import type { DialectSql } from '../storage/storage-adapter.js';
import type { Tenant } from '../tenancy/tenant.js';

/**
 * What a KPI's value is measured in. `money` values are minor units of the tenant's base
 * currency; `duration` values are days; `ratio` values are fractions (0.63, not 63).
 *
 * @example
 * const unit: KpiUnit = 'ratio';
 */
export type KpiUnit = 'money' | 'ratio' | 'count' | 'duration' | 'number';

/**
 * Which way is good: a rising win rate is `higher`, a rising sales cycle is `lower`.
 *
 * @example
 * const direction: KpiDirection = 'lower'; // a shorter sales cycle is better
 */
export type KpiDirection = 'higher' | 'lower' | 'neutral';

/**
 * Dimensions a KPI can be broken down and filtered by. `custom` means any custom field of the
 * KPI's object (`custom.industryTier` in a breakdown). `product` of an opportunity is its main
 * product: the line item with the largest total (so a breakdown never counts a deal twice).
 *
 * @example
 * kpiDimensions.includes('owner'); // true
 */
export const kpiDimensions = [
  'owner',
  'team',
  'product',
  'productFamily',
  'leadSource',
  'campaign',
  'stage',
  'accountSegment',
  'lostReason',
  'custom',
] as const;

/**
 * One of {@link kpiDimensions}.
 *
 * @example
 * const dimensions: readonly KpiDimension[] = ['owner', 'team', 'custom'];
 */
export type KpiDimension = (typeof kpiDimensions)[number];

/**
 * What `by` and `filters` name: a dimension, or `custom.<field>` where a KPI supports `custom`.
 *
 * @example
 * const by: KpiBreakdown = 'custom.industryTier';
 */
export type KpiBreakdown<TDimension extends KpiDimension = KpiDimension> =
  | Exclude<TDimension, 'custom'>
  | ('custom' extends TDimension ? `custom.${string}` : never);

/**
 * A field of an object (not `custom`).
 *
 * @example
 * const date: KpiField<'opportunity'> = 'closeDate';
 */
export type KpiField<TObject extends ObjectName> = Exclude<keyof CrmRecord<TObject>, 'custom'> &
  string;

/**
 * A numeric field of an object.
 *
 * @example
 * const field: KpiNumericField<'opportunity'> = 'amount';
 */
export type KpiNumericField<TObject extends ObjectName> = {
  [K in KpiField<TObject>]: NonNullable<CrmRecord<TObject>[K]> extends number ? K : never;
}[KpiField<TObject>];

/**
 * Where a declared KPI's rows come from: an object, base filters, and the date field that puts a
 * row into a period. Without `date` the source is a snapshot (open pipeline now) and the period
 * does not cut it. KPIs whose measures share a source are computed in one query, so share source
 * objects (`const closedDeals = kpiSource({...})`) and put conditions into the measures.
 *
 * @example
 * const closedDeals = kpiSource({
 *   object: 'opportunity',
 *   where: { status: { in: ['won', 'lost'] } },
 *   date: 'closeDate',
 * });
 */
export interface KpiSource<TObject extends ObjectName = ObjectName> {
  /** The object (table) read, through the scoped query layer. */
  readonly object: TObject;
  /** Base filters; plain data, so equal sources are recognised and fused. */
  readonly where?: Where<CrmRecord<TObject>>;
  /** The date or timestamp field whose value must fall into the period; none for a snapshot. */
  readonly date?: KpiField<TObject>;
}

/** @internal The erased form of a source. */
export interface AnyKpiSource {
  readonly object: ObjectName;
  readonly where?: object;
  readonly date?: string;
}

/**
 * A value per row that a measure aggregates:
 * - a numeric field: `'amount'`;
 * - `{ money: 'amount' }`: a money field converted to the base currency (minor units) row by row,
 *   before anything adds up;
 * - `{ daysBetween: ['openDate', 'closeDate'] }`: days from one date or timestamp to another;
 * - `{ times: [a, b] }`: a product (weighted pipeline: `{ times: [{ money: 'amount' }, 'probability'] }`).
 *
 * @example
 * const cycle: KpiExpression<'opportunity'> = { daysBetween: ['openDate', 'closeDate'] };
 */
export type KpiExpression<TObject extends ObjectName> =
  | KpiNumericField<TObject>
  | { readonly money: KpiNumericField<TObject> }
  | { readonly daysBetween: readonly [KpiField<TObject>, KpiField<TObject>] }
  | { readonly times: readonly [KpiExpression<TObject>, KpiExpression<TObject>] };

/**
 * How a measure aggregates. Everything but `median` fuses into its source's one query.
 *
 * @example
 * const aggregate: KpiAggregate = 'median';
 */
export type KpiAggregate = 'count' | 'sum' | 'avg' | 'min' | 'max' | 'median';

/**
 * An aggregate over a source's rows that match a condition: `count`, `sum`, `avg`, `min`, `max`
 * or `median` of an expression. Made with {@link measure}.
 *
 * @example
 * const won = measure.count(closedDeals, { status: 'won' });
 */
export interface KpiMeasure<
  TObject extends ObjectName = ObjectName,
  TAggregate extends KpiAggregate = KpiAggregate,
> {
  /** The rows. */
  readonly source: KpiSource<TObject>;
  /** The aggregate. */
  readonly aggregate: TAggregate;
  /** What is aggregated (all but `count`). */
  readonly of?: KpiExpression<TObject>;
  /** Only rows that also match this. */
  readonly where?: Where<CrmRecord<TObject>>;
}

/** @internal The erased form of a measure. */
export interface AnyKpiMeasure {
  readonly source: AnyKpiSource;
  readonly aggregate: KpiAggregate;
  readonly of?: unknown;
  readonly where?: object;
}

/**
 * Declares a source. Identity at run time; keeps the object's literal type so that filters,
 * date fields and measures are checked against its fields.
 *
 * @example
 * const openDeals = kpiSource({ object: 'opportunity', where: { status: 'open' } });
 */
export function kpiSource<const TObject extends ObjectName>(
  source: KpiSource<TObject>,
): KpiSource<TObject> {
  return source;
}

/**
 * Measures: aggregates over a source, for declared KPIs.
 *
 * @example
 * const measures = {
 *   won: measure.count(closedDeals, { status: 'won' }),
 *   revenue: measure.sum(closedDeals, { money: 'amount' }, { status: 'won' }),
 *   cycle: measure.median(closedDeals, { daysBetween: ['openDate', 'closeDate'] }),
 * };
 */
export const measure = {
  /** Rows that match. */
  count: <TObject extends ObjectName>(
    source: KpiSource<TObject>,
    where?: Where<CrmRecord<TObject>>,
  ): KpiMeasure<TObject, 'count'> => ({ source, aggregate: 'count', where }),
  /** Sum of an expression (0 when no row matches). */
  sum: <TObject extends ObjectName>(
    source: KpiSource<TObject>,
    of: KpiExpression<TObject>,
    where?: Where<CrmRecord<TObject>>,
  ): KpiMeasure<TObject, 'sum'> => ({ source, aggregate: 'sum', of, where }),
  /** Average of an expression over rows where it is not null (null when none). */
  avg: <TObject extends ObjectName>(
    source: KpiSource<TObject>,
    of: KpiExpression<TObject>,
    where?: Where<CrmRecord<TObject>>,
  ): KpiMeasure<TObject, 'avg'> => ({ source, aggregate: 'avg', of, where }),
  /** Smallest value (null when none). */
  min: <TObject extends ObjectName>(
    source: KpiSource<TObject>,
    of: KpiExpression<TObject>,
    where?: Where<CrmRecord<TObject>>,
  ): KpiMeasure<TObject, 'min'> => ({ source, aggregate: 'min', of, where }),
  /** Largest value (null when none). */
  max: <TObject extends ObjectName>(
    source: KpiSource<TObject>,
    of: KpiExpression<TObject>,
    where?: Where<CrmRecord<TObject>>,
  ): KpiMeasure<TObject, 'max'> => ({ source, aggregate: 'max', of, where }),
  /** Median (the mean of the two middle values for an even count; null when none). Its own query. */
  median: <TObject extends ObjectName>(
    source: KpiSource<TObject>,
    of: KpiExpression<TObject>,
    where?: Where<CrmRecord<TObject>>,
  ): KpiMeasure<TObject, 'median'> => ({ source, aggregate: 'median', of, where }),
};

/**
 * The values of measures as a KPI's `value` function sees them: counts and sums are numbers.
 *
 * @example
 * type Values = KpiMeasureValues<{ won: KpiMeasure<'opportunity', 'count'> }>; // { readonly won: number }
 */
export type KpiMeasureValues<TMeasures extends Readonly<Record<string, AnyKpiMeasure>>> = {
  readonly [K in keyof TMeasures]: TMeasures[K]['aggregate'] extends 'count' | 'sum'
    ? number
    : number | null;
};

/**
 * What a KPI computes for one period and group: a number, or an outcome that says why there is
 * none (`{ value: null, reason }`), or for a proportion its successes and trials (the engine adds
 * the 95% Wilson interval). Use {@link kpiRatio} and {@link kpiDivide}.
 *
 * @example
 * const value: KpiValue = won + lost > 0 ? won / (won + lost) : { value: null, reason: 'no closed opportunities' };
 */
export type KpiValue = number | KpiOutcome;

/**
 * A KPI value with its reason or its proportion.
 *
 * @example
 * const outcome: KpiOutcome = { value: null, reason: 'no quota in the period' };
 */
export interface KpiOutcome {
  /** The value, or null when it cannot be computed. */
  readonly value: number | null;
  /** Why `value` is null (`no closed opportunities`). */
  readonly reason?: string;
  /** For a proportion: the cases counted as success. */
  readonly successes?: number;
  /** For a proportion: all cases. */
  readonly trials?: number;
}

/**
 * A proportion `successes / trials`, or no value when there are no trials.
 *
 * @example
 * kpiRatio(2, 3); // { value: 0.666..., successes: 2, trials: 3 }
 * kpiRatio(0, 0, 'no closed opportunities'); // { value: null, reason: 'no closed opportunities', ... }
 */
export function kpiRatio(successes: number, trials: number, reason = 'no cases'): KpiOutcome {
  return trials > 0
    ? { value: successes / trials, successes, trials }
    : { value: null, reason, successes, trials };
}

/**
 * `numerator / denominator`, or no value (with the reason) when the denominator is 0 or unknown.
 *
 * @example
 * kpiDivide(revenue, wonCount, 'no won opportunities');
 */
export function kpiDivide(
  numerator: number | null,
  denominator: number | null,
  reason = 'no data',
): KpiOutcome {
  if (numerator === null || denominator === null || denominator === 0)
    return { value: null, reason };
  return { value: numerator / denominator };
}

/**
 * Titles in the languages Rapport ships.
 *
 * @example
 * const title: KpiTitles = { en: 'Win rate', de: 'Gewinnquote' };
 */
export interface KpiTitles {
  readonly en: string;
  readonly de: string;
}

/**
 * What every KPI says about itself.
 *
 * @example
 * const info: KpiInfo = winRate; // id, group, titles, unit, direction, dimensions
 */
export interface KpiInfo<
  TId extends string = string,
  TDimension extends KpiDimension = KpiDimension,
> {
  /** Stable id, `group.name`: `closing.winRate`. */
  readonly id: TId;
  /** The group (plugin) it belongs to: `closing`. */
  readonly group: string;
  /** Titles. */
  readonly title: KpiTitles;
  /** What it means, with the formula. */
  readonly description: string;
  /** What the value is measured in. */
  readonly unit: KpiUnit;
  /** Which way is good. */
  readonly direction: KpiDirection;
  /** What it can be broken down and filtered by. */
  readonly dimensions: readonly TDimension[];
  /** Where the definition comes from (a book, a vendor's glossary), for docs/kpis.md. */
  readonly reference?: string;
}

/**
 * A declared KPI: measures over sources and a pure function from their values to the KPI's value.
 * The engine fuses measures of all requested KPIs that share a source into one GROUP BY.
 *
 * @example
 * const winRate = defineKpi({
 *   id: 'closing.winRate',
 *   group: 'closing',
 *   title: { en: 'Win rate', de: 'Gewinnquote' },
 *   description: 'won / (won + lost) of the opportunities closed in the period',
 *   unit: 'ratio',
 *   direction: 'higher',
 *   dimensions: ['owner', 'team'],
 *   measures: { won: measure.count(closedDeals, { status: 'won' }), lost: measure.count(closedDeals, { status: 'lost' }) },
 *   value: ({ won, lost }) => kpiRatio(won, won + lost, 'no closed opportunities'),
 * });
 */
export interface DeclaredKpi<
  TId extends string = string,
  TDimension extends KpiDimension = KpiDimension,
  TMeasures extends Readonly<Record<string, AnyKpiMeasure>> = Readonly<
    Record<string, AnyKpiMeasure>
  >,
> extends KpiInfo<TId, TDimension> {
  /** Named aggregates. */
  readonly measures: TMeasures;
  // Method syntax on purpose: parameters of methods are bivariant, so every declared KPI is
  // assignable to the erased `AnyKpiDefinition` whatever its measures are.
  /** The value from the measures; pure. */
  value(measures: KpiMeasureValues<TMeasures>): KpiValue;
  /** The sample size from the measures; default: the rows of the first measure's source. */
  sampleSize?(measures: KpiMeasureValues<TMeasures>): number;
}

/**
 * One row a query KPI returns: the value of one group (`key: null` for the total), its sample size
 * and, for list KPIs, the records behind it.
 *
 * @example
 * const total: KpiRow = { key: null, value: 12, sampleSize: 12 };
 */
export interface KpiRow<TItem = never> {
  /** The group's key (owner id, stage, ...), or null for the total or the group "none". */
  readonly key: string | null;
  /** A readable label for the key (owner name). */
  readonly label?: string | null;
  /** The value. */
  readonly value: KpiValue;
  /** How many cases the value rests on. */
  readonly sampleSize: number;
  /** The records behind the value (list KPIs). */
  readonly items?: readonly TItem[];
  /**
   * Which range the row is for, for a KPI with `bothRanges` (see {@link QueryKpi}); default
   * `current`. Other query KPIs are called per range and leave it out.
   */
  readonly range?: KpiRange;
}

/**
 * The evaluated period (`current`) or the one it is compared with (`previous`).
 *
 * @example
 * const range: KpiRange = 'previous';
 */
export type KpiRange = 'current' | 'previous';

/**
 * A group column pair for a breakdown: its key and a label.
 *
 * @example
 * const group = ctx.group('opportunity', 't'); // { key, label } or undefined
 */
export interface KpiGroupExpressions {
  /** The group key of a row. */
  readonly key: Expression<unknown>;
  /** The group label of a row (the key itself when the dimension has no separate label). */
  readonly label: Expression<unknown>;
  /**
   * The label of a group key, for grouped rows: select the key, GROUP BY it, then look its label
   * up once per group (`labelOf(sql.ref('g.kpiKey'))`) instead of once per row. Undefined when the
   * label is the key itself (stage, lead source, custom fields).
   */
  readonly labelOf?: (key: Expression<unknown>) => Expression<unknown>;
}

/**
 * What a query KPI gets: the scoped query layer with the evaluation's period, breakdown and
 * filters applied on request. The engine calls `query` for the total (`by` undefined) and, when a
 * breakdown is asked for, per group; each for the period and (unless a snapshot) its previous one.
 *
 * @example
 * async query(ctx: KpiQueryContext) {
 *   const rows = await (await ctx.source(openDeals, 't')).select((eb) => eb.fn.countAll().as('n')).execute();
 *   return [{ key: null, value: Number(rows[0]?.n), sampleSize: Number(rows[0]?.n) }];
 * }
 */
export interface KpiQueryContext {
  /** The range this call computes (the period or the previous one); null for `all` or a snapshot. */
  readonly range: Period | null;
  /**
   * For a KPI with `bothRanges`: the previous period, which this call computes too (rows with
   * `range: 'previous'`); null when there is none to compare with, and always null for other KPIs.
   */
  readonly previousRange: Period | null;
  /** The breakdown of this call; undefined for the total. */
  readonly by: KpiBreakdown | undefined;
  /** The tenant (base currency, time zone). */
  readonly tenant: Tenant;
  /** Today in the tenant's time zone. */
  readonly today: string;
  /** Dialect helpers (`daysBetween`, `jsonValue`). */
  readonly sql: DialectSql;
  /**
   * Rows of a source as `alias` (default `t`): tenant, visibility, the source's filters, the
   * evaluation's filters and (if the source has a date) the range, already applied.
   */
  source(
    source: AnyKpiSource,
    alias?: string,
  ): Promise<SelectQueryBuilder<AnyDatabase, string, {}>>;
  /**
   * Which range a row of a dated source falls in, as SQL (`'current'` or `'previous'`), to GROUP
   * BY in a KPI with `bothRanges`; always `'current'` when the call computes one range.
   *
   * @example
   * const rows = await (await ctx.source(stageEntries, 'h'))
   *   .select([ctx.rangeOf(stageEntries, 'h').as('range'), sql`count(*)`.as('n')])
   *   .groupBy(sql.ref('range'))
   *   .execute();
   */
  rangeOf(source: AnyKpiSource, alias: string): RawBuilder<KpiRange>;
  /** The breakdown's key and label for rows of `object` aliased `alias`; undefined for the total. */
  group(object: ObjectName, alias: string): KpiGroupExpressions | undefined;
  /** An amount in minor units of `currency`, converted to minor units of the base currency. */
  toBase(amount: Expression<unknown>, currency: Expression<unknown>): RawBuilder<number>;
  /**
   * Wraps a subquery (`query.as('x')`) so it can be queried further: windows, medians, lists. A
   * raw one (`sql\`(...)\`.as('x')`) works too, for SQL the builder has no method for, such as a
   * materialized common table expression.
   */
  selectFrom<TRow, TAlias extends string>(
    subquery: AliasedExpression<TRow, TAlias>,
  ): SelectQueryBuilder<AnyDatabase, TAlias, {}>;
  /**
   * Computes something once per evaluation, range and breakdown, and shares it between the KPIs
   * of one `evaluate` call: query KPIs that are quotients of the same facts (the lead KPIs, the
   * customer KPIs) scan their rows once instead of once each. `key` names what is computed and
   * must determine it together with the context's range and breakdown; the first caller's
   * `compute` runs, later callers get the same promise.
   *
   * @example
   * const facts = await ctx.shared('acme.leadFacts', () => leadFactsQuery(ctx).execute());
   */
  shared<TValue>(key: string, compute: () => Promise<TValue>): Promise<TValue>;
}

/**
 * The escape hatch: a KPI that is not a set of aggregates (a median over a derived table, a
 * cohort, a list of deals) gives its own kysely query, built on the scoped sources of
 * {@link KpiQueryContext}. `TItem` is the type of the records a list KPI returns.
 *
 * @example
 * const stale = defineKpi({
 *   ...info,
 *   snapshot: true,
 *   async query(ctx) {
 *     const rows = await (await ctx.source(openDeals)).select(['t.id', 't.name']).execute();
 *     return [{ key: null, value: rows.length, sampleSize: rows.length, items: rows }];
 *   },
 * });
 */
export interface QueryKpi<
  TId extends string = string,
  TDimension extends KpiDimension = KpiDimension,
  TItem = never,
> extends KpiInfo<TId, TDimension> {
  /** True when the KPI is a state now, not cut by the period (there is no previous value). */
  readonly snapshot?: boolean;
  /**
   * True when `query` computes the period and its previous one in one call, the way declared KPIs
   * do: `ctx.range` is the period, `ctx.previousRange` the previous one, `ctx.source` keeps rows
   * of either, `ctx.rangeOf` tells them apart, and rows for the previous period say
   * `range: 'previous'`. One scan instead of two, where the KPI reads many rows per range.
   * Default false: `query` is called once per range.
   */
  readonly bothRanges?: boolean;
  /** The rows: one with `key: null` for the total, else one per group. */
  query(context: KpiQueryContext): Promise<readonly KpiRow<TItem>[]>;
}

/**
 * A KPI definition, as made by {@link defineKpi}.
 *
 * @example
 * const kpis: readonly KpiDefinition[] = [winRate];
 */
export type KpiDefinition<
  TId extends string = string,
  TDimension extends KpiDimension = KpiDimension,
  TMeasures extends Readonly<Record<string, AnyKpiMeasure>> = Readonly<
    Record<string, AnyKpiMeasure>
  >,
  TItem = never,
> = DeclaredKpi<TId, TDimension, TMeasures> | QueryKpi<TId, TDimension, TItem>;

/**
 * Any KPI definition (the erased form plugins carry).
 *
 * @example
 * const kpis: readonly AnyKpiDefinition[] = [winRate, unrealisticPlanning];
 */
// `unknown` items: a list KPI's item type is erased here and recovered by inference in the registry.
export type AnyKpiDefinition = DeclaredKpi | QueryKpi<string, KpiDimension, unknown>;

/**
 * Declares a KPI: either declared (`measures` + `value`, fused with others into few queries) or a
 * query (`query`, the escape hatch). Identity at run time; keeps the literal id and dimensions
 * so `scope.kpis.evaluate` is typed by them.
 *
 * @example
 * export const wonRevenue = defineKpi({
 *   id: 'closing.wonRevenue',
 *   group: 'closing',
 *   title: { en: 'Won revenue', de: 'Gewonnener Umsatz' },
 *   description: 'sum of the amounts of opportunities won in the period, in the base currency',
 *   unit: 'money',
 *   direction: 'higher',
 *   dimensions: ['owner'],
 *   measures: { revenue: measure.sum(closedDeals, { money: 'amount' }, { status: 'won' }) },
 *   value: ({ revenue }) => revenue,
 * });
 */
export function defineKpi<
  const TId extends string,
  const TDimension extends KpiDimension,
  const TMeasures extends Readonly<Record<string, AnyKpiMeasure>>,
>(kpi: DeclaredKpi<TId, TDimension, TMeasures>): DeclaredKpi<TId, TDimension, TMeasures>;
export function defineKpi<const TId extends string, const TDimension extends KpiDimension, TItem>(
  kpi: QueryKpi<TId, TDimension, TItem>,
): QueryKpi<TId, TDimension, TItem>;
export function defineKpi(kpi: AnyKpiDefinition): AnyKpiDefinition {
  return kpi;
}

/** @internal Whether a KPI is declared (measures) rather than a query. */
export function isDeclaredKpi(kpi: AnyKpiDefinition): kpi is DeclaredKpi {
  return 'measures' in kpi;
}
