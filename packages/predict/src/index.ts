/**
 * `@rapport/predict`: lead scores, deal win probabilities, a Monte Carlo forecast with a range,
 * and plan realism, learned from the tenant's own history and explained.
 *
 * @packageDocumentation
 */
export {
  type EvaluationLead,
  evaluateLeadCases,
  type LeadEvaluation,
  type SplitPart,
} from './evaluation/lead-evaluation.js';
export { type SyntheticLead, syntheticLeads } from './evaluation/synthetic-leads.js';
export type { FeatureRow, FeatureValue } from './features/feature-encoder.js';
export { type LeadCase, type LeadCaseOptions, loadLeadCases } from './leads/lead-cases.js';
export { describeFactor, type ExplanationLanguage, featureLabel } from './leads/lead-explain.js';
export {
  type LeadModel,
  type LeadModelOptions,
  type LeadScoringResult,
  type LeadTrainingMetrics,
  type LeadTrainingResult,
  scoreLeads,
  trainLeadModel,
} from './leads/lead-scoring.js';
export { type SourceRate, type SourceRates, sourceRate } from './leads/source-rates.js';
export {
  brierScore,
  type CalibrationBin,
  calibrationTable,
  expectedCalibrationError,
  logLoss,
  rocAuc,
  type ScoreMetrics,
  scoreMetrics,
} from './math/metrics.js';
export { seededRandom } from './math/random.js';
export type { BinaryModel, ModelMethod, ScoreFactor } from './models/binary-model.js';
export { predictKpis, predictPlugin } from './plugin/predict-plugin.js';
export { evaluateLeadModel, type PredictService, predict } from './predict.js';
export type { LeadScore } from './store/score-store.js';
