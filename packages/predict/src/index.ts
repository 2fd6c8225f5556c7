/**
 * `@rapport/predict`: lead scores, deal win probabilities, a Monte Carlo forecast with a range,
 * and plan realism, learned from the tenant's own history and explained.
 *
 * @packageDocumentation
 */

export {
  closeWithin,
  type DealContext,
  dealContext,
  typicalRemaining,
} from './deals/deal-context.js';
export {
  type DealModel,
  type DealModelOptions,
  dealFeatures,
  trainDealModel,
  type WinProbability,
  winProbability,
} from './deals/deal-model.js';
export {
  type DayNumber,
  type DealHistory,
  type DealState,
  type DealTimeline,
  dayNumber,
  dayString,
  dealStateAt,
  loadDealHistory,
} from './deals/deal-timeline.js';
export {
  type EvaluationLead,
  evaluateLeadCases,
  type LeadEvaluation,
  type SplitPart,
} from './evaluation/lead-evaluation.js';
export { type SyntheticLead, syntheticLeads } from './evaluation/synthetic-leads.js';
export type { FeatureRow, FeatureValue } from './features/feature-encoder.js';
export { type Backtest, type BacktestPeriod, backtest } from './forecast/backtest.js';
export {
  type RevenueDistribution,
  type SimulatedDeal,
  type SimulationOptions,
  simulateRevenue,
} from './forecast/monte-carlo.js';
export {
  drawShock,
  fitPeriodShock,
  type PeriodShock,
  type PeriodShockSummary,
  type ShockFitOptions,
  type ShockPosterior,
  type ShockWindow,
  shockedProbability,
} from './forecast/period-shock.js';
export {
  type ForecastBreakdown,
  type ForecastCategories,
  type ForecastDeal,
  type ForecastFigures,
  type ForecastOptions,
  forecastDay,
  forecastPeriod,
  type PeriodForecast,
  periodShock,
} from './forecast/pipeline-forecast.js';
export {
  backtestForecast,
  type ForecastDealView,
  type ForecastGroup,
  forecast,
  maxForecastOwners,
  type ScopeForecast,
  type ScopeForecastOptions,
} from './forecast/scope-forecast.js';
export {
  historyDigest,
  type TrainedForecast,
  type TrainedForecastMetrics,
  trainedForecast,
} from './forecast/trained-forecast.js';
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
export { separatingFeatures } from './models/separating-features.js';
export { type DealRisk, dealRisks, describeRisk, type RiskThresholds } from './plan/deal-risks.js';
export { predictKpiPlugin, predictKpis, predictPlugin } from './plugin/predict-plugin.js';
export { evaluateLeadModel, type PredictService, predict } from './predict.js';
export type { LeadScore } from './store/score-store.js';
