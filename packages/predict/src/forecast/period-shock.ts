import { at } from '../math/checked.js';
import { logit, sigmoid } from '../math/logistic-regression.js';

/**
 * A past window replayed: the in-period probabilities the forecast gave the deals open at its
 * start, and whether each was then won inside it (1) or not (0).
 */
export interface ShockWindow {
  readonly probabilities: readonly number[];
  readonly outcomes: readonly (0 | 1)[];
}

/**
 * The posterior of (mean, sigma) on the fit's grid: the points that carry mass, with their
 * cumulative probability (the last is 1), so that a run draws one by bisection.
 */
export interface ShockPosterior {
  readonly means: readonly number[];
  readonly sigmas: readonly number[];
  readonly cumulative: readonly number[];
}

/** What a forecast reports of its shared factor (the posterior grid left out). */
export interface PeriodShockSummary {
  /** The typical shift (maximum likelihood): how far past forecasts' log odds were off. */
  readonly mean: number;
  /** Its spread from period to period (maximum likelihood). */
  readonly sigma: number;
  /** The posterior's 10 % and 90 % quantiles of the mean: how well the windows pin it down. */
  readonly meanRange: readonly [number, number];
  /** The same of sigma. */
  readonly sigmaRange: readonly [number, number];
  /** Past windows it was fitted on. */
  readonly windows: number;
  /** Deals in them (those with a probability strictly between 0 and 1). */
  readonly deals: number;
}

/**
 * The fitted shared factor of a period: in each period every deal's log odds move by the same
 * z ~ N(mean, sigma²), with (mean, sigma) themselves uncertain: `posterior`.
 */
export interface PeriodShock extends PeriodShockSummary {
  /** Absent: (mean, sigma) are taken as known (the point fit alone, narrower with few windows). */
  readonly posterior?: ShockPosterior;
}

/** Options of {@link fitPeriodShock}. */
export interface ShockFitOptions {
  /**
   * The power of each window's likelihood in the posterior (1: independent windows). Windows
   * that overlap share deals and days, so their product counts the same evidence more than once;
   * a power equal to the share of each day covered by one window (1/2 for windows every half
   * length) counts it once, as in a composite likelihood (Varin, Reid & Firth 2011). It changes
   * the posterior's spread, never its mode.
   */
  readonly weight?: number;
}

/** The standard normal on a grid of nodes with normalised weights (trapezoid rule). */
const nodes = Array.from({ length: 41 }, (_, i) => -4 + i * 0.2);
const logNodeWeights = (() => {
  const density = nodes.map((u) => Math.exp(-(u * u) / 2));
  const sum = density.reduce((s, d) => s + d, 0);
  return density.map((d) => Math.log(d / sum));
})();

/** The shifts at which a window's log likelihood is tabulated, then interpolated. */
const shiftMin = -12;
const shiftStep = 0.05;
const shiftCount = Math.round((2 * -shiftMin) / shiftStep) + 1;

/**
 * A deal's probability in a run whose shared shift is `z`. Certain outcomes (0 or 1) stay
 * certain.
 *
 * @example
 * shockedProbability(0.3, 0); // 0.3
 */
export function shockedProbability(p: number, z: number): number {
  if (p <= 0 || p >= 1 || z === 0) return p;
  return sigmoid(logit(p) + z);
}

/** log sigmoid(x), stable for large |x|. */
function logSigmoid(x: number): number {
  return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
}

/** A window's log likelihood at every tabulated shift: Σ log P(outcome | logit p + shift). */
function tabulate(window: ShockWindow): { table: Float64Array; deals: number } | null {
  const logits: number[] = [];
  const outcomes: number[] = [];
  window.probabilities.forEach((p, i) => {
    if (p > 0 && p < 1) {
      logits.push(logit(p));
      outcomes.push(at(window.outcomes, i));
    }
  });
  if (logits.length === 0) return null;
  const table = new Float64Array(shiftCount);
  for (let s = 0; s < shiftCount; s++) {
    const shift = shiftMin + s * shiftStep;
    let sum = 0;
    logits.forEach((l, i) => {
      sum += at(outcomes, i) === 1 ? logSigmoid(l + shift) : logSigmoid(-(l + shift));
    });
    table[s] = sum;
  }
  return { table, deals: logits.length };
}

/** The tabulated log likelihood at a shift, linear between grid points, clamped at the ends. */
function lookup(table: Float64Array, shift: number): number {
  const position = Math.min(shiftCount - 1, Math.max(0, (shift - shiftMin) / shiftStep));
  const low = Math.floor(position);
  const high = Math.min(shiftCount - 1, low + 1);
  const below = at(table, low);
  return below + (at(table, high) - below) * (position - low);
}

/** Each window's tabulation, kept with the window so that a backtest tabulates it once. */
const tabulations = new WeakMap<ShockWindow, ReturnType<typeof tabulate>>();

function tabulated(window: ShockWindow): ReturnType<typeof tabulate> {
  if (!tabulations.has(window)) tabulations.set(window, tabulate(window));
  return tabulations.get(window) ?? null;
}

/**
 * Fits a per-period shared factor by maximum marginal likelihood: in a window every deal's log
 * odds move by the same z ~ N(mean, sigma²), a random intercept per period as in a logistic mixed
 * model (Breslow & Clayton 1993), the logistic-normal counterpart of beta-binomial
 * overdispersion (Williams 1982). The mean corrects a forecast that was too high or too low on
 * average; sigma = 0 is independence. The fit evaluates the marginal likelihood (z integrated out
 * by quadrature) on mean -4..4 and sigma 0..3 in steps of 0.1; `mean` and `sigma` are its
 * maximum, and `posterior` is the same grid times a prior, normalised: flat in the mean, a
 * half-Cauchy(0, 1) in sigma (Gelman 2006, _Prior distributions for variance parameters in
 * hierarchical models_, Bayesian Analysis 1), the grid posterior of hyperparameters of Gelman et
 * al., _Bayesian Data Analysis_, 3rd ed., 5.3. A simulation that draws (mean, sigma) from it per
 * run is the posterior predictive: wide with few windows, the maximum likelihood with many. Deals with a certain probability (0 or 1) carry no information
 * and are left out. Null without a window.
 *
 * @example
 * fitPeriodShock([
 *   { probabilities: [0.2, 0.5], outcomes: [0, 1] },
 *   { probabilities: [0.6, 0.3], outcomes: [0, 0] },
 * ])?.sigma;
 */
export function fitPeriodShock(
  windows: readonly ShockWindow[],
  options: ShockFitOptions = {},
): PeriodShock | null {
  const tables = windows
    .map(tabulated)
    .filter((t): t is NonNullable<ReturnType<typeof tabulate>> => t !== null);
  if (tables.length === 0) return null;
  let best = { mean: 0, sigma: 0, value: Number.NEGATIVE_INFINITY };
  const grid: { mean: number; sigma: number; value: number }[] = [];
  const terms = new Float64Array(nodes.length);
  for (let m = -40; m <= 40; m++) {
    const mean = m / 10;
    for (let s = 0; s <= 30; s++) {
      const sigma = s / 10;
      let value = 0;
      for (const { table } of tables) {
        let max = Number.NEGATIVE_INFINITY;
        nodes.forEach((u, k) => {
          const term = at(logNodeWeights, k) + lookup(table, mean + sigma * u);
          terms[k] = term;
          if (term > max) max = term;
        });
        let sum = 0;
        for (const term of terms) sum += Math.exp(term - max);
        value += max + Math.log(sum);
      }
      grid.push({ mean, sigma, value });
      if (value > best.value) best = { mean, sigma, value };
    }
  }
  const posterior = normalise(grid, best.value, options.weight ?? 1);
  return {
    mean: best.mean,
    sigma: best.sigma,
    meanRange: [
      quantileOf(posterior, posterior.means, 0.1),
      quantileOf(posterior, posterior.means, 0.9),
    ],
    sigmaRange: [
      quantileOf(posterior, posterior.sigmas, 0.1),
      quantileOf(posterior, posterior.sigmas, 0.9),
    ],
    windows: tables.length,
    deals: tables.reduce((s, t) => s + t.deals, 0),
    posterior,
  };
}

/**
 * The prior of sigma: half-Cauchy with scale 1 (log odds), Gelman's (2006) weakly informative
 * choice for a hierarchical scale fitted on few groups, where a flat prior leaves too much mass
 * at large values. Scale 1: a period moving every deal's odds by a factor of e is plausible;
 * the heavy tail still allows far larger swings when the windows show them. Unnormalised (the
 * grid is).
 */
function priorOfSigma(sigma: number): number {
  return 1 / (1 + sigma * sigma);
}

/**
 * The grid's likelihood (to the power `weight`) as probabilities; points below a millionth of the
 * mode's are dropped (together far less than the simulation's own noise).
 */
function normalise(
  grid: readonly { mean: number; sigma: number; value: number }[],
  max: number,
  weight: number,
): ShockPosterior {
  const kept = grid
    .map((g) => ({
      ...g,
      density: Math.exp(weight * (g.value - max)) * priorOfSigma(g.sigma),
    }))
    .filter((g) => g.density >= 1e-6);
  const total = kept.reduce((s, g) => s + g.density, 0);
  let sum = 0;
  const cumulative = kept.map((g) => {
    sum += g.density / total;
    return sum;
  });
  cumulative[cumulative.length - 1] = 1;
  return { means: kept.map((g) => g.mean), sigmas: kept.map((g) => g.sigma), cumulative };
}

/** The q-quantile of one coordinate of the posterior. */
function quantileOf(posterior: ShockPosterior, values: readonly number[], q: number): number {
  const order = values.map((_, i) => i).sort((a, b) => at(values, a) - at(values, b));
  let sum = 0;
  for (const i of order) {
    sum += at(posterior.cumulative, i) - (i === 0 ? 0 : at(posterior.cumulative, i - 1));
    if (sum >= q) return at(values, i);
  }
  return at(values, order.at(-1) ?? 0);
}

/**
 * One (mean, sigma) drawn from a posterior by a uniform number in [0, 1).
 *
 * @example
 * drawShock({ means: [0], sigmas: [0.5], cumulative: [1] }, 0.3); // { mean: 0, sigma: 0.5 }
 */
export function drawShock(
  posterior: ShockPosterior,
  uniform: number,
): { readonly mean: number; readonly sigma: number } {
  let low = 0;
  let high = posterior.cumulative.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (at(posterior.cumulative, middle) > uniform) high = middle;
    else low = middle + 1;
  }
  return { mean: at(posterior.means, low), sigma: at(posterior.sigmas, low) };
}
