import type { DeclaredKpi } from './kpi-definition.js';
import type { AnyKpiMeasure, KpiAggregate } from './kpi-measure.js';
import { measureSignature, sourceKey } from './kpi-plan.js';
import type { AnyKpiSource } from './kpi-source.js';
import type { KpiValue } from './kpi-value.js';

/** @internal The period (`c`) or the previous one (`p`). */
export type Bucket = 'c' | 'p';

/** @internal The map key of the total. */
export const TOTAL = '\u0000total';
/** @internal The map key of the group whose key is null. */
export const NONE = '\u0000none';

/** @internal A partial aggregate that can be combined across groups. */
export interface Partial {
  n: number;
  s: number | null;
  v: number | null;
}

/** @internal Per bucket, per group (or TOTAL): rows per source and partials per measure signature. */
export interface Cell {
  label: string | null;
  readonly rows: Map<string, number>;
  readonly partials: Map<string, Partial>;
}
/** @internal Every cell of an evaluation. */
export type Cells = Map<Bucket, Map<string, Cell>>;

/** @internal The cell of a bucket and group, made on first use. */
export function cell(cells: Cells, bucket: Bucket, group: string): Cell {
  let byGroup = cells.get(bucket);
  if (!byGroup) {
    byGroup = new Map();
    cells.set(bucket, byGroup);
  }
  let found = byGroup.get(group);
  if (!found) {
    found = { label: null, rows: new Map(), partials: new Map() };
    byGroup.set(group, found);
  }
  return found;
}

/** @internal A database value as a finite number, or null. */
export function toNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const number = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(number) ? number : null;
}

/** @internal The map key of a group key (null is the group "none"). */
export function groupName(key: unknown): string {
  return key === null || key === undefined ? NONE : String(key);
}

/** @internal A database label as text, or null. */
export function labelOf(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** @internal Adds `from` into `into`: counts and sums add, min and max keep the extreme. */
export function combine(aggregate: KpiAggregate, into: Partial, from: Partial): void {
  into.n += from.n;
  if (from.s !== null) into.s = (into.s ?? 0) + from.s;
  if (from.v !== null) {
    if (into.v === null) into.v = from.v;
    else if (aggregate === 'min') into.v = Math.min(into.v, from.v);
    else if (aggregate === 'max') into.v = Math.max(into.v, from.v);
  }
}

/** @internal The value of a measure from its partial (0 for an empty count or sum). */
export function measureValue(aggregate: KpiAggregate, partial: Partial | undefined) {
  if (aggregate === 'count') return partial?.n ?? 0;
  if (aggregate === 'sum') return partial?.s ?? 0;
  if (!partial) return null;
  if (aggregate === 'avg')
    return partial.n > 0 && partial.s !== null ? partial.s / partial.n : null;
  return partial.v;
}

/** @internal A KPI value of one period and group, normalised. */
export interface Computed {
  readonly value: number | null;
  readonly reason: string | null;
  readonly sampleSize: number;
  readonly successes?: number;
  readonly trials?: number;
}

/** @internal A KPI's value (number or outcome) as a {@link Computed}; non-finite is no value. */
export function normalise(value: KpiValue, sampleSize: number): Computed {
  if (typeof value === 'number') {
    return Number.isFinite(value)
      ? { value, reason: null, sampleSize }
      : { value: null, reason: 'not a finite number', sampleSize };
  }
  const finite = value.value !== null && Number.isFinite(value.value);
  return {
    value: finite ? value.value : null,
    reason: finite ? null : (value.reason ?? 'no data'),
    sampleSize,
    ...(value.successes === undefined ? {} : { successes: value.successes }),
    ...(value.trials === undefined ? {} : { trials: value.trials }),
  };
}

/** @internal Whether the period cuts a source, as the fold needs to know it. */
export type IsDated = (source: AnyKpiSource) => boolean;

/** @internal The bucket a source's values are read from: a snapshot is the same state for both. */
function bucketOf(isDated: IsDated, source: AnyKpiSource, bucket: Bucket): Bucket {
  return bucket === 'p' && !isDated(source) ? 'c' : bucket;
}

/** @internal The values of a declared KPI's measures in one bucket and group. */
export function measureValues(
  kpi: DeclaredKpi,
  isDated: IsDated,
  cells: Cells,
  bucket: Bucket,
  group: string,
): Record<string, number | null> {
  const values: Record<string, number | null> = {};
  for (const [name, measure] of Object.entries(kpi.measures)) {
    const from = bucketOf(isDated, measure.source, bucket);
    const partial = cells.get(from)?.get(group)?.partials.get(measureSignature(measure));
    values[name] = measureValue(measure.aggregate, partial);
  }
  return values;
}

/** @internal A declared KPI's value in one bucket and group, from the folded cells. */
export function computeDeclared(
  kpi: DeclaredKpi,
  isDated: IsDated,
  cells: Cells,
  bucket: Bucket,
  group: string,
): Computed {
  const values = measureValues(kpi, isDated, cells, bucket, group);
  const first: AnyKpiMeasure | undefined = Object.values(kpi.measures)[0];
  const sampleSize =
    kpi.sampleSize?.(values) ??
    (first
      ? (cells
          .get(bucketOf(isDated, first.source, bucket))
          ?.get(group)
          ?.rows.get(sourceKey(first.source)) ?? 0)
      : 0);
  return normalise(kpi.value(values), sampleSize);
}

/**
 * @internal Folds the rows of a fused statement into the cells: each row is a bucket (and group)
 * with the source's row count (`kpiRows`) and the partials of the measures, in the order of
 * `signatures` (`m0n`, `m0s`, `m0v`, ...). A grouped row also adds into the total.
 */
export function foldFusedRows(
  rows: readonly Record<string, unknown>[],
  source: string,
  measures: ReadonlyMap<string, AnyKpiMeasure>,
  grouped: boolean,
  cells: Cells,
): void {
  const signatures = [...measures.keys()];
  for (const row of rows) {
    const bucket: Bucket = row.kpiBucket === 'p' ? 'p' : 'c';
    const targets = [cell(cells, bucket, TOTAL)];
    if (grouped) {
      const groupCell = cell(cells, bucket, groupName(row.kpiGroup));
      groupCell.label = labelOf(row.kpiLabel);
      targets.push(groupCell);
    }
    for (const target of targets) {
      target.rows.set(source, (target.rows.get(source) ?? 0) + (toNumber(row.kpiRows) ?? 0));
      signatures.forEach((signature, index) => {
        const aggregate = measures.get(signature)?.aggregate ?? 'count';
        const partial: Partial = {
          n: toNumber(row[`m${index}n`]) ?? 0,
          s: toNumber(row[`m${index}s`]),
          v: toNumber(row[`m${index}v`]),
        };
        const existing = target.partials.get(signature);
        if (existing) combine(aggregate, existing, partial);
        else target.partials.set(signature, partial);
      });
    }
  }
}

/** @internal Folds the rows of a median statement (`kpiMedian`, `kpiCount` per bucket and group). */
export function foldMedianRows(
  rows: readonly Record<string, unknown>[],
  signature: string,
  grouped: boolean,
  cells: Cells,
): void {
  for (const row of rows) {
    const bucket: Bucket = row.kpiBucket === 'p' ? 'p' : 'c';
    const target = cell(cells, bucket, grouped ? groupName(row.kpiGroup) : TOTAL);
    if (grouped) target.label = labelOf(row.kpiLabel);
    target.partials.set(signature, {
      n: toNumber(row.kpiCount) ?? 0,
      s: null,
      v: toNumber(row.kpiMedian),
    });
  }
}
