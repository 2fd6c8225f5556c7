import type { SelectQueryBuilder } from 'kysely';
import type { ScopeState } from '../engine/engine-state.js';
import { RapportError } from '../errors/rapport-error.js';
import type { ObjectName } from '../objects/standard-objects.js';
import type { PeriodInput } from '../periods/period.js';
import type { AnyDatabase } from '../storage/migration-context.js';
import type { KpiProvider, QueryKpi } from './kpi-definition.js';
import { evaluateKpis } from './kpi-evaluate.js';
import type { KpiBreakdown, KpiDimension, KpiInfo, kpiDimensions } from './kpi-info.js';
import { type KpiRegistry, kpiRegistryOf } from './kpi-registry.js';
import type { KpiResult } from './kpi-result.js';
import { nearestName } from './nearest-name.js';

/**
 * Every KPI definition of a list of plugins.
 *
 * @example
 * type All = PluginKpis<[typeof closingPlugin]>; // the union of its KPI definitions
 */
export type PluginKpis<TPlugins extends readonly KpiProvider[]> = NonNullable<
  TPlugins[number]['kpis']
>[number];

/**
 * The KPI ids of a list of plugins: what `scope.kpis.evaluate` accepts.
 *
 * @example
 * type Ids = KpiIdOf<[typeof closingPlugin]>; // 'closing.winRate' | 'closing.wonRevenue' | ...
 */
export type KpiIdOf<TPlugins extends readonly KpiProvider[]> = PluginKpis<TPlugins>['id'];

/**
 * The definition of one KPI id.
 *
 * @example
 * type WinRate = KpiOf<[typeof closingPlugin], 'closing.winRate'>;
 */
export type KpiOf<TPlugins extends readonly KpiProvider[], TId> = Extract<
  PluginKpis<TPlugins>,
  { readonly id: TId }
>;

/**
 * The records a list KPI returns (never for the others).
 *
 * @example
 * type Deal = KpiItemOf<typeof unrealisticPlanning>; // UnrealisticDeal
 */
export type KpiItemOf<TKpi> =
  TKpi extends QueryKpi<string, KpiDimension, infer TItem> ? TItem : never;

type IdsSupporting<TPlugins extends readonly KpiProvider[], TDimension> =
  PluginKpis<TPlugins> extends infer TKpi
    ? TKpi extends KpiInfo
      ? TDimension extends TKpi['dimensions'][number]
        ? TKpi['id']
        : never
      : never
    : never;

/**
 * The dimensions every one of the given KPI ids supports: what `by` and `filters` may name.
 *
 * @example
 * type Common = KpiCommonDimension<[typeof closingPlugin], 'closing.winRate'>; // 'owner' | 'team' | ...
 */
export type KpiCommonDimension<TPlugins extends readonly KpiProvider[], TId> = {
  [TDimension in KpiDimension]: [TId] extends [IdsSupporting<TPlugins, TDimension>]
    ? TDimension
    : never;
}[KpiDimension];

type DimensionName<TDimension extends KpiDimension> = TDimension extends 'custom'
  ? 'custom.<field>'
  : TDimension;

/** The dimensions all the given ids support, as a readable list: `owner, team, custom.<field>`. */
type AllowedList<
  TPlugins extends readonly KpiProvider[],
  TId,
  TRest = typeof kpiDimensions,
  TList extends string = '',
> = TRest extends readonly [infer THead extends KpiDimension, ...infer TTail]
  ? AllowedList<
      TPlugins,
      TId,
      TTail,
      [TId] extends [IdsSupporting<TPlugins, THead>]
        ? TList extends ''
          ? DimensionName<THead>
          : `${TList}, ${DimensionName<THead>}`
        : TList
    >
  : TList extends ''
    ? 'none of them (these KPIs have no dimension in common)'
    : TList;

/**
 * What `by` accepts for the given ids: the breakdown itself when every requested KPI supports it,
 * else a message naming the allowed dimensions, so that a wrong `by` reads as
 * `Type '"product"' is not assignable to type '"'product' is not a dimension of every requested KPI; use one of: owner, team"'`.
 *
 * @example
 * type Checked = KpiCheckedBreakdown<[typeof closingPlugin], 'closing.quotaAttainment', 'owner'>; // 'owner'
 */
export type KpiCheckedBreakdown<TPlugins extends readonly KpiProvider[], TId, TBy> = [TBy] extends [
  KpiBreakdown<KpiCommonDimension<TPlugins, TId>>,
]
  ? TBy
  : `'${TBy & string}' is not a dimension of every requested KPI; use one of: ${AllowedList<TPlugins, TId>}`;

/**
 * Filters by dimension value: `{ owner: repId }`, `{ stage: ['Prospecting', 'Qualification'] }`,
 * `{ 'custom.tier': 'A' }`; `null` matches rows without a value.
 *
 * @example
 * const filters: KpiFilters = { owner: [anaId, benId], 'custom.tier': 'A' };
 */
export type KpiFilters<TBreakdown extends string = KpiBreakdown> = {
  readonly [K in TBreakdown]?: string | null | readonly (string | null)[];
};

/**
 * Options of `scope.kpis.evaluate`.
 *
 * @example
 * const options: KpiEvaluateOptions = { period: '2026-Q1', by: 'owner', filters: { team: teamId } };
 */
export interface KpiEvaluateOptions<TBreakdown extends string = KpiBreakdown> {
  /** The period; default `thisMonth` in the tenant's time zone. */
  readonly period?: PeriodInput;
  /** A breakdown dimension every requested KPI supports. */
  readonly by?: TBreakdown;
  /** Filters by dimension value. */
  readonly filters?: KpiFilters<TBreakdown>;
  /** Also compute the previous period (default true). */
  readonly compare?: boolean;
  /**
   * Which page of a list KPI's `items` to return, in the KPI's order: at most `limit` (default
   * 100, at most 1,000) from `offset` (default 0). The result's `itemCount` says how many there
   * are in all, so a list's size does not grow with the tenant.
   */
  readonly items?: KpiItemPage;
  /**
   * Stops the evaluation when it aborts (the HTTP request that asked for it was closed): no
   * further statement starts, and the promise rejects with the signal's reason at once; the
   * statements already running finish in the database and their rows are dropped.
   */
  readonly signal?: AbortSignal;
}

/**
 * A page of a list KPI's items.
 *
 * @example
 * const page: KpiItemPage = { limit: 50, offset: 100 }; // items 101 to 150
 */
export interface KpiItemPage {
  /** How many items at most (1 to 1,000; default 100). */
  readonly limit?: number;
  /** How many items to skip (default 0). */
  readonly offset?: number;
}

/**
 * The results of an evaluation, by KPI id.
 *
 * @example
 * type Results = KpiResults<[typeof closingPlugin], 'closing.winRate'>; // { 'closing.winRate': KpiResult<...> }
 */
export type KpiResults<TPlugins extends readonly KpiProvider[], TId extends string> = {
  readonly [K in TId]: KpiResult<K, KpiItemOf<KpiOf<TPlugins, K>>>;
};

/**
 * The KPIs of the engine's plugins, evaluated in the database through the scope (so visibility
 * applies): ids and result types are inferred from the plugins given to `createCrm`.
 *
 * @example
 * const crm = createCrm({ storage, plugins: [closingPlugin] });
 * const scope = crm.tenant('acme').as(manager);
 * const { 'closing.winRate': winRate } = await scope.kpis.evaluate(['closing.winRate'], {
 *   period: '2026-Q1',
 *   by: 'owner',
 * });
 */
export interface KpiService<TPlugins extends readonly KpiProvider[]> {
  /** Evaluates KPIs; KPIs over the same source are fused into one query. */
  evaluate<
    const TIds extends readonly KpiIdOf<TPlugins>[],
    const TBy extends KpiBreakdown = KpiBreakdown<KpiCommonDimension<TPlugins, TIds[number]>>,
  >(
    ids: TIds,
    options?: Omit<
      KpiEvaluateOptions<KpiBreakdown<KpiCommonDimension<TPlugins, TIds[number]>>>,
      'by'
    > & {
      /** A breakdown dimension every requested KPI supports. */
      readonly by?: KpiCheckedBreakdown<TPlugins, TIds[number], TBy>;
    },
  ): Promise<KpiResults<TPlugins, TIds[number]>>;
  /** Every KPI of the engine's plugins, in plugin order. */
  definitions(): readonly PluginKpis<TPlugins>[];
}

/** @internal The scoped query layer the KPI engine reads through. */
export type ScopedFrom = (
  object: ObjectName,
  alias?: string,
) => Promise<SelectQueryBuilder<AnyDatabase, string, {}>>;

/** @internal The NOT_FOUND error of an unknown KPI id, with the nearest registered id. */
export function unknownKpiError(id: string, registry: KpiRegistry): RapportError {
  const nearest = nearestName(id, registry.keys());
  const hint = nearest
    ? `; did you mean '${nearest}'?`
    : registry.size > 0
      ? `; registered KPIs: ${[...registry.keys()].slice(0, 5).join(', ')}${registry.size > 5 ? ', ...' : ''}`
      : '; no plugin with KPIs is registered (pass one to createCrm, e.g. plugins: [closingPlugin])';
  return new RapportError('NOT_FOUND', `KPI '${id}' is not registered${hint}`, {
    object: 'kpi',
    id,
  });
}

/** @internal The `kpis` member of a scope, over the engine's registry (built by `createCrm`). */
export function createKpiService(
  state: ScopeState,
  from: ScopedFrom,
): KpiService<readonly KpiProvider[]> {
  const registry = kpiRegistryOf(state.engine);
  return {
    async evaluate(ids, options = {}) {
      const definitions = ids.map((id) => {
        const kpi = registry.get(id);
        if (!kpi) throw unknownKpiError(id, registry);
        return kpi;
      });
      return evaluateKpis({ state, from }, definitions, options);
    },
    definitions: () => [...registry.values()],
  };
}
