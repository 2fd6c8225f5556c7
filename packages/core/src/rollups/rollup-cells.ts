import { expressionBuilder, type RawBuilder, type SqlBool, sql } from 'kysely';
import { dbOf, nowOf, type ScopeState } from '../engine/engine-state.js';
import { whereConditions } from '../engine/query-filter.js';
import { type Builder, moneyField } from '../kpi/kpi-compile.js';
import { differSql, isMilliseconds, millisecondsSql } from '../kpi/kpi-facts.js';
import { currencyFieldOf } from '../objects/money-currency.js';
import type { AnyDatabase } from '../storage/migration-context.js';
import { measureSlots, moneyTimes, type RollupDefinition } from './rollup-definition.js';
import type { RollupFacts } from './rollup-facts-plan.js';
import { type MonthStart, monthBucketSql, monthStarts, timestampDate } from './rollup-month.js';
import { tenantZone } from './rollup-zone.js';

const eb = expressionBuilder<AnyDatabase, string>();

/** @internal The key columns of a rollup row, in primary key order after `tenantId`. */
export const cellKey = ['rollup', 'bucket', 'ownerId', 'currency', 'groupKey'] as const;

/**
 * @internal The amounts of a rollup row: the source's row count `n`, the rows whose
 * contribution a sum could not keep exactly (`x`: a non-whole probability), then per measure
 * slot its count `n<i>` and integer sum `s<i>`.
 */
export const cellAmounts = [
  'n',
  'x',
  ...Array.from({ length: measureSlots }, (_, i) => `n${i + 1}`),
  ...Array.from({ length: measureSlots }, (_, i) => `s${i + 1}`),
] as const;

/** @internal The count column of measure slot `index` (from 1). */
export const countColumn = (index: number) => `n${index}`;
/** @internal The sum column of measure slot `index` (from 1). */
export const sumColumn = (index: number) => `s${index}`;

/**
 * @internal The rollup cells of the scope's tenant as `alias`: the one place rollup rows are
 * narrowed to a tenant (core's scope layer, like the record tables' `from`).
 */
export function tenantCells(state: ScopeState, alias = 'c'): Builder {
  return dbOf(state)
    .selectFrom(`rollupCells as ${alias}`)
    .where(sql.ref(`${alias}.tenantId`), '=', state.tenantId);
}

/** @internal The rows of a rollup's object in the scope's tenant, every owner (writes see all). */
function tenantRows(state: ScopeState, rollup: RollupDefinition, alias: string): Builder {
  return dbOf(state)
    .selectFrom(`${rollup.definition.table} as ${alias}`)
    .where(sql.ref(`${alias}.tenantId`), '=', state.tenantId);
}

function conditions(state: ScopeState, rollup: RollupDefinition, where: object | undefined) {
  const { customSchemas, storage } = state.engine;
  const customSchema = customSchemas[rollup.definition.name];
  // Every object has a (maybe empty) custom schema; createCrm built one per object.
  if (!customSchema) return [];
  return whereConditions(eb, where as Readonly<Record<string, unknown>> | undefined, {
    definition: rollup.definition,
    customSchema,
    dialect: storage.sql,
    alias: 't',
    hiddenFields: 'read',
  });
}

function all(list: readonly ReturnType<typeof conditions>[number][]): RawBuilder<SqlBool> {
  return list.length > 0 ? sql<SqlBool>`${eb.and([...list])}` : sql<SqlBool>`1 = 1`;
}

/** The integer a row adds to a measure's sum: money stays in its currency, in minor units. */
function valueSql(state: ScopeState, rollup: RollupDefinition, of: unknown): RawBuilder<unknown> {
  if (typeof of === 'string') return sql`${sql.ref(`t.${of}`)}`;
  if (of !== null && typeof of === 'object') {
    if ('money' in of && typeof of.money === 'string') return sql`${sql.ref(`t.${of.money}`)}`;
    if ('daysBetween' in of && Array.isArray(of.daysBetween)) {
      const [start, end] = of.daysBetween;
      return state.engine.storage.sql.daysBetween(sql.ref(`t.${start}`), sql.ref(`t.${end}`));
    }
    const times = moneyTimes(rollup.definition, of);
    if (times) return sql`(${sql.ref(`t.${times.money}`)} * ${sql.ref(`t.${times.factor}`)})`;
  }
  // The plan admits no other expression.
  throw new Error(`not a rollup expression: ${JSON.stringify(of)}`);
}

/** Whether a row's factor is whole (always, but for a `number` field: a probability). */
function wholeSql(rollup: RollupDefinition, of: unknown): RawBuilder<SqlBool> | undefined {
  const times = moneyTimes(rollup.definition, of);
  if (!times || times.whole) return undefined;
  const factor = sql.ref(`t.${times.factor}`);
  return sql<SqlBool>`(${factor} = round(${factor}))`;
}

/** @internal The month bounds each timestamp-dated rollup's SQL bucket compares with, by rollup id. */
export type RollupMonths = ReadonlyMap<string, readonly MonthStart[]>;

/**
 * @internal The month bounds of the timestamp-dated rollups among `rollups` for the rows
 * {@link contributions} will read (every row of the tenant, or `ids`): the tenant-local months
 * from the earliest of those rows' timestamps to the latest, and to now (a write committed by
 * another transaction while a rebuild runs is dated about now), in the zone the write path keys
 * by ({@link tenantZone}, read in this transaction).
 */
export async function contributionMonths(
  state: ScopeState,
  rollups: readonly RollupDefinition[],
  ids: readonly string[] | undefined,
  idColumn = 'id',
): Promise<RollupMonths> {
  const months = new Map<string, readonly MonthStart[]>();
  const zoned = rollups.filter((rollup) => timestampDate(rollup) !== undefined);
  if (zoned.length === 0) return months;
  const timeZone = await tenantZone(state);
  const now = nowOf(state).toISOString();
  const byColumn = new Map<string, readonly MonthStart[]>();
  for (const rollup of zoned) {
    const date = timestampDate(rollup) ?? '';
    const column = `${rollup.definition.table}.${date}.${idColumn}`;
    let bounds = byColumn.get(column);
    if (!bounds) {
      let query = tenantRows(state, rollup, 't').select([
        sql`min(${sql.ref(`t.${date}`)})`.as('first'),
        sql`max(${sql.ref(`t.${date}`)})`.as('last'),
      ]);
      if (ids) query = query.where(sql.ref(`t.${idColumn}`), 'in', [...ids]);
      const [row] = await query.execute();
      const iso = (value: unknown) =>
        value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : now;
      // ISO texts order as their instants: the earliest and latest of the rows and now.
      const sorted = [iso(row?.first), iso(row?.last), now].sort();
      bounds = monthStarts(sorted[0] ?? now, sorted[2] ?? now, timeZone);
      byColumn.set(column, bounds);
    }
    months.set(rollup.id, bounds);
  }
  return months;
}

/**
 * The month of a row `t` of the rollup's source as SQL: months, not days (a month holds many
 * deals of an owner, a day about one: one row per deal gains nothing over the scan), read by
 * periods of whole months; a timestamp's month is the tenant-local one, found among the month
 * start instants; '' without a date.
 */
function monthOfRow(
  rollup: RollupDefinition,
  months: RollupMonths | undefined,
): RawBuilder<unknown> {
  const { date } = rollup.source;
  const bounds = months?.get(rollup.id);
  if (timestampDate(rollup) !== undefined && !bounds)
    throw new Error(`no month bounds for the timestamp-dated rollup ${rollup.id}`);
  if (!date) return sql`''`;
  return bounds
    ? monthBucketSql(sql.ref(`t.${date}`), bounds)
    : sql`coalesce(substr(cast(${sql.ref(`t.${date}`)} as text), 1, 7), '')`;
}

/**
 * @internal What rows of a rollup's source add to its rows, times `sign`: every row of the
 * tenant (a rebuild) or only `ids` (a write: -1 before it, +1 after). The same conditions and
 * expressions as the scan, in SQL, so a row holds exactly what the scan would add up. A
 * timestamp-dated rollup buckets by `months` ({@link contributionMonths} of the same rows).
 */
export function contributions(
  state: ScopeState,
  rollup: RollupDefinition,
  ids: readonly string[] | undefined,
  sign: 1 | -1,
  months?: RollupMonths,
  idColumn = 'id',
): Builder {
  if (rollup.facts)
    return factContributions(state, rollup, rollup.facts, ids, sign, months, idColumn);
  const { source, dimension } = rollup;
  const signed = (value: RawBuilder<unknown>) => sql`${sql.lit(sign)} * ${value}`;
  const counts = new Map<number, RawBuilder<unknown>>();
  const sums = new Map<number, RawBuilder<unknown>>();
  const inexact: RawBuilder<unknown>[] = [];
  for (const { index, measure } of rollup.measures.values()) {
    const when = all(conditions(state, rollup, measure.where));
    if (measure.aggregate === 'count') {
      counts.set(index, sql`sum(case when ${when} then 1 else 0 end)`);
      continue;
    }
    const value = valueSql(state, rollup, measure.of);
    counts.set(index, sql`sum(case when ${when} and ${value} is not null then 1 else 0 end)`);
    const whole = wholeSql(rollup, measure.of);
    const kept = whole ? sql<SqlBool>`${when} and ${whole}` : when;
    // Exact integers (a whole factor times minor units): the cast only fixes the column's type.
    sums.set(index, sql`cast(coalesce(sum(case when ${kept} then ${value} end), 0) as bigint)`);
    if (whole)
      inexact.push(
        sql`sum(case when ${when} and ${value} is not null and not ${whole} then 1 else 0 end)`,
      );
  }
  const slots = Array.from({ length: measureSlots }, (_, i) => i + 1);
  const day = monthOfRow(rollup, months);
  const allOwners = rollup.histogram?.allOwners === true;
  const owner = allOwners ? sql`''` : sql`coalesce(${sql.ref('t.ownerId')}, '')`;
  // A histogram counts values whatever their currency, but for money: an amount is counted in
  // its own currency, converted (and ordered) only at read time.
  const histogram = rollup.histogram?.measure;
  const currencyField = currencyFieldOf(rollup.definition);
  const byCurrency =
    currencyField !== undefined && (!histogram || moneyField(histogram.of) !== undefined);
  const currency = byCurrency ? sql`coalesce(${sql.ref(`t.${currencyField}`)}, '')` : sql`''`;
  const field = dimension ? sql.ref(`t.${dimension.field}`) : undefined;
  // A median's histogram keys by the value, a whole number (its text compares by the read's
  // cast); a bigint, as money amounts in minor units are.
  const whole = histogram
    ? sql`cast(${valueSql(state, rollup, histogram.of)} as bigint)`
    : undefined;
  const groupKey = field
    ? sql`(case when ${field} is null then '' else '=' || ${field} end)`
    : whole
      ? sql`('=' || cast(${whole} as text))`
      : sql`''`;
  const varying = [
    ...(source.date ? [day] : []),
    ...(byCurrency ? [currency] : []),
    ...(field || whole ? [groupKey] : []),
  ];
  const zero = sql`0`;
  let query = tenantRows(state, rollup, 't')
    .select([
      sql.ref('t.tenantId').as('tenantId'),
      sql.lit(rollup.id).as('rollup'),
      day.as('bucket'),
      owner.as('ownerId'),
      currency.as('currency'),
      groupKey.as('groupKey'),
      signed(sql`count(*)`).as('n'),
      signed(inexact.length > 0 ? sql.join(inexact, sql` + `) : zero).as('x'),
      ...slots.map((i) => signed(counts.get(i) ?? zero).as(countColumn(i))),
      ...slots.map((i) => signed(sums.get(i) ?? zero).as(sumColumn(i))),
    ])
    // Postgres refuses a constant in GROUP BY (a snapshot's day, an object without currency).
    .groupBy([sql.ref('t.tenantId'), ...(allOwners ? [] : [owner]), ...varying]);
  const sourceWhere = conditions(state, rollup, source.where);
  if (sourceWhere.length > 0) query = query.where(eb.and(sourceWhere));
  if (histogram && whole) {
    // Only the rows the median reads: its condition holds and it has a value.
    const measureWhere = conditions(state, rollup, histogram.where);
    query = query.where(eb.and([...measureWhere, eb(whole, 'is not', null)]));
  }
  if (ids) query = query.where(sql.ref('t.id'), 'in', [...ids]);
  return query;
}

/**
 * What rows of a facts rollup add to its rows (see {@link contributions}): the rows of the
 * child object joined to their parent, whose owner keys the row (visibility follows the
 * parent) and whose field keys the breakdown when the row has none of its own; narrowed to
 * `ids` of `idColumn` (the rows' own ids, or their parents' ids: every row of those parents).
 * Per fact slot: `n<i>` the rows the fact counts, `s<i>` the sum of its whole milliseconds.
 */
function factContributions(
  state: ScopeState,
  rollup: RollupDefinition,
  facts: RollupFacts,
  ids: readonly string[] | undefined,
  sign: 1 | -1,
  months: RollupMonths | undefined,
  idColumn: string,
): Builder {
  const { source, dimension } = rollup;
  const dialect = state.engine.storage.sql;
  const signed = (value: RawBuilder<unknown>) => sql`${sql.lit(sign)} * ${value}`;
  const counts = new Map<number, RawBuilder<unknown>>();
  const sums = new Map<number, RawBuilder<unknown>>();
  for (const { name, index } of facts.slots) {
    const fact = facts.spec.facts[name];
    if (!fact) continue;
    if (isMilliseconds(fact)) {
      const [from, to] = fact.millisecondsBetween.map((field) => sql.ref(`t.${field}`));
      const value = millisecondsSql(dialect, sql`${from}`, sql`${to}`);
      counts.set(index, sql`sum(case when ${value} is not null then 1 else 0 end)`);
      sums.set(index, sql`cast(coalesce(sum(${value}), 0) as bigint)`);
    } else if (fact.count === true) counts.set(index, sql`count(*)`);
    else counts.set(index, sql`count(${sql.ref(`t.${fact.count}`)})`);
  }
  const slots = Array.from({ length: measureSlots }, (_, i) => i + 1);
  const day = monthOfRow(rollup, months);
  const owner = sql`coalesce(${sql.ref('p.ownerId')}, '')`;
  const field = dimension
    ? sql.ref(`${dimension.onParent ? 'p' : 't'}.${dimension.field}`)
    : undefined;
  const groupKey = field
    ? sql`(case when ${field} is null then '' else '=' || ${field} end)`
    : sql`''`;
  const zero = sql`0`;
  let query = dbOf(state)
    .selectFrom(`${rollup.definition.table} as t`)
    .innerJoin(`${facts.parent.table} as p`, (join) =>
      join.onRef('p.tenantId', '=', 't.tenantId').onRef('p.id', '=', `t.${facts.via}`),
    )
    .where(sql.ref('t.tenantId'), '=', state.tenantId)
    .select([
      sql.ref('t.tenantId').as('tenantId'),
      sql.lit(rollup.id).as('rollup'),
      day.as('bucket'),
      owner.as('ownerId'),
      sql`''`.as('currency'),
      groupKey.as('groupKey'),
      signed(sql`count(*)`).as('n'),
      signed(zero).as('x'),
      ...slots.map((i) => signed(counts.get(i) ?? zero).as(countColumn(i))),
      ...slots.map((i) => signed(sums.get(i) ?? zero).as(sumColumn(i))),
    ])
    .groupBy([
      sql.ref('t.tenantId'),
      owner,
      ...(source.date ? [day] : []),
      ...(field ? [groupKey] : []),
    ]);
  const sourceWhere = conditions(state, rollup, source.where);
  if (sourceWhere.length > 0) query = query.where(eb.and(sourceWhere));
  const differ = differSql(facts.spec, 't');
  if (differ) query = query.where(differ);
  if (ids) query = query.where(sql.ref(`t.${idColumn}`), 'in', [...ids]);
  return query;
}
