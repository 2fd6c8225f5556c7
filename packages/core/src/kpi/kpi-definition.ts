import type { AnyKpiFacts } from './kpi-facts.js';
import type { KpiDimension, KpiInfo } from './kpi-info.js';
import type { AnyKpiMeasure, KpiMeasureValues } from './kpi-measure.js';
import type { KpiQueryContext, KpiRow } from './kpi-query-context.js';
import type { AnyKpiSource } from './kpi-source.js';
import type { KpiValue } from './kpi-value.js';

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
 * The escape hatch: a KPI that is not a set of aggregates (a median over a derived table, a
 * cohort, a list of deals) gives its own kysely query, built on the scoped sources of
 * {@link KpiQueryContext}. `TItem` is the type of the records a list KPI returns.
 *
 * @example
 * import { defineKpi, kpiSource } from '@rapport/core/plugin';
 *
 * const openDeals = kpiSource({ object: 'opportunity', where: { status: 'open' } });
 * const stale = defineKpi({
 *   id: 'acme.openDealList',
 *   group: 'pipeline',
 *   title: { en: 'Open deals', de: 'Offene Verkaufschancen' },
 *   description: 'Open opportunities, listed.',
 *   unit: 'count',
 *   direction: 'neutral',
 *   dimensions: [],
 *   sources: [openDeals],
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
  /**
   * The sources the query reads (`ctx.source`), so that `createCrm` checks the KPI's dimensions
   * and the sources' fields against their objects at startup, as it does for declared KPIs.
   */
  readonly sources?: readonly AnyKpiSource[];
  /**
   * The facts the query reads with `ctx.facts`: with `createCrm({ rollups: true })` each is kept
   * as a rollup (one per dimension of the KPI that can be kept), so `ctx.facts` reads cells
   * instead of scanning the source.
   */
  readonly facts?: readonly AnyKpiFacts[];
  /**
   * Declared measures the query reads with `ctx.rolledUp` (a query that answers from rollups
   * where they give its exact figure, and runs its own SQL otherwise): with rollups on they are
   * rolled up like a declared KPI's measures, keyed by the KPI's dimensions.
   */
  readonly rollupMeasures?: Readonly<Record<string, AnyKpiMeasure>>;
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
 * What the KPI engine needs of a plugin: its id and its KPIs. Every plugin is one; the KPI layer
 * types KPI ids and results from a tuple of these, without depending on the plugin contract.
 *
 * @example
 * const provider: KpiProvider = { id: 'acme', kpis: [winRate] };
 */
export interface KpiProvider {
  /** The plugin's id. */
  readonly id: string;
  /** Its KPIs, as a tuple so their ids are inferred. */
  readonly kpis?: readonly AnyKpiDefinition[];
}

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
