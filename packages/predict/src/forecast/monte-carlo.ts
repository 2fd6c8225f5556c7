import { at } from '../math/checked.js';
import { quantileOfSorted, seededRandom } from '../math/random.js';
import { drawShock, type ShockPosterior } from './period-shock.js';

/** An open deal as the simulation sees it. */
export interface SimulatedDeal {
  /** Amount in minor units of the base currency. */
  readonly amount: number;
  /** Probability that it is won and closes inside the period. */
  readonly probability: number;
}

/** Options of {@link simulateRevenue}. */
export interface SimulationOptions {
  /** Won so far in the period (certain). */
  readonly wonSoFar: number;
  /** Totals of new deals won within comparable past periods: one is drawn per run (none: 0). */
  readonly newBusiness?: readonly number[];
  /** Runs; default 10,000. */
  readonly runs?: number;
  /** Seed of the pseudo-random generator; default 1. */
  readonly seed?: number;
  /**
   * A shift shared by every deal's log odds within a run, z ~ N(mean, sigma²): a period's common
   * fortune (see `fitPeriodShock`). With a `posterior`, each run first draws its (mean, sigma)
   * from it, so the uncertainty of the fit widens the range. None: deals are independent.
   */
  readonly shock?: {
    readonly mean: number;
    readonly sigma: number;
    readonly posterior?: ShockPosterior;
  } | null;
  /** A target: the share of runs at or above it is returned. */
  readonly quota?: number | null;
}

/** The distribution of simulated revenue. */
export interface RevenueDistribution {
  readonly runs: number;
  readonly expected: number;
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
  /** Share of runs reaching the quota; null without one. */
  readonly quotaProbability: number | null;
}

/**
 * Monte Carlo: each run draws one shared shift z ~ N(mean, sigma²) of the log odds (with a
 * `shock`; (mean, sigma) first drawn from its posterior when it has one), every open deal's outcome (won inside the period with its probability moved by z,
 * else nothing) and one new-business total, and adds the won so far. Seeded, so the same input
 * gives the same distribution. Without a shock, deals are independent of each other.
 *
 * @example
 * simulateRevenue([{ amount: 1000, probability: 0.5 }], { wonSoFar: 0, seed: 7 }).p50;
 */
export function simulateRevenue(
  deals: readonly SimulatedDeal[],
  options: SimulationOptions,
): RevenueDistribution {
  const runs = options.runs ?? 10_000;
  const random = seededRandom(options.seed ?? 1);
  const totals = new Float64Array(runs);
  const newBusiness = options.newBusiness ?? [];
  const shock = options.shock ?? null;
  // Typed arrays: the inner loops below run deals x runs times (10,000 x thousands).
  const amounts = Float64Array.from(deals, (d) => d.amount);
  const probabilities = Float64Array.from(deals, (d) => d.probability);
  // sigmoid(logit p + z) = 1 / (1 + odds against × e^-z): the odds against once per deal and
  // e^-z once per run, so the shocked loop has no exp per deal and run.
  const against = probabilities.map((p) => (1 - p) / p);
  for (let run = 0; run < runs; run++) {
    let total = options.wonSoFar;
    if (newBusiness.length > 0) total += at(newBusiness, Math.floor(random() * newBusiness.length));
    if (shock) {
      // The same uniforms per run whatever the deals (one for the posterior draw, two for
      // Box-Muller), so runs stay aligned across inputs.
      const { mean, sigma } = shock.posterior ? drawShock(shock.posterior, random()) : shock;
      const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      const z = mean + sigma * normal;
      const shrink = Math.exp(-z);
      for (let i = 0; i < amounts.length; i++) {
        const p = probabilities[i] ?? 0;
        // shockedProbability(p, z); certain deals stay certain.
        const shocked = p <= 0 || p >= 1 || z === 0 ? p : 1 / (1 + (against[i] ?? 0) * shrink);
        if (random() < shocked) total += amounts[i] ?? 0;
      }
    } else {
      for (let i = 0; i < amounts.length; i++)
        if (random() < (probabilities[i] ?? 0)) total += amounts[i] ?? 0;
    }
    totals[run] = total;
  }
  const sorted = Array.from(totals).sort((a, b) => a - b);
  const expected = sorted.reduce((s, v) => s + v, 0) / Math.max(1, runs);
  const quota = options.quota ?? null;
  return {
    runs,
    expected,
    p10: quantileOfSorted(sorted, 0.1),
    p50: quantileOfSorted(sorted, 0.5),
    p90: quantileOfSorted(sorted, 0.9),
    quotaProbability:
      quota === null ? null : sorted.filter((v) => v >= quota).length / Math.max(1, runs),
  };
}
