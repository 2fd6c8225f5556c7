import type { Period } from '../periods/period.js';
import type { Evaluation } from './kpi-compile.js';
import { type Bucket, type Cells, measureValue, NONE, TOTAL } from './kpi-fold.js';
import type { KpiBreakdown } from './kpi-info.js';
import type { AnyKpiMeasure } from './kpi-measure.js';
import { type FusedSource, measureSignature, sourceKey } from './kpi-plan.js';
import { answerPrecomputed } from './kpi-precomputed.js';
import type { KpiMeasureRow, KpiRange } from './kpi-query-context.js';

/** The measures as fused sources: one per source, each measure by its signature. */
function fusedSourcesOf(measures: Readonly<Record<string, AnyKpiMeasure>>): FusedSource[] {
  const bySource = new Map<string, FusedSource & { measures: Map<string, AnyKpiMeasure> }>();
  for (const measure of Object.values(measures)) {
    const key = sourceKey(measure.source);
    let fused = bySource.get(key);
    if (!fused) {
      fused = { key, source: measure.source, measures: new Map() };
      bySource.set(key, fused);
    }
    fused.measures.set(measureSignature(measure), measure);
  }
  return [...bySource.values()];
}

const calls = new WeakMap<Evaluation, Map<string, Evaluation>>();

/**
 * The call's ranges and breakdown, as a declared KPI's evaluation of them would have them: one
 * object per evaluation and call, so what the rollup read keeps per evaluation (which rollups
 * are built) is read once for every query KPI of the call.
 */
function callEvaluation(
  evaluation: Evaluation,
  range: Period | null,
  previousRange: Period | null,
  by: KpiBreakdown | undefined,
): Evaluation {
  const key = JSON.stringify([
    range?.startInstant ?? null,
    range?.endInstant ?? null,
    previousRange?.startInstant ?? null,
    previousRange?.endInstant ?? null,
    by ?? null,
  ]);
  let byCall = calls.get(evaluation);
  if (!byCall) {
    byCall = new Map();
    calls.set(evaluation, byCall);
  }
  let call = byCall.get(key);
  if (!call) {
    call = { ...evaluation, period: range ?? evaluation.period, previous: previousRange, by };
    byCall.set(key, call);
  }
  return call;
}

/**
 * @internal `ctx.rolledUp`: the measures for one query KPI call (its range, the previous one when
 * it computes both, its breakdown, and the evaluation's filters), answered by the same rollup
 * read that answers a declared KPI's fused source, or undefined when a rollup does not answer
 * every source (the caller runs its own SQL). Never scanned here: the scan of a query KPI is its
 * own query, which computes the other facts it needs in the same pass.
 */
export async function rolledUpMeasures<TName extends string>(
  evaluation: Evaluation,
  range: Period | null,
  previousRange: Period | null,
  by: KpiBreakdown | undefined,
  measures: Readonly<Record<TName, AnyKpiMeasure>>,
): Promise<KpiMeasureRow<TName>[] | undefined> {
  const call = callEvaluation(evaluation, range, previousRange, by);
  const cells: Cells = new Map();
  for (const fused of fusedSourcesOf(measures)) {
    if (!(await answerPrecomputed(call, fused, cells))) return undefined;
  }
  // Cast: Object.entries widens the keys to string; they are the measures' names.
  const named = Object.entries(measures) as [TName, AnyKpiMeasure][];
  const valuesOf = (
    partials: ReadonlyMap<string, { n: number; s: number | null; v: number | null }> | undefined,
  ) =>
    Object.fromEntries(
      named.map(([name, measure]) => [
        name,
        measureValue(measure.aggregate, partials?.get(measureSignature(measure))),
      ]),
      // Cast: Object.fromEntries widens the keys to string; one entry per name of `named`.
    ) as Record<TName, number | null>;
  const buckets: [Bucket, KpiRange][] = previousRange
    ? [
        ['c', 'current'],
        ['p', 'previous'],
      ]
    : [['c', 'current']];
  const rows: KpiMeasureRow<TName>[] = [];
  for (const [bucket, kpiRange] of buckets) {
    const groups = cells.get(bucket);
    if (!by) {
      // The total has a row per range, rows or not, as a declared KPI's total has a value.
      rows.push({
        range: kpiRange,
        key: null,
        label: null,
        values: valuesOf(groups?.get(TOTAL)?.partials),
      });
      continue;
    }
    for (const [group, cell] of groups ?? []) {
      if (group === TOTAL) continue;
      rows.push({
        range: kpiRange,
        key: group === NONE ? null : group,
        label: cell.label,
        values: valuesOf(cell.partials),
      });
    }
  }
  return rows;
}
