import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  brierScore,
  calibrationTable,
  expectedCalibrationError,
  logLoss,
  rocAuc,
} from './metrics.js';

describe('metrics, hand-worked', () => {
  it('AUC counts the pairs ranked right, ties half', () => {
    // Pairs (pos, neg): (0.8, 0.3) right, (0.8, 0.5) right, (0.4, 0.3) right, (0.4, 0.5) wrong.
    expect(rocAuc([0.8, 0.4, 0.3, 0.5], [1, 1, 0, 0])).toBe(0.75);
    expect(rocAuc([0.5, 0.5], [1, 0])).toBe(0.5);
    expect(rocAuc([0.5, 0.7], [1, 1])).toBeNull();
  });

  it('log loss and Brier of two cases', () => {
    expect(logLoss([0.5, 0.5], [1, 0])).toBeCloseTo(Math.log(2), 12);
    expect(logLoss([0.8, 0.25], [1, 0])).toBeCloseTo((-Math.log(0.8) - Math.log(0.75)) / 2, 12);
    expect(brierScore([0.8, 0.25], [1, 0])).toBeCloseTo((0.04 + 0.0625) / 2, 12);
  });

  it('the calibration table cuts sorted scores into equal groups', () => {
    const table = calibrationTable([0.1, 0.9, 0.2, 0.8], [0, 1, 1, 1], 2);
    expect(table).toEqual([
      { bin: 1, count: 2, predicted: 0.15000000000000002, observed: 0.5 },
      { bin: 2, count: 2, predicted: 0.8500000000000001, observed: 1 },
    ]);
    expect(expectedCalibrationError([0.1, 0.9, 0.2, 0.8], [0, 1, 1, 1], 2)).toBeCloseTo(
      (2 * 0.35 + 2 * 0.15) / 4,
      12,
    );
  });
});

describe('metrics, properties', () => {
  const cases = fc
    .array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean()), { minLength: 1 })
    .map((pairs) => ({ scores: pairs.map((p) => p[0]), labels: pairs.map((p) => (p[1] ? 1 : 0)) }));

  it('AUC, Brier and ECE stay in [0, 1]; log loss is not negative', () => {
    fc.assert(
      fc.property(cases, ({ scores, labels }) => {
        const auc = rocAuc(scores, labels);
        if (auc !== null) expect(auc).toBeGreaterThanOrEqual(0);
        if (auc !== null) expect(auc).toBeLessThanOrEqual(1);
        expect(brierScore(scores, labels)).toBeLessThanOrEqual(1);
        expect(expectedCalibrationError(scores, labels)).toBeLessThanOrEqual(1);
        expect(logLoss(scores, labels)).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('reversing the scores mirrors the AUC', () => {
    fc.assert(
      fc.property(cases, ({ scores, labels }) => {
        const auc = rocAuc(scores, labels);
        const reversed = rocAuc(
          scores.map((s) => -s),
          labels,
        );
        if (auc === null) expect(reversed).toBeNull();
        else expect(reversed).toBeCloseTo(1 - auc, 9);
      }),
    );
  });
});
