import type { DealHistory } from '../deals/deal-timeline.js';
import type { PeriodShock } from './period-shock.js';
import { type ForecastOptions, forecastPeriod } from './pipeline-forecast.js';

/** One replayed period. */
export interface BacktestPeriod {
  readonly label: string;
  readonly start: number;
  readonly end: number;
  /** Won in the period, in truth. */
  readonly actual: number;
  /** Of it, won from deals already open at the period start. */
  readonly actualFromPipeline: number;
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
  readonly expected: number;
  /** Forecast of the open pipeline alone (no new business), median. */
  readonly pipelineP50: number;
  readonly weightedPipeline: number;
  readonly inRange: boolean;
  /** The range had deals been simulated independently (no shared factor). */
  readonly p10Independent: number;
  readonly p90Independent: number;
  readonly inRangeIndependent: boolean;
  readonly p50Independent: number;
  readonly errorP50Independent: number | null;
  /** The range had the fitted (mean, sigma) been taken as known (no posterior draws). */
  readonly p10Point: number;
  readonly p50Point: number;
  readonly p90Point: number;
  readonly inRangePoint: boolean;
  /** The fitted shared factor (mean and sigma of the log-odds shift); null: too little history. */
  readonly shock: { readonly mean: number; readonly sigma: number } | null;
  /** The posterior's 10-90 % ranges of the factor's mean and sigma; null without a fit. */
  readonly shockRanges: {
    readonly mean: readonly [number, number];
    readonly sigma: readonly [number, number];
    readonly windows: number;
  } | null;
  /** |P50 - actual| / actual; null when nothing was won. */
  readonly errorP50: number | null;
  readonly errorWeighted: number | null;
  readonly errorPipelineP50: number | null;
  readonly method: string;
  readonly openDeals: number;
}

/** A backtest over several periods. */
export interface Backtest {
  readonly periods: readonly BacktestPeriod[];
  /** Mean absolute percentage error of P50 (periods with an actual). */
  readonly mapeP50: number | null;
  /** Of P50 with independent deals. */
  readonly mapeP50Independent: number | null;
  /** Of the weighted pipeline (amount x stage probability). */
  readonly mapeWeighted: number | null;
  /** Of the open pipeline alone against what it brought. */
  readonly mapePipelineP50: number | null;
  /** Share of periods whose actual fell inside P10-P90. */
  readonly coverage: number | null;
  /** The same with independent deals: what the shared factor changes. */
  readonly coverageIndependent: number | null;
  /** The same with the point fit of the factor: what drawing it from its posterior changes. */
  readonly coveragePoint: number | null;
  /** MAPE of P50 with the point fit. */
  readonly mapeP50Point: number | null;
  /**
   * Mean of (P90 - P10) / actual over periods with an actual: how wide the range is for its
   * coverage (a range that always covers by being huge is no success either).
   */
  readonly meanRelativeWidth: number | null;
  /** The same with independent deals. */
  readonly meanRelativeWidthIndependent: number | null;
  /** The same with the point fit. */
  readonly meanRelativeWidthPoint: number | null;
}

function mean(values: readonly (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : known.reduce((s, v) => s + v, 0) / known.length;
}

function share<T>(rows: readonly T[], test: (row: T) => boolean): number | null {
  return rows.length === 0 ? null : rows.filter(test).length / rows.length;
}

/**
 * Replays history: for each period, the pipeline as it stood at its start (from stage history),
 * a deal model trained only on deals closed before, the forecast, and what was then won. The
 * shared factor of each period is fitted only on windows that ended by its start (walk-forward),
 * so the coverage is measured on periods the fit never saw.
 *
 * @example
 * const result = backtest(history, [{ label: '2017-Q2', start, end }]);
 */
export function backtest(
  history: DealHistory,
  periods: readonly { readonly label: string; readonly start: number; readonly end: number }[],
  options: ForecastOptions = {},
): Backtest {
  const windowCache = options.windowCache ?? new Map();
  const rows = periods.map((period): BacktestPeriod => {
    const forecast = forecastPeriod(history, period.start, period.end, period.start, {
      ...options,
      by: undefined,
      windowCache,
    });
    // The variants reuse the period's deal model: only the simulation differs.
    const variant = (correlation: PeriodShock | null, more: ForecastOptions = {}) =>
      forecastPeriod(history, period.start, period.end, period.start, {
        ...options,
        ...more,
        by: undefined,
        trained: { model: forecast.model, correlation },
      });
    const independent = variant(null).total;
    const point = forecast.correlation
      ? variant({ ...forecast.correlation, posterior: undefined }).total
      : forecast.total;
    const pipelineOnly = variant(null, { newBusiness: false });
    const openAtStart = new Set(forecast.deals.map((d) => d.deal.id));
    let actual = 0;
    let actualFromPipeline = 0;
    for (const deal of history.deals) {
      if (deal.status !== 'won' || deal.closeDay < period.start || deal.closeDay >= period.end)
        continue;
      actual += deal.amount;
      if (openAtStart.has(deal.id)) actualFromPipeline += deal.amount;
    }
    const error = (value: number, truth: number) =>
      truth > 0 ? Math.abs(value - truth) / truth : null;
    const { total } = forecast;
    return {
      label: period.label,
      start: period.start,
      end: period.end,
      actual,
      actualFromPipeline,
      p10: total.p10,
      p50: total.p50,
      p90: total.p90,
      expected: total.expected,
      pipelineP50: pipelineOnly.total.p50,
      weightedPipeline: total.weightedPipeline,
      inRange: actual >= total.p10 && actual <= total.p90,
      p10Independent: independent.p10,
      p90Independent: independent.p90,
      inRangeIndependent: actual >= independent.p10 && actual <= independent.p90,
      p50Independent: independent.p50,
      p10Point: point.p10,
      p50Point: point.p50,
      p90Point: point.p90,
      inRangePoint: actual >= point.p10 && actual <= point.p90,
      errorP50Independent: error(independent.p50, actual),
      shock: forecast.correlation
        ? { mean: forecast.correlation.mean, sigma: forecast.correlation.sigma }
        : null,
      shockRanges: forecast.correlation
        ? {
            mean: forecast.correlation.meanRange,
            sigma: forecast.correlation.sigmaRange,
            windows: forecast.correlation.windows,
          }
        : null,
      errorP50: error(total.p50, actual),
      errorWeighted: error(total.weightedPipeline, actual),
      errorPipelineP50: error(pipelineOnly.total.p50, actualFromPipeline),
      method: forecast.method,
      openDeals: total.openDeals,
    };
  });
  return {
    periods: rows,
    mapeP50: mean(rows.map((r) => r.errorP50)),
    mapeP50Independent: mean(rows.map((r) => r.errorP50Independent)),
    mapeWeighted: mean(rows.map((r) => r.errorWeighted)),
    mapePipelineP50: mean(rows.map((r) => r.errorPipelineP50)),
    coverage: share(rows, (r) => r.inRange),
    coverageIndependent: share(rows, (r) => r.inRangeIndependent),
    coveragePoint: share(rows, (r) => r.inRangePoint),
    mapeP50Point: mean(
      rows.map((r) => (r.actual > 0 ? Math.abs(r.p50Point - r.actual) / r.actual : null)),
    ),
    meanRelativeWidth: mean(rows.map((r) => (r.actual > 0 ? (r.p90 - r.p10) / r.actual : null))),
    meanRelativeWidthPoint: mean(
      rows.map((r) => (r.actual > 0 ? (r.p90Point - r.p10Point) / r.actual : null)),
    ),
    meanRelativeWidthIndependent: mean(
      rows.map((r) => (r.actual > 0 ? (r.p90Independent - r.p10Independent) / r.actual : null)),
    ),
  };
}
