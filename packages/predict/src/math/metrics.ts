import { at } from './checked.js';

/**
 * Quality measures of probabilities against outcomes (1 = happened, 0 = did not).
 *
 * @example
 * rocAuc([0.9, 0.2], [1, 0]); // 1
 */

const epsilon = 1e-15;

/**
 * Area under the ROC curve: the probability that a random positive is scored above a random
 * negative, ties counted half (the Mann-Whitney U statistic, Hanley & McNeil 1982). Null without
 * both classes.
 */
export function rocAuc(scores: readonly number[], labels: readonly number[]): number | null {
  const order = scores.map((score, index) => ({ score, label: at(labels, index) }));
  order.sort((a, b) => a.score - b.score);
  let positives = 0;
  let rankSum = 0;
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && at(order, j + 1).score === at(order, i).score) j++;
    // Tied scores share the mean of their ranks (1-based).
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (at(order, k).label === 1) {
        positives++;
        rankSum += rank;
      }
    }
    i = j + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return null;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean negative log likelihood (natural log), probabilities clamped to [1e-15, 1 - 1e-15]. */
export function logLoss(scores: readonly number[], labels: readonly number[]): number | null {
  if (scores.length === 0) return null;
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    const p = Math.min(1 - epsilon, Math.max(epsilon, at(scores, i)));
    sum += labels[i] === 1 ? -Math.log(p) : -Math.log(1 - p);
  }
  return sum / scores.length;
}

/** Brier score: mean squared difference between probability and outcome (Brier 1950). */
export function brierScore(scores: readonly number[], labels: readonly number[]): number | null {
  if (scores.length === 0) return null;
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += (at(scores, i) - at(labels, i)) ** 2;
  return sum / scores.length;
}

/** One bin of a calibration table. */
export interface CalibrationBin {
  /** 1 for the lowest-scored tenth, 10 for the highest. */
  readonly bin: number;
  /** How many cases. */
  readonly count: number;
  /** Mean predicted probability. */
  readonly predicted: number;
  /** Share that happened. */
  readonly observed: number;
}

/**
 * The calibration table by deciles of the score: cases sorted by score and cut into `bins`
 * groups of (nearly) equal size; per group the mean prediction and the observed rate.
 */
export function calibrationTable(
  scores: readonly number[],
  labels: readonly number[],
  bins = 10,
): CalibrationBin[] {
  const order = scores.map((score, index) => ({ score, label: at(labels, index) }));
  order.sort((a, b) => a.score - b.score);
  const table: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const from = Math.floor((b * order.length) / bins);
    const to = Math.floor(((b + 1) * order.length) / bins);
    if (to <= from) continue;
    let predicted = 0;
    let observed = 0;
    for (let i = from; i < to; i++) {
      predicted += at(order, i).score;
      observed += at(order, i).label;
    }
    const count = to - from;
    table.push({ bin: b + 1, count, predicted: predicted / count, observed: observed / count });
  }
  return table;
}

/**
 * Expected calibration error over decile bins: the count-weighted mean of |predicted - observed|
 * (Naeini, Cooper & Hauskrecht 2015). `observed` may be outcomes or, on generated data, the true
 * probabilities.
 */
export function expectedCalibrationError(
  scores: readonly number[],
  observed: readonly number[],
  bins = 10,
): number | null {
  if (scores.length === 0) return null;
  const table = calibrationTable(scores, observed, bins);
  let sum = 0;
  for (const bin of table) sum += bin.count * Math.abs(bin.predicted - bin.observed);
  return sum / scores.length;
}

/** The quality figures of a set of probabilities on held-back cases. */
export interface ScoreMetrics {
  /** How many cases. */
  readonly cases: number;
  /** How many happened. */
  readonly positives: number;
  /** {@link rocAuc}. */
  readonly auc: number | null;
  /** {@link logLoss}. */
  readonly logLoss: number | null;
  /** {@link brierScore}. */
  readonly brier: number | null;
  /** {@link expectedCalibrationError} against the outcomes. */
  readonly ece: number | null;
  /** {@link calibrationTable} by deciles. */
  readonly calibration: readonly CalibrationBin[];
}

/** Every figure of {@link ScoreMetrics} at once. */
export function scoreMetrics(scores: readonly number[], labels: readonly number[]): ScoreMetrics {
  return {
    cases: scores.length,
    positives: labels.reduce((sum, y) => sum + y, 0),
    auc: rocAuc(scores, labels),
    logLoss: logLoss(scores, labels),
    brier: brierScore(scores, labels),
    ece: expectedCalibrationError(scores, labels),
    calibration: calibrationTable(scores, labels),
  };
}
