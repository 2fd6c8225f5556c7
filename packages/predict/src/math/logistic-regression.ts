import { at } from './checked.js';

/**
 * A fitted L2-regularised logistic regression: `p = 1 / (1 + exp(-(bias + weights · x)))`.
 *
 * @example
 * const model = fitLogisticRegression([[0], [1], [2], [3]], [0, 0, 1, 1], { l2: 0.1 });
 * predictLogistic(model, [2.5]); // about 0.8
 */
export interface LogisticModel {
  /** The intercept (not regularised). */
  readonly bias: number;
  /** One weight per column of the design matrix. */
  readonly weights: readonly number[];
}

/** Options of {@link fitLogisticRegression}. */
export interface LogisticOptions {
  /** L2 penalty λ on the weights (not the bias), as in `loss + λ/2 · |w|²`; default 1. */
  readonly l2?: number;
  /** Newton steps at most; default 50. */
  readonly maxIterations?: number;
  /** Stop when no parameter moves more than this; default 1e-8. */
  readonly tolerance?: number;
  /** A weight per case (default 1 each): a case of weight 2 counts as two. */
  readonly weights?: readonly number[];
}

/** The logistic function, safe for large |z|. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** The log odds of a probability, clamped away from 0 and 1. */
export function logit(p: number): number {
  const q = Math.min(1 - 1e-12, Math.max(1e-12, p));
  return Math.log(q / (1 - q));
}

/**
 * Solves `A x = b` for a symmetric positive definite `A` (Cholesky). The Hessian of a penalised
 * log likelihood is one, so Newton's step is always defined.
 */
export function solveSymmetric(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  // The lower triangle L, row-major: L[i][k] at i * n + k.
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const row = at(a, i);
    for (let j = 0; j <= i; j++) {
      let sum = at(row, j);
      for (let k = 0; k < j; k++) sum -= at(l, i * n + k) * at(l, j * n + k);
      l[i * n + j] = i === j ? Math.sqrt(Math.max(sum, 1e-12)) : sum / at(l, j * n + j);
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = at(b, i);
    for (let k = 0; k < i; k++) sum -= at(l, i * n + k) * at(y, k);
    y[i] = sum / at(l, i * n + i);
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = at(y, i);
    for (let k = i + 1; k < n; k++) sum -= at(l, k * n + i) * at(x, k);
    x[i] = sum / at(l, i * n + i);
  }
  return Array.from(x);
}

/**
 * Fits by Newton-Raphson (iteratively reweighted least squares, Hastie et al., The Elements of
 * Statistical Learning, 4.4.1) on the penalised log likelihood. The penalty makes the problem
 * strictly convex, so it converges even when a column separates the classes perfectly.
 */
export function fitLogisticRegression(
  rows: readonly (readonly number[])[],
  labels: readonly number[],
  options: LogisticOptions = {},
): LogisticModel {
  const l2 = options.l2 ?? 1;
  const maxIterations = options.maxIterations ?? 50;
  const tolerance = options.tolerance ?? 1e-8;
  const caseWeights = options.weights;
  const columns = rows[0]?.length ?? 0;
  const size = columns + 1;
  // Parameter 0 is the bias, 1.. the weights.
  let theta = new Array<number>(size).fill(0);
  let positives = 0;
  let total = 0;
  for (let r = 0; r < rows.length; r++) {
    const w = caseWeights?.[r] ?? 1;
    positives += w * at(labels, r);
    total += w;
  }
  if (total > 0 && positives > 0 && positives < total) theta[0] = logit(positives / total);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const gradient = new Float64Array(size);
    // The Hessian, row-major; only its lower triangle is summed, then mirrored.
    const hessian = new Float64Array(size * size);
    for (let r = 0; r < rows.length; r++) {
      const x = at(rows, r);
      let z = at(theta, 0);
      for (let j = 0; j < columns; j++) z += at(theta, j + 1) * at(x, j);
      const p = sigmoid(z);
      const caseWeight = caseWeights?.[r] ?? 1;
      const residual = caseWeight * (at(labels, r) - p);
      const weight = caseWeight * Math.max(p * (1 - p), 1e-10);
      gradient[0] = at(gradient, 0) + residual;
      hessian[0] = at(hessian, 0) + weight;
      for (let j = 0; j < columns; j++) {
        const xj = at(x, j);
        if (xj === 0) continue;
        gradient[j + 1] = at(gradient, j + 1) + residual * xj;
        const wx = weight * xj;
        const rowStart = (j + 1) * size;
        hessian[rowStart] = at(hessian, rowStart) + wx;
        for (let k = 0; k <= j; k++) {
          const xk = at(x, k);
          if (xk !== 0) hessian[rowStart + k + 1] = at(hessian, rowStart + k + 1) + wx * xk;
        }
      }
    }
    for (let j = 1; j < size; j++) {
      gradient[j] = at(gradient, j) - l2 * at(theta, j);
      hessian[j * size + j] = at(hessian, j * size + j) + l2;
    }
    // A tiny ridge on the bias keeps an all-one-class sample solvable.
    hessian[0] = at(hessian, 0) + 1e-9;
    const matrix = Array.from({ length: size }, (_, i) =>
      Array.from({ length: size }, (_, j) => at(hessian, i >= j ? i * size + j : j * size + i)),
    );
    const step = solveSymmetric(matrix, Array.from(gradient));
    theta = theta.map((value, j) => value + at(step, j));
    if (step.every((s) => Math.abs(s) < tolerance)) break;
  }
  return { bias: at(theta, 0), weights: theta.slice(1) };
}

/** The linear predictor (log odds) of one row. */
export function logisticLogOdds(model: LogisticModel, x: readonly number[]): number {
  let z = model.bias;
  for (let j = 0; j < model.weights.length; j++) z += at(model.weights, j) * (x[j] ?? 0);
  return z;
}

/** The probability of the positive class for one row. */
export function predictLogistic(model: LogisticModel, x: readonly number[]): number {
  return sigmoid(logisticLogOdds(model, x));
}
