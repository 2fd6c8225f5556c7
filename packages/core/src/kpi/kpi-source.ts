import type { StoredCrmRecord, Where } from '../engine/record-types.js';
import type { ObjectName } from '../objects/standard-objects.js';

/**
 * A field of an object (not `custom`), hidden fields included: KPIs read what the engine keeps.
 *
 * @example
 * const date: KpiField<'opportunity'> = 'closeDate';
 */
export type KpiField<TObject extends ObjectName> = Exclude<
  keyof StoredCrmRecord<TObject>,
  'custom'
> &
  string;

/**
 * A numeric field of an object.
 *
 * @example
 * const field: KpiNumericField<'opportunity'> = 'amount';
 */
export type KpiNumericField<TObject extends ObjectName> = {
  [K in KpiField<TObject>]: NonNullable<StoredCrmRecord<TObject>[K]> extends number ? K : never;
}[KpiField<TObject>];

/**
 * Where a declared KPI's rows come from: an object, base filters, and the date field that puts a
 * row into a period. Without `date` the source is a snapshot (open pipeline now) and the period
 * does not cut it. KPIs whose measures share a source are computed in one query. A source is
 * recognised by its identity (or its `key`), not by its content: share the source object
 * (`const closedDeals = kpiSource({...})`, or core's {@link closedDeals}) and put conditions into
 * the measures.
 *
 * @example
 * const closedDeals = kpiSource({
 *   object: 'opportunity',
 *   where: { status: { in: ['won', 'lost'] } },
 *   date: 'closeDate',
 * });
 */
export interface KpiSource<TObject extends ObjectName = ObjectName> {
  /**
   * An explicit identity, for a source declared in two places (two plugins that cannot import
   * each other): sources with the same key are one source, fused into one query, and must declare
   * the same object, date and filters (checked by `createCrm`). Default: the object's identity.
   */
  readonly key?: string;
  /** The object (table) read, through the scoped query layer. */
  readonly object: TObject;
  /** Base filters: plain data. */
  readonly where?: Where<StoredCrmRecord<TObject>>;
  /** The date or timestamp field whose value must fall into the period; none for a snapshot. */
  readonly date?: KpiField<TObject>;
}

/** @internal The erased form of a source. */
export interface AnyKpiSource {
  readonly key?: string;
  readonly object: ObjectName;
  readonly where?: object;
  readonly date?: string;
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
 * Opportunities closed (won or lost) in the period, by close date: the source of every KPI over
 * closed deals (win rate, won revenue, sales cycle, ...). Declared once in core so that the
 * closing and pipeline plugins, and yours, share it: their KPIs fuse into one query.
 *
 * @example
 * const won = measure.count(closedDeals, { status: 'won' });
 */
export const closedDeals = kpiSource({
  key: 'core.closedDeals',
  object: 'opportunity',
  where: { status: { in: ['won', 'lost'] } },
  date: 'closeDate',
});

/**
 * Personal quotas (with an owner) whose period starts in the evaluated period: the denominator of
 * quota attainment, shared by the closing and pipeline plugins.
 *
 * @example
 * const quota = measure.sum(repQuotas, { money: 'amount' });
 */
export const repQuotas = kpiSource({
  key: 'core.repQuotas',
  object: 'quota',
  where: { ownerId: { isNull: false } },
  date: 'periodStart',
});
