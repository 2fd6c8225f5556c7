import type { FeatureRow, FeatureValue } from '../features/feature-encoder.js';
import { sigmoid } from './logistic-regression.js';

/**
 * A naive Bayes model over categorical features, the method Odoo's predictive lead scoring
 * publishes: for every field value the share of won and lost leads that had it, multiplied
 * with the prior, each field treated as independent. Numbers are cut into quantile bins first.
 *
 * @example
 * const model = fitNaiveBayes(rows, labels, ['source', 'touches']);
 * predictNaiveBayes(model, rows[0]);
 */
export interface NaiveBayesModel {
  /** Log prior odds of a positive case. */
  readonly priorLogOdds: number;
  /** Per feature, the log likelihood ratio of each value, `log P(v | won) / P(v | lost)`. */
  readonly ratios: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Bin edges of numeric features (a value goes to the first edge it is below). */
  readonly bins: Readonly<Record<string, readonly number[]>>;
  /** Mean log likelihood ratio per feature over the training cases (explanations). */
  readonly meanRatios: Readonly<Record<string, number>>;
}

const unseen = '(unseen)';

/** The category a value falls in, numeric values by their bin. */
export function naiveBayesCategory(
  model: Pick<NaiveBayesModel, 'bins'>,
  feature: string,
  value: FeatureValue,
): string {
  if (value === null || value === '') return '(none)';
  const edges = model.bins[feature];
  if (edges && typeof value === 'number') {
    const index = edges.findIndex((edge) => value < edge);
    return `bin${index === -1 ? edges.length : index}`;
  }
  return String(value);
}

function quantileEdges(values: readonly number[], bins: number): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const edges = new Set<number>();
  for (let b = 1; b < bins; b++) {
    const edge = sorted[Math.floor((b * sorted.length) / bins)];
    if (edge !== undefined) edges.add(edge);
  }
  return [...edges].sort((a, b) => a - b);
}

/** Fits with Laplace smoothing (`alpha`, default 1) so an unseen combination is never 0. */
export function fitNaiveBayes(
  rows: readonly FeatureRow[],
  labels: readonly number[],
  features: readonly string[],
  alpha = 1,
): NaiveBayesModel {
  const positives = labels.reduce((s, y) => s + y, 0);
  const negatives = labels.length - positives;
  const bins: Record<string, number[]> = {};
  for (const feature of features) {
    const values = rows.map((r) => r[feature] ?? null);
    if (values.every((v) => v === null || typeof v === 'number')) {
      bins[feature] = quantileEdges(
        values.filter((v): v is number => typeof v === 'number'),
        5,
      );
    }
  }
  const ratios: Record<string, Record<string, number>> = {};
  for (const feature of features) {
    const counts = new Map<string, [number, number]>();
    rows.forEach((row, i) => {
      const category = naiveBayesCategory({ bins }, feature, row[feature] ?? null);
      const pair = counts.get(category) ?? [0, 0];
      pair[labels[i] === 1 ? 0 : 1]++;
      counts.set(category, pair);
    });
    const levels = counts.size + 1;
    const table: Record<string, number> = {};
    for (const [category, [pos, neg]] of [...counts.entries(), [unseen, [0, 0]] as const]) {
      table[category] = Math.log(
        (pos + alpha) /
          (positives + alpha * levels) /
          ((neg + alpha) / (negatives + alpha * levels)),
      );
    }
    ratios[feature] = table;
  }
  const priorLogOdds = Math.log((positives + alpha) / (negatives + alpha));
  const meanRatios: Record<string, number> = {};
  for (const feature of features) {
    let sum = 0;
    for (const row of rows) sum += naiveBayesRatio({ ratios, bins }, feature, row);
    meanRatios[feature] = rows.length > 0 ? sum / rows.length : 0;
  }
  return { priorLogOdds, ratios, bins, meanRatios };
}

/** The log likelihood ratio one feature of a row contributes. */
export function naiveBayesRatio(
  model: Pick<NaiveBayesModel, 'ratios' | 'bins'>,
  feature: string,
  row: FeatureRow,
): number {
  const table = model.ratios[feature];
  if (!table) return 0;
  const category = naiveBayesCategory(model, feature, row[feature] ?? null);
  return table[category] ?? table[unseen] ?? 0;
}

/** The posterior probability of a positive case. */
export function predictNaiveBayes(model: NaiveBayesModel, row: FeatureRow): number {
  let logOdds = model.priorLogOdds;
  for (const feature of Object.keys(model.ratios)) logOdds += naiveBayesRatio(model, feature, row);
  return sigmoid(logOdds);
}
