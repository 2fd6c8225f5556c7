import { fitSourceRates, sourceRate } from '../leads/source-rates.js';
import { at } from '../math/checked.js';
import { type ScoreMetrics, scoreMetrics } from '../math/metrics.js';
import {
  type LabelledCase,
  type ModelMethod,
  predictProbability,
  trainBinaryModel,
} from '../models/binary-model.js';

/** A labelled lead for evaluation. */
export type EvaluationLead = LabelledCase & { readonly leadSource: string | null };

/** One side of the time split. */
export interface SplitPart {
  readonly cases: number;
  readonly conversions: number;
  /** Creation time of its first and last case. */
  readonly from: string | null;
  readonly to: string | null;
}

/** The result of a time-split evaluation. */
export interface LeadEvaluation {
  /** `evaluated`, or `notEnoughHistory` when the older part has too few conversions for a model. */
  readonly status: 'evaluated' | 'notEnoughHistory';
  readonly train: SplitPart;
  readonly test: SplitPart;
  /** The model training chose (on its own newest fold), or null. */
  readonly method: ModelMethod | null;
  /** The chosen model on the test part. */
  readonly model: ScoreMetrics | null;
  /** Both candidates on the test part. */
  readonly candidates: Readonly<Record<ModelMethod, ScoreMetrics>> | null;
  /** The baseline: each lead scored with its source's conversion rate in the older part. */
  readonly baseline: ScoreMetrics;
  /** The test cases' ids and probabilities of the chosen model (or the baseline). */
  readonly predictions: readonly { readonly id: string; readonly probability: number }[];
}

function part(cases: readonly EvaluationLead[]): SplitPart {
  return {
    cases: cases.length,
    conversions: cases.reduce((s, c) => s + c.label, 0),
    from: cases[0]?.at ?? null,
    to: cases.at(-1)?.at ?? null,
  };
}

/**
 * Honest evaluation: cases sorted by creation, the older `trainShare` (default 75 %) train the
 * whole procedure (fit, calibration, choice of model), the newer rest only measure it, next to
 * the source conversion rate baseline fitted on the same older part.
 *
 * @example
 * const evaluation = evaluateLeadCases(cases);
 * evaluation.model?.auc;
 */
export function evaluateLeadCases(
  cases: readonly EvaluationLead[],
  options: { readonly trainShare?: number; readonly minConversions?: number } = {},
): LeadEvaluation {
  const ordered = [...cases].sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
  const cut = Math.floor(ordered.length * (options.trainShare ?? 0.75));
  const train = ordered.slice(0, cut);
  const test = ordered.slice(cut);
  const labels = test.map((c) => c.label);
  const rates = fitSourceRates(train);
  const baselineScores = test.map((c) => sourceRate(rates, c.leadSource).probability);
  const baseline = scoreMetrics(baselineScores, labels);
  const trainPart = part(train);
  if (trainPart.conversions < (options.minConversions ?? 100) || test.length === 0) {
    return {
      status: 'notEnoughHistory',
      train: trainPart,
      test: part(test),
      method: null,
      model: null,
      candidates: null,
      baseline,
      predictions: test.map((c, i) => ({ id: c.id, probability: at(baselineScores, i) })),
    };
  }
  const trained = trainBinaryModel(train);
  const scores = test.map((c) => predictProbability(trained.model, c.row));
  return {
    status: 'evaluated',
    train: trainPart,
    test: part(test),
    method: trained.model.method,
    model: scoreMetrics(scores, labels),
    candidates: {
      logistic: scoreMetrics(
        test.map((c) => predictProbability(trained.candidates.logistic, c.row)),
        labels,
      ),
      naiveBayes: scoreMetrics(
        test.map((c) => predictProbability(trained.candidates.naiveBayes, c.row)),
        labels,
      ),
    },
    baseline,
    predictions: test.map((c, i) => ({ id: c.id, probability: at(scores, i) })),
  };
}
