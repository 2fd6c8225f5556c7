import { closeWithin, type DealContext, dealContext } from '../deals/deal-context.js';
import {
  type DealModel,
  trainDealModel,
  type WinProbability,
  winProbability,
} from '../deals/deal-model.js';
import {
  type DayNumber,
  type DealHistory,
  type DealState,
  type DealTimeline,
  dealStateAt,
} from '../deals/deal-timeline.js';
import { type RevenueDistribution, simulateRevenue } from './monte-carlo.js';
import { fitPeriodShock, type PeriodShock, type ShockWindow } from './period-shock.js';

/** How a forecast is broken down. */
export type ForecastBreakdown = 'owner' | 'team' | 'product';

/** Options of {@link forecastPeriod}. */
export interface ForecastOptions {
  /** Monte Carlo runs; default 10,000. */
  readonly runs?: number;
  /** Seed; default 1. */
  readonly seed?: number;
  /** Add deals not yet in the pipeline, drawn from comparable past periods; default true. */
  readonly newBusiness?: boolean;
  /** Per group as well as the total. */
  readonly by?: ForecastBreakdown;
  /**
   * Only the deals of these owners (user ids): the open deals simulated, the won so far, the
   * new-business draw and the groups; the total is then theirs (a manager's roll-up). The deal
   * model is still trained on the whole history, so it does not depend on the set.
   */
  readonly owners?: readonly string[];
  /** Quotas per group key (and `total`), in minor units of the base currency. */
  readonly quotas?: ReadonlyMap<string, number>;
  /** Passed to the deal model. */
  readonly minClosedEach?: number;
  /**
   * `fitted` (default): deals share a per-period factor whose spread is fitted on past windows
   * of the same length ({@link periodShock}); `independent`: each deal on its own.
   */
  readonly correlation?: 'fitted' | 'independent';
  /** Replayed windows by start day, reused across forecasts of the same history (a backtest). */
  readonly windowCache?: Map<string, ShockWindow>;
  /**
   * The deal model and shared factor trained before for this history, day and period length
   * (`trainedForecast`); without it they are trained here.
   */
  readonly trained?: {
    readonly model: DealModel;
    readonly correlation: PeriodShock | null;
  };
}

/** Salesforce's forecast categories summed as they are: open amounts per category, closed = won. */
export interface ForecastCategories {
  readonly pipeline: number;
  readonly bestCase: number;
  readonly commit: number;
  readonly closed: number;
}

/** An open deal in a forecast. */
export interface ForecastDeal {
  readonly deal: DealTimeline;
  readonly state: DealState;
  readonly win: WinProbability;
  /** Probability that it is won inside the period (win x close-date distribution). */
  readonly inPeriod: number;
}

/** The forecast of one group (or the total). */
export interface ForecastFigures extends RevenueDistribution {
  readonly key: string | null;
  readonly label: string | null;
  readonly wonSoFar: number;
  /** Sum of open amounts x the stage's default probability: the weighted pipeline. */
  readonly weightedPipeline: number;
  readonly categories: ForecastCategories;
  readonly openDeals: number;
  readonly quota: number | null;
}

/** A forecast as of a day for a period. */
export interface PeriodForecast {
  readonly start: DayNumber;
  readonly end: DayNumber;
  readonly asOf: DayNumber;
  readonly method: string;
  readonly total: ForecastFigures;
  readonly groups: readonly ForecastFigures[];
  readonly deals: readonly ForecastDeal[];
  readonly model: DealModel;
  readonly context: DealContext;
  /** The fitted shared factor; null when independent (asked for, or too little history). */
  readonly correlation: PeriodShock | null;
}

function keyOf(deal: DealTimeline, by: ForecastBreakdown | undefined): string | null {
  if (by === 'owner') return deal.ownerId;
  if (by === 'team') return deal.teamId;
  if (by === 'product') return deal.productId;
  return null;
}

function labelOf(history: DealHistory, by: ForecastBreakdown | undefined, key: string | null) {
  if (key === null) return null;
  const names =
    by === 'owner' ? history.ownerNames : by === 'team' ? history.teamNames : history.productNames;
  return names.get(key) ?? key;
}

/**
 * New deals won inside comparable windows before `asOf`: for k = 1..4, the same window shifted back
 * k period lengths, the won amount of deals opened and closed inside it. Only windows that ended
 * by `asOf` count, so nothing after the forecast day is used.
 */
function newBusinessSamples(
  history: DealHistory,
  start: DayNumber,
  end: DayNumber,
  asOf: DayNumber,
  member: (deal: DealTimeline) => boolean,
): number[] {
  const length = end - start;
  const firstOpen = Math.min(...history.deals.map((d) => d.openDay));
  const samples: number[] = [];
  for (let k = 1; k <= 4; k++) {
    const from = asOf - k * length;
    const to = end - k * length;
    // The window must have ended by the forecast day, and the data must reach back before it.
    if (to > asOf || from <= firstOpen) continue;
    let total = 0;
    for (const deal of history.deals) {
      if (deal.status === 'won' && deal.openDay >= from && deal.closeDay < to && member(deal))
        total += deal.amount;
    }
    samples.push(total);
  }
  return samples;
}

/** The deals open at the start of `day`, with their learned chance of being won before `end`. */
function openDeals(
  history: DealHistory,
  day: DayNumber,
  end: DayNumber,
  options: ForecastOptions,
  trained?: DealModel,
): { model: DealModel; context: DealContext; deals: ForecastDeal[] } {
  const { model, context } = trained
    ? { model: trained, context: dealContext(history, day) }
    : trainDealModel(history, day, options);
  const deals: ForecastDeal[] = [];
  for (const deal of history.deals) {
    const state = dealStateAt(deal, history.pipelines.get(deal.pipelineId), day);
    if (!state) continue;
    const win = winProbability(model, deal, state, context, day);
    const inPeriod = win.probability * closeWithin(context, day - deal.openDay, end - day);
    deals.push({ deal, state, win, inPeriod });
  }
  return { model, context, deals };
}

/**
 * The shared factor for a forecast of `length` days made on `asOf`, fitted on up to 8 past
 * windows of the same length that ended by `asOf`, starting every half length back: each
 * replayed as the forecast would have been made at its start (a model trained only on deals
 * closed before it) and compared with what was then won. A window in which none of its open deals
 * closed at all (won or lost) lies before the history's outcomes begin and is skipped. Windows
 * overlap by half, so each counts half in the posterior of (mean, sigma). Null without a window:
 * the forecast then treats deals as independent.
 */
export function periodShock(
  history: DealHistory,
  length: number,
  asOf: DayNumber,
  options: Pick<ForecastOptions, 'minClosedEach' | 'windowCache'> = {},
): PeriodShock | null {
  if (history.deals.length === 0 || length <= 0) return null;
  const firstOpen = Math.min(...history.deals.map((d) => d.openDay));
  const step = Math.max(1, Math.round(length / 2));
  // Window starts on a fixed grid of days, so forecasts made on nearby days share windows.
  const latest = Math.floor((asOf - length) / step) * step;
  const windows: ShockWindow[] = [];
  for (let k = 0; k < 8; k++) {
    const from = latest - k * step;
    if (from <= firstOpen) break;
    const key = `${from}:${length}`;
    let window = options.windowCache?.get(key);
    if (!window) {
      const to = from + length;
      const { deals } = openDeals(history, from, to, options);
      const closed = deals.filter((d) => d.deal.status !== 'open' && d.deal.closeDay < to);
      window =
        closed.length === 0
          ? { probabilities: [], outcomes: [] }
          : {
              probabilities: deals.map((d) => d.inPeriod),
              outcomes: deals.map((d) => (d.deal.status === 'won' && d.deal.closeDay < to ? 1 : 0)),
            };
      options.windowCache?.set(key, window);
    }
    if (window.probabilities.length > 0) windows.push(window);
  }
  // Windows every half length cover each day twice: each counts half in the posterior.
  return fitPeriodShock(windows, { weight: step / length });
}

/**
 * The day a forecast of `[start, end)` asked for on `asOf` is made: `asOf` within the period.
 *
 * @example
 * forecastDay(100, 190, 50); // 100
 */
export function forecastDay(start: DayNumber, end: DayNumber, asOf: DayNumber): DayNumber {
  return Math.min(Math.max(asOf, start), end);
}

/**
 * The forecast of `[start, end)` as it could be made at the start of day `asOf` (today for a live
 * forecast, the period start in a backtest): won so far, plus the open deals simulated with their
 * learned win probability and the close-date distribution of won deals of their age, plus new
 * business; per group when `by` is given. Only what was known before `asOf` is used.
 */
export function forecastPeriod(
  history: DealHistory,
  start: DayNumber,
  end: DayNumber,
  asOf: DayNumber,
  options: ForecastOptions = {},
): PeriodForecast {
  const day = forecastDay(start, end, asOf);
  const trained = openDeals(history, day, end, options, options.trained?.model);
  const { model, context } = trained;
  const owners = options.owners && new Set(options.owners);
  // The set applies after training: percentiles do not add up, so its deals are simulated anew.
  const inSet = owners ? (d: DealTimeline) => owners.has(d.ownerId) : () => true;
  const deals = trained.deals.filter((d) => inSet(d.deal));
  const correlation = options.trained
    ? options.trained.correlation
    : options.correlation === 'independent'
      ? null
      : periodShock(history, end - start, day, options);
  const won = history.deals.filter(
    (d) => d.status === 'won' && d.closeDay >= start && d.closeDay < day && inSet(d),
  );
  const figures = (
    key: string | null,
    member: (d: DealTimeline) => boolean,
    seed: number,
  ): ForecastFigures => {
    const open = deals.filter((d) => member(d.deal));
    const wonSoFar = won.filter(member).reduce((s, d) => s + d.amount, 0);
    const categories = { pipeline: 0, bestCase: 0, commit: 0, closed: wonSoFar };
    let weightedPipeline = 0;
    for (const d of open) {
      weightedPipeline += d.state.amount * d.state.stageProbability;
      if (d.state.forecastCategory === 'Pipeline') categories.pipeline += d.state.amount;
      else if (d.state.forecastCategory === 'BestCase') categories.bestCase += d.state.amount;
      else if (d.state.forecastCategory === 'Commit') categories.commit += d.state.amount;
    }
    const quota = options.quotas?.get(key ?? 'total') ?? null;
    const distribution = simulateRevenue(
      open.map((d) => ({ amount: d.state.amount, probability: d.inPeriod })),
      {
        wonSoFar,
        newBusiness:
          options.newBusiness === false
            ? []
            : newBusinessSamples(history, start, end, day, (d) => inSet(d) && member(d)),
        runs: options.runs ?? 10_000,
        seed,
        shock: correlation,
        quota,
      },
    );
    return {
      ...distribution,
      key,
      label: labelOf(history, options.by, key),
      wonSoFar,
      weightedPipeline,
      categories,
      openDeals: open.length,
      quota,
    };
  };
  const seed = options.seed ?? 1;
  const total = figures(null, () => true, seed);
  const keys = options.by
    ? [...new Set(history.deals.filter(inSet).map((d) => keyOf(d, options.by)))]
        .filter((k): k is string => k !== null)
        .sort()
    : [];
  const groups = keys
    .map((key, index) => figures(key, (d) => keyOf(d, options.by) === key, seed + index + 1))
    .filter((g) => g.openDeals > 0 || g.wonSoFar > 0 || g.quota !== null);
  return {
    start,
    end,
    asOf: day,
    method: model.model?.method ?? 'stageDefault',
    total,
    groups,
    deals,
    model,
    context,
    correlation,
  };
}
