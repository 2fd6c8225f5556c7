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

  it('needs two windows with uncertain deals', () => {
    expect(fitPeriodShock([])).toBeNull();
    expect(fitPeriodShock([{ probabilities: [0.4], outcomes: [1] }])).toBeNull();
    expect(
      fitPeriodShock([
        { probabilities: [0.4], outcomes: [1] },
        { probabilities: [1, 0], outcomes: [1, 0] },
      ]),
    ).toBeNull();
  });

  it('recovers the mean and spread of a known shift from 40 generated periods', () => {
    const truth = { mean: -0.6, sigma: 0.8 };
    const fit = fitPeriodShock(generatedPeriods(40, 11, truth).map((p) => p.window));
    expect(fit?.windows).toBe(40);
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
    test.forEach(({ deals, actual }, i) => {
      const options = { wonSoFar: 0, runs: 400, seed: i + 1 };
      const shared = simulateRevenue(deals, { ...options, shock: fit });
      const independent = simulateRevenue(deals, options);
      if (actual >= shared.p10 && actual <= shared.p90) covered++;
      if (actual >= independent.p10 && actual <= independent.p90) coveredIndependent++;
    });
    console.info(
      `generated periods (sigma ${truth.sigma}, fitted ${JSON.stringify(fit)}): P10-P90 coverage ${covered}/100 with the factor, ${coveredIndependent}/100 independent`,
    );
    expect(covered).toBeGreaterThanOrEqual(68);
    expect(covered).toBeLessThanOrEqual(92);
    expect(coveredIndependent).toBeLessThan(50);
  });

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
