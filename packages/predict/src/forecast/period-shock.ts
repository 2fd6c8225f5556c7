import { at } from '../math/checked.js';
import { logit } from '../math/logistic-regression.js';

/**
 * A past window replayed: the in-period probabilities the forecast gave the deals open at its
 * start, and whether each was then won inside it (1) or not (0).
 */
export interface ShockWindow {
  readonly probabilities: readonly number[];
  readonly outcomes: readonly (0 | 1)[];
}

/**
 * The fitted shared factor of a period: in each period every deal's log odds move by the same
 * z ~ N(mean, sigma²).
 */
export interface PeriodShock {
  /** The typical shift: how far the forecast's log odds were off on average in past windows. */
  readonly mean: number;
  /** Its spread from period to period. */
  readonly sigma: number;
  /** Past windows it was fitted on. */
  readonly windows: number;
  /** Deals in them (those with a probability strictly between 0 and 1). */
  readonly deals: number;
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
  const x = logit(p) + z;
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
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
 * average; sigma = 0 is independence. The fit searches mean -4..4 and sigma 0..3 in steps of 0.1,
 * z integrated out by quadrature. Deals with a certain probability (0 or 1) carry no
 * information and are left out. Null without at least two windows.
 *
 * @example
 * fitPeriodShock([
 *   { probabilities: [0.2, 0.5], outcomes: [0, 1] },
 *   { probabilities: [0.6, 0.3], outcomes: [0, 0] },
 * ])?.sigma;
 */
export function fitPeriodShock(windows: readonly ShockWindow[]): PeriodShock | null {
  const tables = windows
    .map(tabulated)
    .filter((t): t is NonNullable<ReturnType<typeof tabulate>> => t !== null);
  if (tables.length < 2) return null;
  let best = { mean: 0, sigma: 0, value: Number.NEGATIVE_INFINITY };
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
      if (value > best.value) best = { mean, sigma, value };
    }
  }
  return {
    mean: best.mean,
    sigma: best.sigma,
    windows: tables.length,
    deals: tables.reduce((s, t) => s + t.deals, 0),
  };
}
