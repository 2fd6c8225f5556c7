import {
  type CrmScope,
  type Period,
  type PeriodInput,
  RapportError,
  resolvePeriod,
} from '@rapport/core';
import { dayNumber, dayString, loadDealHistory } from '../deals/deal-timeline.js';
import type { ScoreFactor } from '../models/binary-model.js';
import { type DealRisk, dealRisks, type RiskThresholds } from '../plan/deal-risks.js';
import { listAll } from '../store/list-all.js';
import { type Backtest, backtest } from './backtest.js';
import type { PeriodShockSummary } from './period-shock.js';
import {
  type ForecastBreakdown,
  type ForecastFigures,
  type ForecastOptions,
  forecastPeriod,
} from './pipeline-forecast.js';
import { trainedForecast } from './trained-forecast.js';

/** Options of {@link forecast}. */
export interface ScopeForecastOptions extends Omit<ForecastOptions, 'quotas' | 'by'> {
  /** `2026-Q3`, `2026-03`, `FY2026`, `thisQuarter`, ...; default this quarter. */
  readonly period?: PeriodInput;
  readonly by?: ForecastBreakdown;
  /** The forecast day (`YYYY-MM-DD`); default today in the tenant's time zone. */
  readonly asOf?: string;
  /** A quota is "at risk" when the chance of reaching it is below this; default 0.5. */
  readonly atRiskBelow?: number;
  /** Thresholds of the per-deal reasons. */
  readonly risks?: RiskThresholds;
}

/** A group's forecast with its quota check. */
export interface ForecastGroup extends ForecastFigures {
  /** The chance of reaching the quota is below `atRiskBelow`. */
  readonly quotaAtRisk: boolean;
}

/** An open deal with its win probability and the reasons its plan looks unrealistic. */
export interface ForecastDealView {
  readonly id: string;
  readonly name: string;
  readonly ownerId: string;
  readonly stage: string;
  readonly amount: number;
  readonly closeDate: string | null;
  readonly winProbability: number;
  readonly inPeriodProbability: number;
  readonly method: string;
  readonly factors: readonly ScoreFactor[];
  readonly risks: readonly DealRisk[];
}

/** The result of {@link forecast}. */
export interface ScopeForecast {
  readonly period: Period;
  readonly asOf: string;
  readonly currency: string;
  /** `logistic`, `naiveBayes`, or `stageDefault` (too little history). */
  readonly method: string;
  /**
   * The per-period shared factor the range includes (fitted on past windows); null: deals were
   * simulated as independent (asked for, or too little history), so the range is too narrow.
   */
  readonly correlation: PeriodShockSummary | null;
  /**
   * The stored deal model the forecast used (kind `deal` in the model store): trained on the first
   * forecast with these inputs, reused until a write changes the history; null without the
   * predict plugin (trained and not kept).
   */
  readonly model: { readonly version: number; readonly trainedAt: string } | null;
  readonly total: ForecastGroup;
  readonly groups: readonly ForecastGroup[];
  /** Open deals, largest expected contribution first. */
  readonly deals: readonly ForecastDealView[];
}

/** The shared factor without its posterior grid (thousands of points, for the simulation only). */
function summaryOf(shock: PeriodShockSummary | null): PeriodShockSummary | null {
  if (!shock) return null;
  const { mean, sigma, meanRange, sigmaRange, windows, deals } = shock;
  return { mean, sigma, meanRange, sigmaRange, windows, deals };
}

async function calendar(scope: CrmScope) {
  const tenant = await scope.settings();
  return {
    tenant,
    calendar: {
      timeZone: tenant.timeZone,
      fiscalYearStartMonth: tenant.fiscalYearStartMonth,
      today: await scope.today(),
    },
  };
}

function periodDays(period: Period): {
  start: number;
  end: number;
  startDate: string;
  endDate: string;
} {
  if (!period.start || !period.end)
    throw new RapportError('VALIDATION', 'a forecast needs a bounded period, not "all"', {
      issues: [
        { path: ['period'], message: 'must have a start and an end', code: 'invalid_value' },
      ],
    });
  return {
    start: dayNumber(period.start),
    end: dayNumber(period.end),
    startDate: period.start,
    endDate: period.end,
  };
}

/** Quotas inside the period, summed per owner, per team and in total. */
async function quotasFor(
  scope: CrmScope,
  start: string,
  end: string,
  by: ForecastBreakdown | undefined,
  set: ReadonlySet<string> | undefined,
) {
  const quotas = await listAll((cursor) =>
    scope.quotas.list({
      limit: 1000,
      cursor,
      where: { periodStart: { gte: start }, periodEnd: { lt: end } },
    }),
  );
  const sums = new Map<string, number>();
  const add = (key: string, amount: number) => sums.set(key, (sums.get(key) ?? 0) + amount);
  // A rep's forecast covers the rep's own deals, so its total is set against the rep's own
  // quota; quotas are shared records, and the others' would make the plan look unreachable.
  // A set of owners is planned by its members' quotas: a team's quota covers people outside it.
  const mine = set
    ? (q: { ownerId: string | null }) => q.ownerId !== null && set.has(q.ownerId)
    : scope.actor.role === 'rep'
      ? (q: { ownerId: string | null }) => q.ownerId === scope.actor.id
      : () => true;
  const owners = quotas.filter((q) => q.ownerId !== null && mine(q));
  const teams = scope.actor.role === 'rep' || set ? [] : quotas.filter((q) => q.teamId !== null);
  for (const q of owners.length > 0 ? owners : teams) add('total', q.amount);
  for (const q of quotas) {
    if (by === 'owner' && q.ownerId && mine(q)) add(q.ownerId, q.amount);
    if (by === 'team' && q.teamId && !q.ownerId && !set) add(q.teamId, q.amount);
  }
  return sums;
}

/** At most this many owners in one forecast's set. */
export const maxForecastOwners = 500;

function ownersIssue(message: string): RapportError {
  return new RapportError('VALIDATION', `owners: ${message}`, {
    issues: [{ path: ['owners'], message, code: 'invalid_value' }],
  });
}

/**
 * The owners a forecast is restricted to, checked: each must be a user of the tenant whose deals
 * the actor may see, so an id out of sight is an error rather than an empty forecast.
 */
async function ownerSet(
  scope: CrmScope,
  history: Awaited<ReturnType<typeof loadDealHistory>>,
  ids: readonly string[] | undefined,
): Promise<ReadonlySet<string> | undefined> {
  if (ids === undefined) return undefined;
  if (ids.length === 0) throw ownersIssue('must name at least one user');
  if (ids.length > maxForecastOwners)
    throw ownersIssue(`at most ${maxForecastOwners} users, got ${ids.length}`);
  const unknown = ids.filter((id) => !history.ownerNames.has(id));
  if (unknown.length > 0) throw ownersIssue(`unknown users: ${unknown.join(', ')}`);
  // Core's own visibility rule, so the check cannot drift from what the reads apply.
  const inSight = await scope.sharing.visibleOwners('opportunity');
  const hidden = inSight === 'all' ? [] : ids.filter((id) => !inSight.has(id));
  if (hidden.length > 0)
    throw ownersIssue(`the actor may not see the deals of: ${hidden.join(', ')}`);
  return new Set(ids);
}

/**
 * The revenue forecast of a period from the scope's deals: won so far plus a Monte Carlo of the
 * open deals (learned win probabilities, close-date distribution of won deals) and new business,
 * P10/P50/P90 in the base currency, Salesforce's forecast categories, quotas with the chance of
 * reaching them, and every open deal with its probability and risks.
 *
 * @example
 * const result = await forecast(scope, { period: '2017-Q4', by: 'owner', asOf: '2017-10-01' });
 */
export async function forecast(
  scope: CrmScope,
  options: ScopeForecastOptions = {},
): Promise<ScopeForecast> {
  const { tenant, calendar: cal } = await calendar(scope);
  const period = resolvePeriod(options.period ?? 'thisQuarter', cal);
  const { start, end, startDate, endDate } = periodDays(period);
  const asOf = dayNumber(options.asOf ?? cal.today);
  const history = await loadDealHistory(scope);
  const owners = await ownerSet(scope, history, options.owners);
  const quotas = await quotasFor(scope, startDate, endDate, options.by, owners);
  const { trained, stored } = await trainedForecast(scope, history, start, end, asOf, options);
  const result = forecastPeriod(history, start, end, asOf, { ...options, quotas, trained });
  const threshold = options.atRiskBelow ?? 0.5;
  const withRisk = (g: ForecastFigures): ForecastGroup => ({
    ...g,
    quotaAtRisk: g.quotaProbability !== null && g.quotaProbability < threshold,
  });
  return {
    period,
    asOf: dayString(result.asOf),
    currency: tenant.baseCurrency,
    method: result.method,
    correlation: summaryOf(result.correlation),
    model: stored && { version: stored.version, trainedAt: stored.trainedAt },
    total: withRisk(result.total),
    groups: result.groups.map(withRisk),
    deals: result.deals
      .map((d) => ({
        id: d.deal.id,
        name: d.deal.name,
        ownerId: d.deal.ownerId,
        stage: d.state.stage,
        amount: d.state.amount,
        closeDate: d.state.closeDay === null ? null : dayString(d.state.closeDay),
        winProbability: d.win.probability,
        inPeriodProbability: d.inPeriod,
        method: d.win.method,
        factors: d.win.factors,
        risks: dealRisks(d, result.context, result.asOf, options.risks),
      }))
      .sort(
        (a, b) =>
          b.amount * b.inPeriodProbability - a.amount * a.inPeriodProbability ||
          a.id.localeCompare(b.id),
      ),
  };
}

/**
 * Backtests the forecast on the scope's history: each period (labels such as `2017-Q2`) is
 * forecast from its first day with what was known then and compared with what was won.
 *
 * @example
 * const result = await backtestForecast(scope, { periods: ['2017-Q1', '2017-Q2', '2017-Q3', '2017-Q4'] });
 */
export async function backtestForecast(
  scope: CrmScope,
  // A backtest replays the whole scope: a set of owners is a live forecast's, checked there.
  options: Omit<ForecastOptions, 'by' | 'quotas' | 'owners'> & {
    readonly periods: readonly PeriodInput[];
  },
): Promise<Backtest & { readonly currency: string }> {
  const { tenant, calendar: cal } = await calendar(scope);
  const periods = options.periods.map((label) => {
    const period = resolvePeriod(label, cal);
    return { label: period.label, ...periodDays(period) };
  });
  const history = await loadDealHistory(scope);
  return { ...backtest(history, periods, options), currency: tenant.baseCurrency };
}
