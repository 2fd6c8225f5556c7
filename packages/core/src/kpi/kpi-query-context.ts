import type { AliasedExpression, Expression, RawBuilder, SelectQueryBuilder } from 'kysely';
import type { ObjectName } from '../objects/standard-objects.js';
import type { Period } from '../periods/period.js';
import type { AnyDatabase } from '../storage/migration-context.js';
import type { DialectSql } from '../storage/storage-adapter.js';
import type { Tenant } from '../tenancy/tenant.js';
import type { AnyKpiFacts, KpiFactRow, KpiFacts } from './kpi-facts.js';
import type { KpiBreakdown } from './kpi-info.js';
import type { AnyKpiMeasure } from './kpi-measure.js';
import type { AnyKpiSource } from './kpi-source.js';
import type { KpiValue } from './kpi-value.js';

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
  /**
   * The records behind the value (list KPIs): the page `ctx.items` asks for, in the KPI's order.
   */
  readonly items?: readonly TItem[];
  /** How many records there are behind the value in all, when `items` is one page of them. */
  readonly itemCount?: number;
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
 * One range and group of the measures a query KPI read with `ctx.rolledUp`: each measure's value
 * as a declared KPI would get it (a count, a sum, 0 for an empty count or sum, an average or null).
 *
 * @example
 * const row: KpiMeasureRow<'leads' | 'won'> = { range: 'current', key: null, label: null, values: { leads: 10, won: 3 } };
 */
export interface KpiMeasureRow<TName extends string = string> {
  /** The range: the period, or the previous one it is compared with. */
  readonly range: KpiRange;
  /** The group's key; null for the total or the group "none". */
  readonly key: string | null;
  /** The group's label (owner or campaign name), as a declared KPI's breakdown labels it. */
  readonly label: string | null;
  /** The value of each measure, by the name it was asked under. */
  readonly values: Readonly<Record<TName, number | null>>;
}

/**
 * What a query KPI gets: the scoped query layer with the evaluation's period, breakdown and
 * filters applied on request. The engine calls `query` for the total (`by` undefined) and, when a
 * breakdown is asked for, per group; each for the period and (unless a snapshot) its previous one.
 *
 * @example
 * import { kpiSource } from '@rapport/core/plugin';
 *
 * const openDeals = kpiSource({ object: 'opportunity', where: { status: 'open' } });
 * async function openDealCount(ctx: KpiQueryContext) {
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
  /**
   * The page of items a list KPI returns for the total (its rows' `items`): at most `limit`
   * from `offset`, with `itemCount` the number of all of them. Checked by the engine.
   */
  readonly items: { readonly limit: number; readonly offset: number };
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
   * Any core table (`contract`, `lineItem`, `activity`, ...) as `alias` (default `t`), already
   * filtered to the tenant and to what the actor may see: the same rule as the scope's lists, so
   * what a scope cannot list, a KPI cannot count, sum or group. Unlike {@link source}, no
   * evaluation filter or range applies. Query KPIs read every table through this (or `source`),
   * never with a tenant predicate of their own.
   *
   * @example
   * const contracts = (await ctx.scoped('contract', 'kc'))
   *   .select(['kc.accountId', sql`sum(${sql.ref('kc.monthlyAmount')})`.as('mrr')])
   *   .groupBy('kc.accountId');
   */
  scoped(object: ObjectName, alias?: string): Promise<SelectQueryBuilder<AnyDatabase, string, {}>>;
  /**
   * Whether the actor sees every record of `object` in the tenant (visibility narrows none):
   * then a value the engine keeps over all of an object's records (a lead's `firstActivityAt`)
   * equals the same value computed over the records the actor may see, and can be read instead.
   *
   * @example
   * const first = (await ctx.seesEvery('activity')) ? sql.ref('l.firstActivityAt') : visibleFirst;
   */
  seesEvery(object: ObjectName): Promise<boolean>;
  /**
   * A table a plugin declared (its `tables`) as `alias` (default `t`), narrowed to the tenant. A
   * plugin table has no owner of its own, so a KPI over one joins it to a {@link scoped} core
   * table for visibility. A name no registered plugin declares is UNSUPPORTED (core tables are
   * read through `scoped`, never here).
   *
   * @example
   * const visible = (await ctx.scoped('activity', 'a')).select('a.id');
   * const rows = await ctx.pluginTable('npsResponses', 'r').where('r.id', 'in', visible).selectAll().execute();
   */
  pluginTable(table: string, alias?: string): SelectQueryBuilder<AnyDatabase, string, {}>;
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
   * A money sum in minor units of the base currency from exact sums per currency: `sumOf(code)`
   * sums the amounts (minor units) in that currency, and each sum is converted once, as declared
   * KPIs and the rollups sum money. A query that sums money this way gives the rollups' figure
   * to the last bit (a sum of amounts converted one by one may differ in the last bits).
   *
   * @example
   * import { sql } from 'kysely';
   *
   * const won = ctx.toBaseSum((code) => sql`sum(case when ${sql.ref('x.currency')} = ${code} then ${sql.ref('x.amount')} end)`);
   */
  toBaseSum(sumOf: (currency: string) => RawBuilder<unknown>): RawBuilder<number>;
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
   * const openDeals = kpiSource({ object: 'opportunity', where: { status: 'open' } });
   * const facts = await ctx.shared('acme.openDeals', async () => (await ctx.source(openDeals)).selectAll().execute());
   */
  shared<TValue>(key: string, compute: () => Promise<TValue>): Promise<TValue>;
  /**
   * Like {@link shared}, for facts that add up over the groups of a breakdown (counts and sums
   * per group, each row in one group): in an evaluation with a breakdown, the total's call gets
   * `total` of the breakdown's facts instead of running the same query a second time without
   * groups. `compute` gets the context it computes for (the breakdown's, then).
   *
   * @example
   * const openDeals = kpiSource({ object: 'opportunity', where: { status: 'open' } });
   * // Open deals per group; the total is their sum, not a second query.
   * const counts = await ctx.sharedFacts(
   *   'acme.openDealCounts',
   *   async (inner) => {
   *     const group = inner.group('opportunity', 't');
   *     const rows = await (await inner.source(openDeals, 't'))
   *       .select([sql<string | null>`${group ? group.key : sql`null`}`.as('key'), sql<number>`count(*)`.as('n')])
   *       .groupBy(group ? group.key : sql`null`)
   *       .execute();
   *     return rows.map((row) => ({ key: row.key, n: Number(row.n) }));
   *   },
   *   (groups) => [{ key: null, n: groups.reduce((sum, g) => sum + g.n, 0) }],
   * );
   */
  sharedFacts<TValue>(
    key: string,
    compute: (ctx: KpiQueryContext) => Promise<TValue>,
    total: (groups: TValue) => TValue,
  ): Promise<TValue>;
  /**
   * Whole-number facts of a source per range and group of this call ({@link KpiFacts}): read
   * from the rollup the engine keeps for them (rollups on, the facts listed in the KPI's
   * `facts`, the breakdown and filters kept, whole months), else by one scan; the same integers
   * either way.
   *
   * @example
   * import { kpiFacts, kpiSource } from '@rapport/core/plugin';
   *
   * const entries = kpiSource({ object: 'stageHistory', date: 'createdAt' });
   * const entryFacts = kpiFacts({ key: 'acme.entries', source: entries, facts: { entered: { count: true } } });
   * const rows = await ctx.facts(entryFacts); // [{ range: 'current', key: null, label: null, values: { entered: 12 } }]
   */
  facts<TNames extends string>(
    facts: KpiFacts<ObjectName, TNames> | AnyKpiFacts,
  ): Promise<readonly KpiFactRow<TNames>[]>;
  /**
   * Declared measures (of the KPI's `rollupMeasures`) for this call's ranges, breakdown and
   * filters, read from the engine's rollups, or undefined when a complete rollup does not answer
   * every one of them (rollups off, not built yet, a range that cuts a month, a breakdown no
   * rollup keys): then the query runs its own SQL. Rows are what a declared KPI folds: for the
   * total one per range (zeros without rows), for a breakdown one per range and group with rows.
   * The rollups apply the tenant and the actor's visibility of the measures' own object (by owner,
   * as a declared KPI reads them). A measure over a hidden field (kept from other records: a
   * lead's `convertedOpportunityStatus`, from its converted deal) answers only an actor who sees
   * every record of that object; for any other this returns undefined, whatever the KPI checks.
   *
   * @example
   * import { measure, kpiSource } from '@rapport/core/plugin';
   *
   * const newLeads = kpiSource({ object: 'lead', date: 'createdAt' });
   * const measures = {
   *   leads: measure.count(newLeads),
   *   won: measure.count(newLeads, { convertedOpportunityStatus: 'won' }),
   * };
   * // In a query KPI declared with `rollupMeasures: measures`:
   * async function wonRate(ctx: KpiQueryContext) {
   *   const rows = (await ctx.seesEvery('opportunity')) ? await ctx.rolledUp(measures) : undefined;
   *   if (!rows) return []; // ... the query's own SQL here
   *   return rows.map((row) => ({ ...row, value: (row.values.won ?? 0) / (row.values.leads || 1), sampleSize: row.values.leads ?? 0 }));
   * }
   */
  rolledUp<TMeasures extends Readonly<Record<string, AnyKpiMeasure>>>(
    measures: TMeasures,
  ): Promise<readonly KpiMeasureRow<keyof TMeasures & string>[] | undefined>;
}
