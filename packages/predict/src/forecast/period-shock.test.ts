import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../math/random.js';
import { simulateRevenue } from './monte-carlo.js';
import { fitPeriodShock, type ShockWindow, shockedProbability } from './period-shock.js';

/** Periods whose deals share a known shift z ~ N(mean, sigma²) of their log odds. */
function generatedPeriods(count: number, seed: number, truth: { mean: number; sigma: number }) {
  const random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Array.from({ length: count }, () => {
    const z = truth.mean + truth.sigma * normal();
    const deals = Array.from({ length: 200 }, () => ({
      probability: 0.05 + 0.55 * random(),
      amount: 1000 + Math.floor(random() * 9000),
    }));
    const outcomes = deals.map((d): 0 | 1 =>
      random() < shockedProbability(d.probability, z) ? 1 : 0,
    );
    const actual = deals.reduce((s, d, i) => s + (outcomes[i] === 1 ? d.amount : 0), 0);
    const window: ShockWindow = { probabilities: deals.map((d) => d.probability), outcomes };
    return { deals, window, actual };
  });
}

describe('per-period shared factor', () => {
  it('hand-worked: no shift leaves a probability alone; certain outcomes stay certain', () => {
    expect(shockedProbability(0.3, 0)).toBe(0.3);
    expect(shockedProbability(0.5, Math.log(3))).toBeCloseTo(0.75, 12);
    expect(shockedProbability(0, 5)).toBe(0);
    expect(shockedProbability(1, -5)).toBe(1);
  });

  it('needs a window with uncertain deals; one window leaves sigma wide open', () => {
    expect(fitPeriodShock([])).toBeNull();
    expect(fitPeriodShock([{ probabilities: [1, 0], outcomes: [1, 0] }])).toBeNull();
    const one = fitPeriodShock(
      generatedPeriods(1, 5, { mean: 0, sigma: 0.7 }).map((p) => p.window),
    );
    expect(one?.windows).toBe(1);
    // One period cannot tell its shift from a spread of shifts: the posterior of sigma stays
    // broad, where 40 periods pin it down (next test).
    const [low, high] = one?.sigmaRange ?? [0, 0];
    expect(high - low).toBeGreaterThan(1.5);
    expect(one?.posterior?.cumulative.at(-1)).toBe(1);
  });

  it('recovers the mean and spread of a known shift from 40 generated periods', () => {
    const truth = { mean: -0.6, sigma: 0.8 };
    const fit = fitPeriodShock(generatedPeriods(40, 11, truth).map((p) => p.window));
    expect(fit?.windows).toBe(40);
    expect((fit?.sigmaRange[1] ?? 99) - (fit?.sigmaRange[0] ?? 0)).toBeLessThan(0.5);
    expect(Math.abs((fit?.mean ?? 99) - truth.mean)).toBeLessThan(0.35);
    expect(Math.abs((fit?.sigma ?? 99) - truth.sigma)).toBeLessThan(0.3);
  });

  it('finds no spread when the periods are independent', () => {
    const fit = fitPeriodShock(
      generatedPeriods(40, 12, { mean: 0, sigma: 0 }).map((p) => p.window),
    );
    expect(fit?.sigma ?? 99).toBeLessThan(0.25);
    expect(Math.abs(fit?.mean ?? 99)).toBeLessThan(0.15);
  });

  it('held-out periods: P10-P90 covers about 80 % with the fitted factor, far less without', () => {
    const truth = { mean: 0, sigma: 0.7 };
    const fit = fitPeriodShock(generatedPeriods(40, 21, truth).map((p) => p.window));
    const test = generatedPeriods(100, 22, truth);
    let covered = 0;
    let coveredIndependent = 0;
    let width = 0;
    test.forEach(({ deals, actual }, i) => {
      const options = { wonSoFar: 0, runs: 400, seed: i + 1 };
      const shared = simulateRevenue(deals, { ...options, shock: fit });
      const independent = simulateRevenue(deals, options);
      if (actual >= shared.p10 && actual <= shared.p90) covered++;
      if (actual >= independent.p10 && actual <= independent.p90) coveredIndependent++;
      width += (shared.p90 - shared.p10) / test.length;
    });
    const { posterior, ...summary } = fit ?? { posterior: null };
    console.info(
      `generated periods (sigma ${truth.sigma}, fitted ${JSON.stringify(summary)}): P10-P90 coverage ${covered}/100 with the factor (mean width ${Math.round(width)}), ${coveredIndependent}/100 independent`,
    );
    expect(covered).toBeGreaterThanOrEqual(68);
    expect(covered).toBeLessThanOrEqual(92);
    expect(coveredIndependent).toBeLessThan(50);
  });

  it('few windows: drawing (mean, sigma) from the posterior keeps the coverage near 80 %, where the point fit falls short', () => {
    // 20 repetitions: fit on 3 generated periods, check on 10 new ones from the same process.
    const truth = { mean: 0, sigma: 0.7 };
    const tally = { posterior: 0, point: 0, checks: 0, widthPosterior: 0, widthPoint: 0 };
    for (let r = 0; r < 20; r++) {
      const fit = fitPeriodShock(generatedPeriods(3, 100 + r, truth).map((p) => p.window));
      if (!fit) throw new Error('three windows give a fit');
      const point = { mean: fit.mean, sigma: fit.sigma };
      generatedPeriods(10, 500 + r, truth).forEach(({ deals, actual }, i) => {
        const options = { wonSoFar: 0, runs: 300, seed: r * 100 + i + 1 };
        const withPosterior = simulateRevenue(deals, { ...options, shock: fit });
        const withPoint = simulateRevenue(deals, { ...options, shock: point });
        if (actual >= withPosterior.p10 && actual <= withPosterior.p90) tally.posterior++;
        if (actual >= withPoint.p10 && actual <= withPoint.p90) tally.point++;
        tally.widthPosterior += withPosterior.p90 - withPosterior.p10;
        tally.widthPoint += withPoint.p90 - withPoint.p10;
        tally.checks++;
      });
    }
    const coverage = tally.posterior / tally.checks;
    const coveragePoint = tally.point / tally.checks;
    console.info(
      `3 windows, sigma ${truth.sigma}: P10-P90 coverage ${tally.posterior}/${tally.checks} drawing from the posterior (mean width ${Math.round(tally.widthPosterior / tally.checks)}), ` +
        `${tally.point}/${tally.checks} with the point fit (mean width ${Math.round(tally.widthPoint / tally.checks)})`,
    );
    expect(coverage).toBeGreaterThan(coveragePoint);
    expect(coverage).toBeGreaterThanOrEqual(0.7);
    expect(coverage).toBeLessThanOrEqual(0.92);
  }, 120_000);

  it('probabilities stay in [0, 1] and rise with the shift', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: -20, max: 20, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        (p, z, more) => {
          const q = shockedProbability(p, z);
          expect(q).toBeGreaterThanOrEqual(0);
          expect(q).toBeLessThanOrEqual(1);
          // Up to rounding of the log odds.
          expect(shockedProbability(p, z + more)).toBeGreaterThanOrEqual(q - 1e-12);
        },
      ),
    );
  });
});
