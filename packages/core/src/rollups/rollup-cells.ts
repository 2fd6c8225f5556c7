import { expressionBuilder, type RawBuilder, type SqlBool, sql } from 'kysely';
import { dbOf, type ScopeState } from '../engine/engine-state.js';
import { whereConditions } from '../engine/query-filter.js';
import type { Builder } from '../kpi/kpi-compile.js';
import type { AnyDatabase } from '../storage/migration-context.js';
import type { RollupDefinition } from './rollup-plan.js';

const eb = expressionBuilder<AnyDatabase, string>();

/** @internal The key columns of a rollup cell, in primary key order after `tenantId`. */
export const cellKey = ['rollup', 'bucket', 'ownerId', 'currency', 'groupKey', 'measure'] as const;

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
  });
}

function all(list: readonly ReturnType<typeof conditions>[number][]): RawBuilder<SqlBool> {
  return list.length > 0 ? sql<SqlBool>`${eb.and([...list])}` : sql<SqlBool>`1 = 1`;
}

/** The integer a row adds to a measure's sum: money stays in its currency, in minor units. */
function valueSql(state: ScopeState, of: unknown): RawBuilder<unknown> {
  if (typeof of === 'string') return sql`${sql.ref(`t.${of}`)}`;
  if (of !== null && typeof of === 'object') {
    if ('money' in of && typeof of.money === 'string') return sql`${sql.ref(`t.${of.money}`)}`;
    if ('daysBetween' in of && Array.isArray(of.daysBetween)) {
      const [start, end] = of.daysBetween;
      return state.engine.storage.sql.daysBetween(sql.ref(`t.${start}`), sql.ref(`t.${end}`));
    }
  }
  // The plan admits no other expression.
  throw new Error(`not a rollup expression: ${JSON.stringify(of)}`);
}

/**
 * @internal What rows of a rollup's source add to its cells, times `sign`: every row of the
 * tenant (a rebuild) or only `ids` (a write: -1 before it, +1 after). The same conditions and
 * expressions as the scan, in SQL, so a cell holds exactly what the scan would add up. Cells a
 * row adds nothing to are left out.
 */
export function contributions(
  state: ScopeState,
  rollup: RollupDefinition,
  ids: readonly string[] | undefined,
  sign: 1 | -1,
): Builder {
  const { source, dimension, definition } = rollup;
  const shape = definition.fields.shape;
  const measures = [...rollup.measures.values()];
  const index = sql.ref('m.i');
  const nCases = [sql`when 0 then 1`];
  const sCases: RawBuilder<unknown>[] = [];
  for (const { index: i, measure } of measures) {
    const when = all(conditions(state, rollup, measure.where));
    if (measure.aggregate === 'count') {
      nCases.push(sql`when ${sql.lit(i)} then (case when ${when} then 1 else 0 end)`);
      continue;
    }
    const value = valueSql(state, measure.of);
    nCases.push(
      sql`when ${sql.lit(i)} then (case when ${when} and ${value} is not null then 1 else 0 end)`,
    );
    sCases.push(sql`when ${sql.lit(i)} then (case when ${when} then ${value} end)`);
  }
  const n = sql`sum(case ${index} ${sql.join(nCases, sql` `)} else 0 end)`;
  const s =
    sCases.length > 0
      ? sql`coalesce(sum(case ${index} ${sql.join(sCases, sql` `)} end), 0)`
      : sql`0`;
  // Months, not days: a month holds many deals of an owner, a day about one (one cell per deal
  // gains nothing over the scan). Periods of whole months (months, quarters, years) read them.
  const day = source.date
    ? sql`coalesce(substr(cast(${sql.ref(`t.${source.date}`)} as text), 1, 7), '')`
    : sql`''`;
  const owner = sql`coalesce(${sql.ref('t.ownerId')}, '')`;
  const currency = 'currency' in shape ? sql`coalesce(${sql.ref('t.currency')}, '')` : sql`''`;
  const field = dimension ? sql.ref(`t.${dimension.field}`) : undefined;
  const groupKey = field
    ? sql`(case when ${field} is null then '' else '=' || ${field} end)`
    : sql`''`;
  const varying = [
    ...(source.date ? [day] : []),
    ...('currency' in shape ? [currency] : []),
    ...(field ? [groupKey] : []),
  ];
  const indexes = sql.join(
    [0, ...measures.map((m) => m.index)].map((i) => sql`select ${sql.lit(i)} as ${sql.ref('i')}`),
    sql` union all `,
  );
  let query = tenantRows(state, rollup, 't')
    .crossJoin(sql`(${indexes})`.as('m'))
    .select([
      sql.ref('t.tenantId').as('tenantId'),
      sql.lit(rollup.id).as('rollup'),
      day.as('bucket'),
      owner.as('ownerId'),
      currency.as('currency'),
      groupKey.as('groupKey'),
      index.as('measure'),
      sql`${sql.lit(sign)} * ${n}`.as('n'),
      sql`${sql.lit(sign)} * ${s}`.as('s'),
    ])
    // Postgres refuses a constant in GROUP BY (a snapshot's day, an object without currency).
    .groupBy([sql.ref('t.tenantId'), owner, index, ...varying])
    .having(sql<SqlBool>`(${n} <> 0 or ${s} <> 0)`);
  const sourceWhere = conditions(state, rollup, source.where);
  if (sourceWhere.length > 0) query = query.where(eb.and(sourceWhere));
  if (ids) query = query.where(sql.ref('t.id'), 'in', [...ids]);
  return query;
}
