import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type { EngineState } from '../engine/engine-state.js';
import type { ObjectName } from '../objects/standard-objects.js';
import type { DialectSql } from '../storage/storage-adapter.js';
import type { Evaluation } from './kpi-compile.js';
import type { KpiQueryContext, KpiRange } from './kpi-query-context.js';
import type { AnyKpiSource, KpiField, KpiSource } from './kpi-source.js';

/**
 * One fact counted per row of a {@link KpiFacts} source: the rows (`count: true`), the rows
 * where a field is set (`count: 'exitedAt'`), or the sum of whole milliseconds between two
 * timestamps over the rows where both are set (`millisecondsBetween`: an integer, so its sum is
 * the same in any order, and a KPI divides it once).
 *
 * @example
 * const stays: KpiFact<'stageHistory'> = { count: 'exitedAt' };
 */
export type KpiFact<TObject extends ObjectName> =
  | { readonly count: true | KpiField<TObject> }
  | { readonly millisecondsBetween: readonly [KpiField<TObject>, KpiField<TObject>] };

/**
 * Whole-number facts of the rows of a source, per range and group: what a query KPI adds up
 * itself when its measures are not declared aggregates (stage history entries, line items).
 * `ctx.facts` answers them from a rollup kept in the write transaction when `createCrm({ rollups:
 * true })` keeps one for the KPI (list it in the KPI's `facts`), else by one scan of the source;
 * both give the same integers. A source of an object that belongs to an opportunity (stage
 * history, line items) is rolled up keyed by its opportunity's owner and fields, and kept when
 * the opportunity's owner, main product, lead source, campaign or lost reason changes.
 *
 * @example
 * import { kpiSource } from '@rapport/core/plugin';
 *
 * const entries = kpiSource({ object: 'stageHistory', where: { status: 'open' }, date: 'createdAt' });
 * const entryFacts = kpiFacts({
 *   key: 'acme.entryFacts',
 *   source: entries,
 *   differ: ['previousStage', 'stage'],
 *   facts: { entered: { count: true }, stays: { count: 'exitedAt' } },
 * });
 */
export interface KpiFacts<TObject extends ObjectName = ObjectName, TNames extends string = string> {
  /** The identity of the facts (part of the rollup's id): unique among the plugins in use. */
  readonly key: string;
  /** The rows counted. */
  readonly source: KpiSource<TObject>;
  /** Only rows whose first field is null or differs from the second (a stage that changed). */
  readonly differ?: readonly [KpiField<TObject>, KpiField<TObject>];
  /** The facts by name. */
  readonly facts: Readonly<Record<TNames, KpiFact<TObject>>>;
}

/** @internal The erased form of facts. */
export interface AnyKpiFacts {
  readonly key: string;
  readonly source: AnyKpiSource;
  readonly differ?: readonly [string, string];
  readonly facts: Readonly<Record<string, { readonly count: true | string } | AnyMilliseconds>>;
}

interface AnyMilliseconds {
  readonly millisecondsBetween: readonly [string, string];
}

/**
 * The facts of one range and group, as `ctx.facts` returns them.
 *
 * @example
 * const row: KpiFactRow<'entered'> = { range: 'current', key: null, label: null, values: { entered: 3 } };
 */
export interface KpiFactRow<TNames extends string = string> {
  /** The range the rows are dated in. */
  readonly range: KpiRange;
  /** The group's key (null for the total or the group "none"). */
  readonly key: string | null;
  /** The group's label. */
  readonly label: string | null;
  /** Each fact's integer. */
  readonly values: Readonly<Record<TNames, number>>;
}

/**
 * Declares facts. Identity at run time; checks the fields against the source's object.
 *
 * @example
 * import { kpiSource } from '@rapport/core/plugin';
 *
 * const entries = kpiSource({ object: 'stageHistory', date: 'createdAt' });
 * const facts = kpiFacts({ key: 'acme.entries', source: entries, facts: { entered: { count: true } } });
 */
export function kpiFacts<const TObject extends ObjectName, const TNames extends string>(
  facts: KpiFacts<TObject, TNames>,
): KpiFacts<TObject, TNames> {
  return facts;
}

/** @internal Whether a fact is a sum of milliseconds (else a count). */
export function isMilliseconds(fact: AnyKpiFacts['facts'][string]): fact is AnyMilliseconds {
  return 'millisecondsBetween' in fact;
}

/**
 * @internal The whole milliseconds from `from` to `to` (timestamps), on both dialects: the days
 * between them times a day's milliseconds, rounded (a double's error is far below half a
 * millisecond at stored precision).
 */
export function millisecondsSql(
  dialect: DialectSql,
  from: RawBuilder<unknown> | ReturnType<typeof sql.ref>,
  to: RawBuilder<unknown> | ReturnType<typeof sql.ref>,
): RawBuilder<number> {
  return sql<number>`cast(round(${dialect.daysBetween(from, to)} * 86400000) as bigint)`;
}

/** @internal The `differ` condition over rows `alias`, or undefined. */
export function differSql(facts: AnyKpiFacts, alias: string): RawBuilder<SqlBool> | undefined {
  if (!facts.differ) return undefined;
  const [first, second] = facts.differ.map((field) => sql.ref(`${alias}.${field}`));
  return sql<SqlBool>`(${first} is null or ${first} <> ${second})`;
}

/**
 * @internal Answers facts from data kept ahead (the rollups) for an evaluation whose period,
 * previous period and breakdown are the call's; undefined when it cannot (then they are scanned).
 */
export type PrecomputedFacts = (
  evaluation: Evaluation,
  facts: AnyKpiFacts,
) => Promise<readonly KpiFactRow[] | undefined>;

const answers = new WeakMap<EngineState, PrecomputedFacts>();

/** @internal Gives an engine's query KPIs a way to answer facts from kept data. */
export function registerPrecomputedFacts(engine: EngineState, answer: PrecomputedFacts): void {
  answers.set(engine, answer);
}

/** @internal The facts from kept data when the engine keeps them, else undefined. */
export function precomputedFacts(
  evaluation: Evaluation,
  facts: AnyKpiFacts,
): Promise<readonly KpiFactRow[] | undefined> {
  const answer = answers.get(evaluation.state.engine);
  return answer ? answer(evaluation, facts) : Promise.resolve(undefined);
}

function text(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/**
 * @internal The facts by one scan of the source through the query context (tenant, visibility,
 * filters and ranges as for any query KPI): per range and group, each fact's integer.
 */
export async function scanFacts(
  ctx: KpiQueryContext,
  facts: AnyKpiFacts,
): Promise<readonly KpiFactRow[]> {
  const group = ctx.group(facts.source.object, 'h');
  let inner = (await ctx.source(facts.source, 'h')).select([
    ctx.rangeOf(facts.source, 'h').as('kpiRange'),
    (group ? sql`${group.key}` : sql`null`).as('kpiKey'),
  ]);
  const differ = differSql(facts, 'h');
  if (differ) inner = inner.where(differ);
  const names = Object.keys(facts.facts);
  const columns = names.map((name, i) => {
    const fact = facts.facts[name];
    const column = `kpiFact${i}`;
    if (!fact) return sql`0`.as(column);
    if (isMilliseconds(fact)) {
      const [from, to] = fact.millisecondsBetween.map((field) => sql.ref(`h.${field}`));
      // Null unless both are set: the sum skips it, as the rollup's does.
      return millisecondsSql(ctx.sql, sql`${from}`, sql`${to}`).as(column);
    }
    return (fact.count === true ? sql`1` : sql.ref(`h.${fact.count}`)).as(column);
  });
  inner = inner.select(columns);
  const x = (column: string) => sql.ref(`x.${column}`);
  const aggregates = names.map((name, i) => {
    const fact = facts.facts[name];
    const column = x(`kpiFact${i}`);
    return fact && isMilliseconds(fact)
      ? sql`cast(coalesce(sum(${column}), 0) as bigint) as ${sql.ref(`f${i}`)}`
      : sql`count(${column}) as ${sql.ref(`f${i}`)}`;
  });
  const grouped = sql`(select ${x('kpiRange')} as ${sql.ref('kpiRange')}, ${x('kpiKey')} as ${sql.ref('kpiKey')}, ${sql.join(aggregates)} from ${inner} as ${sql.ref('x')} group by ${x('kpiRange')}, ${x('kpiKey')})`;
  const label = group?.labelOf?.(sql.ref('g.kpiKey')) ?? sql.ref('g.kpiKey');
  const rows = await ctx
    .selectFrom(grouped.as<'g'>('g'))
    .selectAll('g')
    .select(sql`${label}`.as('kpiLabel'))
    .execute();
  return rows.map((row: Record<string, unknown>) => ({
    range: row.kpiRange === 'previous' ? 'previous' : 'current',
    key: text(row.kpiKey),
    label: text(row.kpiLabel),
    values: Object.fromEntries(names.map((name, i) => [name, Number(row[`f${i}`] ?? 0)])),
  }));
}
