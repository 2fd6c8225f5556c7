import {
  encodedValue,
  encodeRow,
  type FeatureEncoder,
  type FeatureRow,
  type FeatureValue,
  fitEncoder,
} from '../features/feature-encoder.js';
import {
  fitLogisticRegression,
  type LogisticModel,
  logisticLogOdds,
  sigmoid,
} from '../math/logistic-regression.js';
import { logLoss, type ScoreMetrics, scoreMetrics } from '../math/metrics.js';
import {
  fitNaiveBayes,
  type NaiveBayesModel,
  naiveBayesCategory,
  naiveBayesRatio,
  predictNaiveBayes,
} from '../math/naive-bayes.js';
import { applyPlattScaling, fitPlattScaling, type PlattScaling } from '../math/platt-scaling.js';

/** One case to learn from: its features, when it was made (for the time split) and its outcome. */
export interface LabelledCase {
  /** Record id. */
  readonly id: string;
  /** ISO time the case starts (lead or deal creation): the split is by this. */
  readonly at: string;
  /** Features known at scoring time. */
  readonly row: FeatureRow;
  /** 1 when it converted or was won, 0 when not. */
  readonly label: 0 | 1;
}

/** The two model families compared. */
export type ModelMethod = 'logistic' | 'naiveBayes';

/** A trained, calibrated model (plain JSON, stored per tenant). */
export type BinaryModel =
  | {
      readonly method: 'logistic';
      readonly encoder: FeatureEncoder;
      readonly logistic: LogisticModel;
      readonly l2: number;
      readonly scaling: PlattScaling;
    }
  | {
      readonly method: 'naiveBayes';
      readonly naiveBayes: NaiveBayesModel;
      readonly scaling: PlattScaling;
    };

/** What training found: the chosen model and both candidates' figures on the selection fold. */
export interface TrainedBinaryModel {
  readonly model: BinaryModel;
  /** Both candidates, calibrated (the chosen one is `model`). */
  readonly candidates: Readonly<Record<ModelMethod, BinaryModel>>;
  /** Figures of each candidate on the newest fold (not used for fitting or calibration). */
  readonly selection: Readonly<Record<ModelMethod, ScoreMetrics>>;
  /** Cases in the fit, calibration and selection folds. */
  readonly folds: { readonly fit: number; readonly calibrate: number; readonly select: number };
}

/** One factor that moved a score, in log odds against an average case. */
export interface ScoreFactor {
  /** The feature's name. */
  readonly feature: string;
  /** Its value as the model saw it (a category, `(other)`, or a number). */
  readonly value: FeatureValue;
  /** Change of the log odds against an average case: positive raises the probability. */
  readonly effect: number;
}

function uncalibrated(model: BinaryModel, row: FeatureRow): number {
  if (model.method === 'logistic')
    return sigmoid(logisticLogOdds(model.logistic, encodeRow(model.encoder, row)));
  return predictNaiveBayes(model.naiveBayes, row);
}

/** The calibrated probability of a case. */
export function predictProbability(model: BinaryModel, row: FeatureRow): number {
  return applyPlattScaling(model.scaling, uncalibrated(model, row));
}

/**
 * The factors that moved a score most, largest first: for logistic regression the weight times
 * (value - training mean) summed over a feature's columns; for naive Bayes the value's log
 * likelihood ratio minus its training mean. Both are scaled by the calibration slope, so they
 * add up (with the average case) to the calibrated log odds.
 */
export function explainScore(model: BinaryModel, row: FeatureRow, top = 3): ScoreFactor[] {
  const effects = new Map<string, number>();
  if (model.method === 'logistic') {
    const x = encodeRow(model.encoder, row);
    model.encoder.columns.forEach((column, j) => {
      const effect = (model.logistic.weights[j] ?? 0) * ((x[j] ?? 0) - column.mean);
      effects.set(column.feature, (effects.get(column.feature) ?? 0) + effect);
    });
  } else {
    for (const feature of Object.keys(model.naiveBayes.ratios)) {
      const effect =
        naiveBayesRatio(model.naiveBayes, feature, row) -
        (model.naiveBayes.meanRatios[feature] ?? 0);
      effects.set(feature, effect);
    }
  }
  return [...effects.entries()]
    .map(([feature, effect]) => ({
      feature,
      value:
        model.method === 'logistic'
          ? encodedValue(model.encoder, feature, row)
          : typeof row[feature] === 'number'
            ? (row[feature] ?? null)
            : naiveBayesCategory(model.naiveBayes, feature, row[feature] ?? null),
      effect: effect * model.scaling.a,
    }))
    .filter((f) => Math.abs(f.effect) > 1e-6)
    .sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect) || a.feature.localeCompare(b.feature))
    .slice(0, top);
}

/** Options of {@link trainBinaryModel}. */
export interface TrainOptions {
  /** L2 penalties tried for logistic regression (the best on the calibration fold wins). */
  readonly l2Grid?: readonly number[];
  /** Minimum cases per category for its own one-hot column; default 5. */
  readonly minCategoryCount?: number;
}

function fitLogistic(
  fit: readonly LabelledCase[],
  calibrate: readonly LabelledCase[],
  options: TrainOptions,
): BinaryModel {
  const encoder = fitEncoder(
    fit.map((c) => c.row),
    { minCount: options.minCategoryCount ?? 5 },
  );
  const x = fit.map((c) => encodeRow(encoder, c.row));
  const y = fit.map((c) => c.label);
  const xCalibrate = calibrate.map((c) => encodeRow(encoder, c.row));
  const yCalibrate = calibrate.map((c) => c.label);
  let best: { model: LogisticModel; l2: number; loss: number } | undefined;
  for (const l2 of options.l2Grid ?? [0.3, 3, 30]) {
    const model = fitLogisticRegression(x, y, { l2 });
    const loss =
      logLoss(
        xCalibrate.map((row) => sigmoid(logisticLogOdds(model, row))),
        yCalibrate,
      ) ?? Number.POSITIVE_INFINITY;
    if (!best || loss < best.loss) best = { model, l2, loss };
  }
  const chosen = best ?? { model: fitLogisticRegression(x, y), l2: 1, loss: 0 };
  const raw = xCalibrate.map((row) => sigmoid(logisticLogOdds(chosen.model, row)));
  return {
    method: 'logistic',
    encoder,
    logistic: chosen.model,
    l2: chosen.l2,
    scaling: fitPlattScaling(raw, yCalibrate),
  };
}

function fitBayes(fit: readonly LabelledCase[], calibrate: readonly LabelledCase[]): BinaryModel {
  const features = [...new Set(fit.flatMap((c) => Object.keys(c.row)))].sort();
  const naiveBayes = fitNaiveBayes(
    fit.map((c) => c.row),
    fit.map((c) => c.label),
    features,
  );
  const raw = calibrate.map((c) => predictNaiveBayes(naiveBayes, c.row));
  return {
    method: 'naiveBayes',
    naiveBayes,
    scaling: fitPlattScaling(
      raw,
      calibrate.map((c) => c.label),
    ),
  };
}

/**
 * Trains both candidates on cases ordered by time: the oldest 70 % fit, the next 15 % calibrate
 * (Platt scaling; for logistic regression also the choice of L2 penalty), the newest 15 % choose
 * the winner by log loss. Every fold is later in time than the one before, as scoring new cases
 * is.
 */
export function trainBinaryModel(
  cases: readonly LabelledCase[],
  options: TrainOptions = {},
): TrainedBinaryModel {
  const ordered = [...cases].sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
  const fitEnd = Math.floor(ordered.length * 0.7);
  const calibrateEnd = Math.floor(ordered.length * 0.85);
  const fit = ordered.slice(0, fitEnd);
  const calibrate = ordered.slice(fitEnd, calibrateEnd);
  const select = ordered.slice(calibrateEnd);
  const candidates: Record<ModelMethod, BinaryModel> = {
    logistic: fitLogistic(fit, calibrate, options),
    naiveBayes: fitBayes(fit, calibrate),
  };
  const labels = select.map((c) => c.label);
  const selection = {
    logistic: scoreMetrics(
      select.map((c) => predictProbability(candidates.logistic, c.row)),
      labels,
    ),
    naiveBayes: scoreMetrics(
      select.map((c) => predictProbability(candidates.naiveBayes, c.row)),
      labels,
    ),
  };
  const method: ModelMethod =
    (selection.naiveBayes.logLoss ?? Number.POSITIVE_INFINITY) <
    (selection.logistic.logLoss ?? Number.POSITIVE_INFINITY)
      ? 'naiveBayes'
      : 'logistic';
  return {
    model: candidates[method],
    candidates,
    selection,
    folds: { fit: fit.length, calibrate: calibrate.length, select: select.length },
  };
}
