import { at } from './checked.js';
import { fitLogisticRegression, logit, sigmoid } from './logistic-regression.js';

/**
 * Platt scaling: `p' = sigmoid(a · logit(p) + b)`, fitted on cases the model was not trained on
 * (Platt 1999, "Probabilistic outputs for support vector machines"). It fixes a model that is
 * over- or under-confident or off in its base rate, without changing the order of scores.
 *
 * @example
 * const scaling = fitPlattScaling([0.9, 0.8, 0.1], [1, 0, 0]);
 * applyPlattScaling(scaling, 0.7);
 */
export interface PlattScaling {
  /** Slope on the log odds. */
  readonly a: number;
  /** Shift of the log odds. */
  readonly b: number;
}

/** The identity scaling. */
export const noScaling: PlattScaling = { a: 1, b: 0 };

/**
 * Fits `a` and `b` by maximum likelihood with Platt's smoothed targets
 * (`(N+ + 1) / (N+ + 2)` and `1 / (N- + 2)`), which keep a small calibration set from pushing
 * probabilities to 0 or 1.
 */
export function fitPlattScaling(
  scores: readonly number[],
  labels: readonly number[],
): PlattScaling {
  const positives = labels.reduce((sum, y) => sum + y, 0);
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return noScaling;
  const high = (positives + 1) / (positives + 2);
  const low = 1 / (negatives + 2);
  // Soft targets as two weighted copies of each case: a target t is t of a 1 and (1 - t) of a 0.
  const rows: number[][] = [];
  const targets: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    const t = labels[i] === 1 ? high : low;
    const x = logit(at(scores, i));
    rows.push([x], [x]);
    targets.push(1, 0);
    weights.push(t, 1 - t);
  }
  const model = fitLogisticRegression(rows, targets, { l2: 1e-6, weights });
  return { a: model.weights[0] ?? 1, b: model.bias };
}

/** A calibrated probability. */
export function applyPlattScaling(scaling: PlattScaling, p: number): number {
  return sigmoid(scaling.a * logit(p) + scaling.b);
}
