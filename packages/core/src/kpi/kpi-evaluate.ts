import type { z } from 'zod';
import { listRates } from '../engine/currencies.js';
import { nowOf, type ScopeState } from '../engine/engine-state.js';
import { loadTenant } from '../engine/visibility.js';
import { validationError } from '../errors/rapport-error.js';
import { minorUnitDigits } from '../money/currency.js';
import { type PeriodCalendar, previousPeriod, resolvePeriod } from '../periods/period.js';
import { withStatementSignal } from '../storage/statement-signal.js';
import { dayInTimeZone } from '../tenancy/tenant.js';
import type { Evaluation } from './kpi-compile.js';
import type { QueryKpi } from './kpi-definition.js';
import { type AnyKpiDefinition, isDeclaredKpi } from './kpi-definition.js';
import { runFusedSource, runMedian, runQueryKpi } from './kpi-execute.js';
import type { Cells } from './kpi-fold.js';
import type { KpiBreakdown, KpiDimension } from './kpi-info.js';
import { planKpis } from './kpi-plan.js';
import type { KpiResult } from './kpi-result.js';
import { declaredResult, queryResult } from './kpi-results.js';
import type { KpiEvaluateOptions, KpiItemPage, ScopedFrom } from './kpi-service.js';

/** Items of a list KPI per page by default, and at most. */
const defaultItemLimit = 100;
const maxItemLimit = 1000;

/** The page of list items asked for, with its defaults; VALIDATION for a bad limit or offset. */
function itemPage(page: KpiItemPage | undefined): { limit: number; offset: number } {
  const limit = page?.limit ?? defaultItemLimit;
  const offset = page?.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > maxItemLimit) {
    throw validationError(
      'kpi',
      ['items', 'limit'],
      `must be a whole number from 1 to ${maxItemLimit}, not ${String(limit)}`,
      'invalid_limit',
    );
  }
  if (!Number.isInteger(offset) || offset < 0) {
    throw validationError(
      'kpi',
      ['items', 'offset'],
      `must be a whole number of 0 or more, not ${String(offset)}`,
      'invalid_offset',
    );
  }
  return { limit, offset };
}

/**
 * A `custom.<field>` dimension must name a declared custom field of an object the KPI reads
 * (rows of its other objects fall in the group "none"), or the breakdown would silently group
 * everything under "none" and a filter match nothing.
 */
/**
 * A `custom.x` breakdown or filter must name a custom field of at least one object the
 * evaluation's KPIs read: rows of the other objects fall in the group "none", as before, but a
 * field declared nowhere is a typo that would silently give an empty result.
 */
function checkCustomField(
  kpis: readonly AnyKpiDefinition[],
  dimension: string,
  customSchemas: Readonly<Record<string, z.ZodObject>>,
  path: string,
): void {
  const field = dimension.slice('custom.'.length);
  // A query KPI that names no sources reads objects the engine cannot know: nothing to check.
  if (kpis.some((kpi) => !isDeclaredKpi(kpi) && (kpi.sources ?? []).length === 0)) return;
  const objects = [
    ...new Set(
      kpis.flatMap((kpi) =>
        (isDeclaredKpi(kpi)
          ? Object.values(kpi.measures).map((measure) => measure.source)
          : (kpi.sources ?? [])
        ).map((source) => source.object),
      ),
    ),
  ];
  if (objects.length === 0) return;
  const declared = objects.flatMap((object) =>
    Object.keys(customSchemas[object]?.shape ?? {}).map((name) => `custom.${name}`),
  );
  if (declared.includes(dimension)) return;
  throw validationError(
    'kpi',
    [path, dimension],
    `${field} is not a custom field of ${objects.join(' or ')} (read by ${kpis.map((kpi) => kpi.id).join(', ')}); the declared ones are ${declared.length > 0 ? [...new Set(declared)].join(', ') : 'none'}`,
    'unknown_field',
  );
}

function checkDimension(kpi: AnyKpiDefinition, dimension: string): void {
  const base = dimension.startsWith('custom.') ? 'custom' : dimension;
  // Cast: widening a tuple of literals to test an arbitrary string against it.
  if (!(kpi.dimensions as readonly string[]).includes(base)) {
    const accepted = kpi.dimensions.map((d) => (d === 'custom' ? 'custom.<field>' : d));
    throw validationError(
      'kpi',
      ['by'],
      `KPI ${kpi.id} cannot be broken down or filtered by ${dimension}; it accepts ${accepted.length > 0 ? accepted.join(', ') : 'no dimension'}`,
      'unsupported_dimension',
    );
  }
}

async function runQuery(
  kpi: QueryKpi<string, KpiDimension, unknown>,
  evaluation: Evaluation,
): Promise<KpiResult<string, unknown>> {
  const snapshot = kpi.snapshot === true || evaluation.period.start === null;
  const range = snapshot ? null : evaluation.period;
  const previous = snapshot ? null : evaluation.previous;
  // The total and the breakdown are independent statements: side by side, like everything else.
  const [total, groups] = await Promise.all([
    runQueryKpi(kpi, evaluation, range, previous, undefined),
    evaluation.by ? runQueryKpi(kpi, evaluation, range, previous, evaluation.by) : undefined,
  ]);
  return queryResult(kpi, evaluation, previous, total, groups);
}

/**
 * How many of one evaluation's independent statements run at once. Enough to keep a pool's or
 * the SQLite readers' cores busy; few enough that a few dashboards at once leave connections
 * free, so a list request does not queue behind every statement of every dashboard.
 */
const concurrentStatements = 3;

/**
 * Runs `tasks`, at most `limit` at a time; rejects with the first failure, or with the signal's
 * reason as soon as it aborts (no task starts after that; running ones end unobserved).
 */
async function runLimited(
  tasks: readonly (() => Promise<void>)[],
  limit: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && !signal?.aborted && next < tasks.length) {
      const task = tasks[next++];
      try {
        if (task) await task();
      } catch (error) {
        // The evaluation fails with this error: the other lanes start nothing more.
        failed = true;
        throw error;
      }
    }
  };
  // The statements see the signal (statementSignal), so a storage can stop the running ones.
  const lanes = withStatementSignal(signal, () =>
    Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane)),
  );
  if (!signal) {
    await lanes;
    return;
  }
  signal.throwIfAborted();
  // The lanes go on to their running statement's end after an abort; a failure then is no one's.
  lanes.catch(() => undefined);
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([lanes, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * @internal Evaluates KPIs: the plan says which statements run (declared KPIs fused per source,
 * medians apart, query KPIs one by one); they run side by side, their rows are folded into cells
 * and the cells shaped into results.
 */
export async function evaluateKpis(
  context: { readonly state: ScopeState; readonly from: ScopedFrom },
  kpis: readonly AnyKpiDefinition[],
  options: KpiEvaluateOptions<string>,
): Promise<never> {
  const { state, from } = context;
  options.signal?.throwIfAborted();
  const tenant = await loadTenant(state);
  const today = dayInTimeZone(nowOf(state), tenant.timeZone);
  const calendar: PeriodCalendar = {
    timeZone: tenant.timeZone,
    fiscalYearStartMonth: tenant.fiscalYearStartMonth,
    today,
  };
  const period = resolvePeriod(options.period ?? 'thisMonth', calendar);
  const previous = options.compare === false ? null : previousPeriod(period, calendar);
  // Checked against every KPI's dimensions just below.
  const by = options.by as KpiBreakdown | undefined;
  const filters = options.filters ?? {};
  const items = itemPage(options.items);
  for (const kpi of kpis) {
    if (by) checkDimension(kpi, by);
    for (const dimension of Object.keys(filters)) checkDimension(kpi, dimension);
  }
  const customSchemas = state.engine.customSchemas;
  if (by?.startsWith('custom.')) checkCustomField(kpis, by, customSchemas, 'by');
  for (const dimension of Object.keys(filters)) {
    if (dimension.startsWith('custom.'))
      checkCustomField(kpis, dimension, customSchemas, 'filters');
  }
  const plan = planKpis(kpis);
  const factors = new Map<string, number>([[tenant.baseCurrency, 1]]);
  if (plan.needsRates) {
    const baseDigits = minorUnitDigits(tenant.baseCurrency);
    for (const { currency, rate } of await listRates(state)) {
      factors.set(currency, rate * 10 ** (baseDigits - minorUnitDigits(currency)));
    }
  }
  const evaluation: Evaluation = {
    state,
    from,
    tenant,
    today,
    period,
    previous,
    by,
    filters,
    factors,
    shared: new Map(),
    items,
  };
  const cells: Cells = new Map();
  const queried: KpiResult<string, unknown>[] = [];
  // Fused sources, medians and query KPIs are independent: they run side by side, a few at a
  // time (see concurrentStatements), on a pool or on SQLite's reader threads.
  await runLimited(
    [
      ...plan.queries.map((kpi) => async () => {
        queried.push(await runQuery(kpi, evaluation));
      }),
      ...plan.fused.map((fused) => () => runFusedSource(evaluation, fused, cells)),
      ...[...plan.medians].flatMap(([signature, measure]) => [
        () => runMedian(evaluation, signature, measure, cells, false),
        ...(by ? [() => runMedian(evaluation, signature, measure, cells, true)] : []),
      ]),
    ],
    concurrentStatements,
    options.signal,
  );
  const byId = new Map(queried.map((result) => [result.id, result]));
  const results: Record<string, KpiResult<string, unknown>> = {};
  for (const kpi of kpis) {
    const result = isDeclaredKpi(kpi) ? declaredResult(kpi, evaluation, cells) : byId.get(kpi.id);
    if (result) results[kpi.id] = result;
  }
  // The public type of the results is computed from the requested ids in KpiService.
  return results as never;
}
