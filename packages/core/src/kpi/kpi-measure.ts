import type { StoredCrmRecord, Where } from '../engine/record-types.js';
import type { ObjectName } from '../objects/standard-objects.js';
import type { AnyKpiSource, KpiField, KpiNumericField, KpiSource } from './kpi-source.js';

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
  readonly where?: Where<StoredCrmRecord<TObject>>;
}

/** @internal The erased form of a measure. */
export interface AnyKpiMeasure {
  readonly source: AnyKpiSource;
  readonly aggregate: KpiAggregate;
  readonly of?: unknown;
  readonly where?: object;
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
    where?: Where<StoredCrmRecord<TObject>>,
  ): KpiMeasure<TObject, 'count'> => ({ source, aggregate: 'count', where }),
  /** Sum of an expression (0 when no row matches). */
  sum: <TObject extends ObjectName>(
    source: KpiSource<TObject>,
    of: KpiExpression<TObject>,
    where?: Where<StoredCrmRecord<TObject>>,
  ): KpiMeasure<TObject, 'sum'> => ({ source, aggregate: 'sum', of, where }),
  /** Average of an expression over rows where it is not null (null when none). */
  avg: <TObject extends ObjectName>(
    source: KpiSource<TObject>,
    of: KpiExpression<TObject>,
    where?: Where<StoredCrmRecord<TObject>>,
  ): KpiMeasure<TObject, 'avg'> => ({ source, aggregate: 'avg', of, where }),
  /** Smallest value (null when none). */
  min: <TObject extends ObjectName>(
    source: KpiSource<TObject>,
    of: KpiExpression<TObject>,
    where?: Where<StoredCrmRecord<TObject>>,
  ): KpiMeasure<TObject, 'min'> => ({ source, aggregate: 'min', of, where }),
  /** Largest value (null when none). */
  max: <TObject extends ObjectName>(
    source: KpiSource<TObject>,
    of: KpiExpression<TObject>,
    where?: Where<StoredCrmRecord<TObject>>,
  ): KpiMeasure<TObject, 'max'> => ({ source, aggregate: 'max', of, where }),
  /** Median (the mean of the two middle values for an even count; null when none). Its own query. */
  median: <TObject extends ObjectName>(
    source: KpiSource<TObject>,
    of: KpiExpression<TObject>,
    where?: Where<StoredCrmRecord<TObject>>,
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
