import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fitLogisticRegression,
  predictLogistic,
  sigmoid,
  solveSymmetric,
} from './logistic-regression.js';
import { applyPlattScaling, fitPlattScaling } from './platt-scaling.js';
import { seededRandom } from './random.js';

describe('logistic regression', () => {
  it('solves a 2x2 system', () => {
    expect(
      solveSymmetric(
        [
          [4, 2],
          [2, 3],
        ],
        [2, 1],
      ).map((x) => Number(x.toFixed(10))),
    ).toEqual([0.5, 0]);
  });

  it('without features the bias is the log odds of the base rate', () => {
    const model = fitLogisticRegression([[], [], [], []], [1, 0, 0, 0], { l2: 1 });
    expect(sigmoid(model.bias)).toBeCloseTo(0.25, 9);
  });

  it('recovers known coefficients from generated data', () => {
    const random = seededRandom(7);
    const rows: number[][] = [];
    const labels: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const x = [random() * 4 - 2, random() < 0.5 ? 1 : 0];
      rows.push(x);
      labels.push(random() < sigmoid(-0.5 + 1.5 * x[0]! - 1 * x[1]!) ? 1 : 0);
    }
    const model = fitLogisticRegression(rows, labels, { l2: 0.01 });
    expect(model.bias).toBeCloseTo(-0.5, 0);
    expect(model.weights[0]).toBeCloseTo(1.5, 0);
    expect(model.weights[1]).toBeCloseTo(-1, 0);
  });

  it('stays finite when a feature separates the classes', () => {
    const model = fitLogisticRegression([[0], [0], [1], [1]], [0, 0, 1, 1], { l2: 0.1 });
    expect(Number.isFinite(model.weights[0])).toBe(true);
    expect(predictLogistic(model, [1])).toBeGreaterThan(0.8);
  });

  it('predictions are probabilities for any weights and rows', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 1, maxLength: 5 }),
        fc.double({ min: -50, max: 50, noNaN: true }),
        (weights, bias) => {
          const p = predictLogistic(
            { bias, weights },
            weights.map(() => 3),
          );
          expect(p).toBeGreaterThanOrEqual(0);
          expect(p).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});

describe('Platt scaling', () => {
  it('pulls over-confident scores back to the observed rate', () => {
    // Scores say 0.9, but only half of these cases happen.
    const scores = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 0.9 : 0.1));
    const labels = scores.map((s, i) => (s === 0.9 ? (i % 4 === 0 ? 1 : 0) : 0));
    const scaling = fitPlattScaling(scores, labels);
    expect(applyPlattScaling(scaling, 0.9)).toBeCloseTo(0.5, 1);
    expect(applyPlattScaling(scaling, 0.1)).toBeLessThan(0.05);
  });
});
