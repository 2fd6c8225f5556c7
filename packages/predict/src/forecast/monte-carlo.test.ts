import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulateRevenue } from './monte-carlo.js';
import { shockedProbability } from './period-shock.js';

describe('Monte Carlo revenue', () => {
  it('hand-worked: one certain deal, one impossible, won so far', () => {
    const result = simulateRevenue(
      [
        { amount: 500, probability: 1 },
        { amount: 900, probability: 0 },
      ],
      { wonSoFar: 100, runs: 100, quota: 600 },
    );
    expect(result).toEqual({
      runs: 100,
      expected: 600,
      p10: 600,
      p50: 600,
      p90: 600,
      quotaProbability: 1,
    });
  });

  it('the mean of many runs approaches the expected value', () => {
    const deals = Array.from({ length: 50 }, (_, i) => ({ amount: 1000 + i, probability: 0.3 }));
    const exact = deals.reduce((s, d) => s + d.amount * d.probability, 0);
    const result = simulateRevenue(deals, { wonSoFar: 0, seed: 3 });
    expect(Math.abs(result.expected - exact) / exact).toBeLessThan(0.02);
  });

  it('a fixed shift moves each deal to its shocked probability', () => {
    const deals = Array.from({ length: 50 }, (_, i) => ({ amount: 1000, probability: 0.02 * i }));
    for (const mean of [-2, 0.5, 3]) {
      const exact = deals.reduce(
        (s, d) => s + d.amount * shockedProbability(d.probability, mean),
        0,
      );
      const result = simulateRevenue(deals, { wonSoFar: 0, seed: 4, shock: { mean, sigma: 0 } });
      expect(Math.abs(result.expected - exact) / exact).toBeLessThan(0.02);
    }
  });

  const dealsArb = fc.array(
    fc.record({
      amount: fc.integer({ min: 0, max: 1_000_000 }),
      probability: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
    { maxLength: 30 },
  );

  // A posterior of (mean, sigma) on a few points, as `fitPeriodShock` gives on its grid.
  const posteriorArb = fc
    .array(
      fc.record({
        mean: fc.double({ min: -3, max: 3, noNaN: true }),
        sigma: fc.double({ min: 0, max: 3, noNaN: true }),
        weight: fc.double({ min: 0.01, max: 1, noNaN: true }),
      }),
      { minLength: 1, maxLength: 5 },
    )
    .map((points) => {
      const total = points.reduce((s, p) => s + p.weight, 0);
      let sum = 0;
      const cumulative = points.map((p) => {
        sum += p.weight / total;
        return sum;
      });
      cumulative[cumulative.length - 1] = 1;
      return { means: points.map((p) => p.mean), sigmas: points.map((p) => p.sigma), cumulative };
    });

  // None (independent deals), a shared shift of the log odds with known (mean, sigma), or one
  // whose (mean, sigma) each run draws from a posterior.
  const shockArb = fc.option(
    fc.record(
      {
        mean: fc.double({ min: -3, max: 3, noNaN: true }),
        sigma: fc.double({ min: 0, max: 3, noNaN: true }),
        posterior: posteriorArb,
      },
      { requiredKeys: ['mean', 'sigma'] },
    ),
  );

  it('P10 <= P50 <= P90, all at least the won so far, and the same seed gives the same result', () => {
    fc.assert(
      fc.property(
        dealsArb,
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer(),
        shockArb,
        (deals, won, seed, shock) => {
          const a = simulateRevenue(deals, { wonSoFar: won, runs: 200, seed, shock });
          expect(a.p10).toBeLessThanOrEqual(a.p50);
          expect(a.p50).toBeLessThanOrEqual(a.p90);
          expect(a.p10).toBeGreaterThanOrEqual(won);
          expect(a.quotaProbability).toBeNull();
          expect(simulateRevenue(deals, { wonSoFar: won, runs: 200, seed, shock })).toEqual(a);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('the quota probability is a probability, and lower for a higher quota', () => {
    fc.assert(
      fc.property(
        dealsArb,
        fc.nat(2_000_000),
        fc.nat(2_000_000),
        shockArb,
        (deals, a, b, shock) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          const options = { wonSoFar: 0, runs: 200, seed: 9, shock };
          const easy = simulateRevenue(deals, { ...options, quota: low }).quotaProbability ?? -1;
          const hard = simulateRevenue(deals, { ...options, quota: high }).quotaProbability ?? -1;
          expect(easy).toBeGreaterThanOrEqual(0);
          expect(easy).toBeLessThanOrEqual(1);
          expect(hard).toBeLessThanOrEqual(easy);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('more won deals never lower the forecast', () => {
    fc.assert(
      fc.property(
        dealsArb,
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer(),
        shockArb,
        (deals, won, extra, seed, shock) => {
          const base = simulateRevenue(deals, { wonSoFar: won, runs: 200, seed, shock });
          const more = simulateRevenue(deals, { wonSoFar: won + extra, runs: 200, seed, shock });
          expect(more.p10).toBeGreaterThanOrEqual(base.p10);
          expect(more.p50).toBeGreaterThanOrEqual(base.p50);
          expect(more.p90).toBeGreaterThanOrEqual(base.p90);
          expect(more.expected).toBeGreaterThanOrEqual(base.expected);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('closing an open deal as won never lowers the forecast, run by run', () => {
    fc.assert(
      fc.property(dealsArb, fc.nat(), fc.integer(), shockArb, (deals, index, seed, shock) => {
        fc.pre(deals.length > 0);
        const i = index % deals.length;
        const base = simulateRevenue(deals, { wonSoFar: 0, runs: 200, seed, shock });
        // Won: certain, with the same random draws (and shared shift) for every other deal.
        const won = deals.map((d, j) => (j === i ? { ...d, probability: 1 } : d));
        const more = simulateRevenue(won, { wonSoFar: 0, runs: 200, seed, shock });
        expect(more.p10).toBeGreaterThanOrEqual(base.p10);
        expect(more.p50).toBeGreaterThanOrEqual(base.p50);
        expect(more.p90).toBeGreaterThanOrEqual(base.p90);
      }),
      { numRuns: 50 },
    );
  });
});
