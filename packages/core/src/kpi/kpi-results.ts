import type { Period } from '../periods/period.js';
import { type Evaluation, isDated } from './kpi-compile.js';
import type { AnyKpiDefinition, DeclaredKpi, QueryKpi } from './kpi-definition.js';
import type { QueryRuns } from './kpi-execute.js';
import {
  type Bucket,
  type Cells,
  type Computed,
  computeDeclared,
  type IsDated,
  measureValues,
  NONE,
  TOTAL,
} from './kpi-fold.js';
import type { KpiDimension } from './kpi-info.js';
import {
  type KpiComparison,
  type KpiFigure,
  type KpiGroupResult,
  type KpiResult,
  wilsonInterval,
} from './kpi-result.js';

function comparison(current: Computed, previous: Computed, period: Period): KpiComparison {
  const change =
    current.value !== null && previous.value !== null ? current.value - previous.value : null;
  return {
    period,
    value: previous.value,
    reason: previous.reason,
    sampleSize: previous.sampleSize,
    change,
    relativeChange:
      change !== null && previous.value !== null && previous.value !== 0
        ? change / Math.abs(previous.value)
        : null,
  };
}

function figure(current: Computed, previous: Computed | null, period: Period | null): KpiFigure {
  return {
    value: current.value,
    reason: current.reason,
    sampleSize: current.sampleSize,
    interval:
      current.successes !== undefined && current.trials !== undefined
        ? wilsonInterval(current.successes, current.trials)
        : null,
    previous: previous && period ? comparison(current, previous, period) : null,
  };
}

/** Groups by sample size (largest first), then label, then key: a stable order. */
function sortGroups(groups: KpiGroupResult[]): KpiGroupResult[] {
  return groups.sort(
    (a, b) =>
      b.sampleSize - a.sampleSize ||
      String(a.label ?? '').localeCompare(String(b.label ?? '')) ||
      String(a.key ?? '').localeCompare(String(b.key ?? '')),
  );
}

function resultBase(kpi: AnyKpiDefinition, evaluation: Evaluation) {
  return {
    id: kpi.id,
    group: kpi.group,
    title: kpi.title,
    unit: kpi.unit,
    direction: kpi.direction,
    currency: kpi.unit === 'money' ? evaluation.tenant.baseCurrency : null,
    period: evaluation.period,
  };
}

/** @internal The result of a declared KPI from the folded cells of the fused statements. */
export function declaredResult(kpi: DeclaredKpi, evaluation: Evaluation, cells: Cells): KpiResult {
  const dated: IsDated = (source) => isDated(evaluation, source);
  const previousPeriodOf = Object.values(kpi.measures).some((m) => dated(m.source))
    ? evaluation.previous
    : null;
  const compute = (bucket: Bucket, group: string) =>
    computeDeclared(kpi, dated, cells, bucket, group);
  const total = figure(
    compute('c', TOTAL),
    previousPeriodOf ? compute('p', TOTAL) : null,
    previousPeriodOf,
  );
  let breakdown: KpiGroupResult[] | null = null;
  if (evaluation.by) {
    // A group is listed when any of the KPI's measures has data for it in the period: a rep
    // with a quota and no wins is there (attainment 0), a rep without deals or quota is not.
    const groups = new Map<string, string | null>();
    for (const [group, found] of cells.get('c') ?? []) {
      if (group === TOTAL) continue;
      const values = Object.values(measureValues(kpi, dated, cells, 'c', group));
      if (values.some((value) => value !== null && value !== 0)) groups.set(group, found.label);
    }
    breakdown = sortGroups(
      [...groups].map(([group, label]) => {
        const key = group === NONE ? null : group;
        return {
          key,
          label: label ?? key,
          ...figure(
            compute('c', group),
            previousPeriodOf ? compute('p', group) : null,
            previousPeriodOf,
          ),
        };
      }),
    );
  }
  return { ...resultBase(kpi, evaluation), ...total, breakdown, items: [], itemCount: 0 };
}

const noRows: Computed = { value: null, reason: 'no data', sampleSize: 0 };

/** @internal The result of a query KPI from the rows of its total and (maybe) its breakdown. */
export function queryResult(
  kpi: QueryKpi<string, KpiDimension, unknown>,
  evaluation: Evaluation,
  previous: Period | null,
  total: QueryRuns,
  groups: QueryRuns | undefined,
): KpiResult<string, unknown> {
  const currentTotal = total.current.get(NONE);
  const figures = figure(
    currentTotal?.computed ?? noRows,
    total.previous ? (total.previous.get(NONE)?.computed ?? noRows) : null,
    previous,
  );
  const breakdown = groups
    ? sortGroups(
        [...groups.current].map(([group, { row, computed }]) => ({
          key: row.key,
          label: row.label ?? row.key,
          ...figure(
            computed,
            groups.previous ? (groups.previous.get(group)?.computed ?? noRows) : null,
            previous,
          ),
        })),
      )
    : null;
  return {
    ...resultBase(kpi, evaluation),
    ...figures,
    breakdown,
    items: currentTotal?.row.items ?? [],
    itemCount: currentTotal?.row.itemCount ?? currentTotal?.row.items?.length ?? 0,
  };
}
