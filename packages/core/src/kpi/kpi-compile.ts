import {
  type Expression,
  expressionBuilder,
  type RawBuilder,
  type SelectQueryBuilder,
  type SqlBool,
  sql,
} from 'kysely';
import { z } from 'zod';
import { dbOf, type ScopeState } from '../engine/engine-state.js';
import { storedFieldsOf, whereConditions } from '../engine/query-filter.js';
import { validationError } from '../errors/rapport-error.js';
import { timestampSchema } from '../objects/field-schemas.js';
import { currencyFieldOf } from '../objects/money-currency.js';
import type { AnyObjectDefinition } from '../objects/object-definition.js';
import type { ObjectName } from '../objects/standard-objects.js';
import type { Period } from '../periods/period.js';
import type { AnyDatabase } from '../storage/migration-context.js';
import type { Tenant } from '../tenancy/tenant.js';
import { dimensionExpressions } from './kpi-dimensions.js';
import type { KpiBreakdown } from './kpi-info.js';
import type { ScopedFrom } from './kpi-service.js';
import type { AnyKpiSource } from './kpi-source.js';

/** @internal A query over rows of one object. */
export type Builder = SelectQueryBuilder<AnyDatabase, string, {}>;
type Condition = Expression<SqlBool>;

/** @internal Everything one evaluation shares. */
export interface Evaluation {
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
  /** The page of list KPIs' items asked for. */
  readonly items: { readonly limit: number; readonly offset: number };
}

/** @internal An expression builder for conditions on any table. */
export const eb = expressionBuilder<AnyDatabase, string>();

/** @internal The definition of a source's object. */
export function definitionOf(evaluation: Evaluation, object: ObjectName): AnyObjectDefinition {
  const definition = evaluation.state.engine.objects[object];
  if (!definition) throw validationError('kpi', ['source', 'object'], `unknown object ${object}`);
  return definition;
}

/** The declared schema of a field without its `optional` and `nullable` wrappers. */
function declaredSchema(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodNullable)
    // Cast: unwrap() of an optional or nullable is typed with zod's inner generic, erased here.
    current = current.unwrap() as z.ZodType;
  return current;
}

/**
 * @internal Whether a field is a timestamp (compared with instants) rather than a day: the system
 * timestamps and every field declared with core's `timestampSchema`.
 */
export function isTimestampField(definition: AnyObjectDefinition, field: string): boolean {
  if (field === 'createdAt' || field === 'updatedAt') return true;
  const schema = definition.fields.shape[field];
  if (!schema) throw validationError('kpi', ['source', 'date'], `${field} is not a field`);
  return declaredSchema(schema) === timestampSchema;
}

/** @internal A column within a period: its days, or its instants for a timestamp. */
export function inRange(
  column: Expression<unknown>,
  period: Period,
  timestamp: boolean,
): RawBuilder<SqlBool> {
  const low = timestamp ? period.startInstant : period.start;
  const high = timestamp ? period.endInstant : period.end;
  return sql<SqlBool>`(${column} >= ${low} and ${column} < ${high})`;
}

/** @internal An amount in minor units of `currency` in minor units of the base currency. */
export function moneyFactor(
  evaluation: Evaluation,
  amount: Expression<unknown>,
  currency: Expression<unknown>,
): RawBuilder<number> {
  // Rates come from the exchangeRates table (loaded once per evaluation) and reach SQL as a CASE
  // of literals, with the minor-unit difference folded in, so a JPY amount converts as correctly
  // as a USD one. A currency without a rate converts to null and is left out of sums.
  const cases = [...evaluation.factors].map(
    ([code, factor]) => sql`when ${sql.lit(code)} then ${amount} * ${sql.lit(factor)}`,
  );
  return sql<number>`(case ${currency} ${sql.join(cases, sql` `)} else null end)`;
}

/** @internal The money field of a `{ money: field }` expression, else undefined. */
export function moneyField(expression: unknown): string | undefined {
  if (expression === null || typeof expression !== 'object' || !('money' in expression))
    return undefined;
  return typeof expression.money === 'string' ? expression.money : undefined;
}

/**
 * @internal The parts of a money amount times a field (`{ times: [{ money: 'amount' },
 * 'probability'] }`, either order), else undefined: summed per currency like a money sum.
 */
export function moneyProduct(
  expression: unknown,
): { readonly money: string; readonly factor: string } | undefined {
  if (expression === null || typeof expression !== 'object' || !('times' in expression))
    return undefined;
  const { times } = expression;
  if (!Array.isArray(times) || times.length !== 2) return undefined;
  const [left, right] = times;
  const leftMoney = moneyField(left);
  const money = leftMoney ?? moneyField(right);
  const factor = leftMoney === undefined ? left : right;
  return money !== undefined && typeof factor === 'string' ? { money, factor } : undefined;
}

/**
 * @internal A money sum in minor units of the base currency: the exact sum of each currency
 * (`sumOf(code)`, minor units of that currency) times its factor, added in the order of the
 * evaluation's factors. The scan and the rollups both sum this way, so they agree to the last
 * bit: per currency the sum is an exact integer on both, and there is one multiplication per
 * currency (one rounding on SQLite, none before the final read on Postgres, whose literals are
 * numeric) instead of one per row.
 */
export function convertedSum(
  evaluation: Evaluation,
  sumOf: (currency: string) => RawBuilder<unknown>,
): RawBuilder<number> {
  const terms = [...evaluation.factors].map(
    ([code, factor]) => sql`coalesce(${sumOf(code)}, 0) * ${sql.lit(factor)}`,
  );
  return sql<number>`(${sql.join(terms, sql` + `)})`;
}

/** @internal The SQL of a measure's expression over rows aliased `alias`. */
export function expressionSql(
  evaluation: Evaluation,
  definition: AnyObjectDefinition,
  alias: string,
  expression: unknown,
): RawBuilder<number> {
  const fields = storedFieldsOf(definition);
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
  if (expression !== null && typeof expression === 'object') {
    if ('money' in expression)
      return moneyFactor(
        evaluation,
        ref(expression.money),
        sql.ref(`${alias}.${currencyFieldOf(definition) ?? 'currency'}`),
      );
    if ('daysBetween' in expression && Array.isArray(expression.daysBetween)) {
      const [start, end] = expression.daysBetween;
      return evaluation.state.engine.storage.sql.daysBetween(ref(start), ref(end));
    }
    if ('times' in expression && Array.isArray(expression.times)) {
      const [left, right] = expression.times;
      return sql<number>`(${expressionSql(evaluation, definition, alias, left)} * ${expressionSql(evaluation, definition, alias, right)})`;
    }
  }
  throw validationError(
    'kpi',
    ['measure', 'of'],
    `is not a KPI expression: ${JSON.stringify(expression)} (use a numeric field such as 'amount', { money: 'amount' }, { daysBetween: ['openDate', 'closeDate'] } or { times: [a, b] })`,
  );
}

/** @internal The conditions of a `where` over rows of `definition` aliased `alias`. */
export function whereSql(
  evaluation: Evaluation,
  definition: AnyObjectDefinition,
  alias: string,
  where: object | undefined,
): Condition[] {
  const { customSchemas, storage } = evaluation.state.engine;
  const customSchema = customSchemas[definition.name];
  if (!customSchema) throw validationError('kpi', ['source', 'object'], 'has no custom fields');
  // Cast: a source's filter is typed by its object; compiled here over the erased record.
  return whereConditions(eb, where as Readonly<Record<string, unknown>> | undefined, {
    definition,
    customSchema,
    dialect: storage.sql,
    alias,
    hiddenFields: 'read',
  });
}

/** @internal The key and label of a breakdown for rows of `object` aliased `alias`. */
export function groupOf(
  evaluation: Evaluation,
  object: ObjectName,
  alias: string,
  by: KpiBreakdown,
) {
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
 * @internal Grouped rows (with a `kpiGroup` column) with the group's label added as `kpiLabel`:
 * looked up once per group after the GROUP BY, not once per row inside it.
 */
export function withLabels(
  evaluation: Evaluation,
  object: ObjectName,
  by: KpiBreakdown,
  grouped: Builder,
): Builder {
  const { labelOf } = groupOf(evaluation, object, 'g', by);
  const groupKey = sql.ref('g.kpiGroup');
  return dbOf(evaluation.state)
    .selectFrom(grouped.as('g'))
    .selectAll('g')
    .select(sql`${labelOf ? labelOf(groupKey) : groupKey}`.as('kpiLabel'));
}

/**
 * @internal The evaluation's dimension filters as conditions, on the expression `keyOf` gives
 * for each dimension (a column of the scanned rows, or of rollup cells): each filter is one of its
 * values, `null` meaning the value is missing.
 */
export function filterConditionsOf(
  evaluation: Evaluation,
  keyOf: (dimension: string) => Expression<unknown>,
): Condition[] {
  const conditions: Condition[] = [];
  for (const [dimension, filter] of Object.entries(evaluation.filters)) {
    if (filter === undefined) continue;
    const key = keyOf(dimension);
    const values = Array.isArray(filter) ? filter : [filter];
    const present = values.filter((value): value is string => value !== null);
    const alternatives: Condition[] = [];
    if (present.length > 0) alternatives.push(eb(key, 'in', present));
    if (present.length < values.length) alternatives.push(eb(key, 'is', null));
    conditions.push(alternatives.length > 0 ? eb.or(alternatives) : sql<SqlBool>`1 = 0`);
  }
  return conditions;
}

function filterSql(evaluation: Evaluation, object: ObjectName, alias: string): Condition[] {
  return filterConditionsOf(
    evaluation,
    // The dimension was checked against the KPI's dimensions before anything ran.
    (dimension) => groupOf(evaluation, object, alias, dimension as KpiBreakdown).key,
  );
}

/**
 * @internal The rows of a source through the scoped query layer: tenant, visibility, the
 * source's filters, the evaluation's filters and, for dated sources, the given ranges.
 */
export async function sourceRows(
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
  // Visibility (quotas included: a rep's attainment divides by his own quota) comes with the
  // scoped read below, the same condition a list of the object applies.
  const query = await evaluation.from(source.object, alias);
  return conditions.length > 0 ? query.where(eb.and(conditions)) : query;
}

/** @internal Whether the period cuts a source (it has a date field and the period has limits). */
export function isDated(evaluation: Evaluation, source: AnyKpiSource): boolean {
  return source.date !== undefined && evaluation.period.start !== null;
}

/** @internal Which bucket a row falls in: `c` for the period, `p` for the previous one. */
export function bucketSql(
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

/** @internal The ranges an evaluation reads: the period and, when compared, the previous one. */
export function rangesOf(evaluation: Evaluation): Period[] {
  return evaluation.previous ? [evaluation.period, evaluation.previous] : [evaluation.period];
}
