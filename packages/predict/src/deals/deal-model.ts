import type { FeatureRow } from '../features/feature-encoder.js';
import type { ScoreMetrics } from '../math/metrics.js';
import {
  type BinaryModel,
  explainScore,
  type LabelledCase,
  predictProbability,
  type ScoreFactor,
  trainBinaryModel,
} from '../models/binary-model.js';
import { separatingFeatures, withoutFeatures } from '../models/separating-features.js';
import { type DealContext, dealContext } from './deal-context.js';
import {
  type DayNumber,
  type DealHistory,
  type DealState,
  type DealTimeline,
  dayString,
  dealStateAt,
} from './deal-timeline.js';

/** A smoothed rate: two pseudo-deals at the overall rate, and the deal itself left out. */
function smoothedRate(
  entry: { readonly won: number; readonly closed: number } | undefined,
  overall: number,
  self: 0 | 1 | null,
): number | null {
  if (!entry) return null;
  const won = entry.won - (self ?? 0);
  const closed = entry.closed - (self === null ? 0 : 1);
  return (won + 2 * overall) / (closed + 2);
}

/**
 * The features of a deal on a day: stage, days in it against won deals' median, days to the close
 * date, amount against the owner's median won deal, days since the last activity, the owner's and
 * the product's win rates, how often the close date moved out, and the deal's age.
 */
export function dealFeatures(
  deal: DealTimeline,
  state: DealState,
  context: DealContext,
  day: DayNumber,
  self: 0 | 1 | null = null,
): FeatureRow {
  const daysInStage = day - state.stageSince;
  const norm = context.wonStageDays.get(state.stage);
  const typical = context.ownerWonAmount.get(deal.ownerId) ?? context.wonAmount;
  return {
    stage: state.stage,
    daysInStage,
    stageAgeRatio: norm ? daysInStage / norm : null,
    age: day - deal.openDay,
    daysToClose: state.closeDay === null ? null : state.closeDay - day,
    amountRatio: typical && state.recordedAmount !== null ? state.recordedAmount / typical : null,
    daysSinceActivity: state.lastActivity === null ? null : day - state.lastActivity,
    ownerWinRate: smoothedRate(context.ownerRecord.get(deal.ownerId), context.winRate, self),
    productWinRate:
      deal.productId === null
        ? null
        : smoothedRate(context.productRecord.get(deal.productId), context.winRate, self),
    closeDateSlips: state.slips,
  };
}

/** The deal model as of a day: learned, or the stage default with too little history. */
export interface DealModel {
  readonly asOf: string;
  readonly model: BinaryModel | null;
  readonly wins: number;
  readonly losses: number;
  /** Both candidates on the newest fold of the closed deals; null for the fallback. */
  readonly selection: Readonly<Record<string, ScoreMetrics>> | null;
  /**
   * Features left out of the fit because alone they split won from lost completely (a value
   * the outcome wrote, see `separatingFeatures`); absent in models stored before the check.
   */
  readonly leftOut?: readonly string[];
}

/** Options of {@link trainDealModel}. */
export interface DealModelOptions {
  /** Fewer won or lost deals than this before the day gives the stage default; default 50. */
  readonly minClosedEach?: number;
}

/**
 * Learns win probabilities from the deals closed before `day`, each seen at the middle of its life
 * (its state then, from stage history), so the model learns from the situations open deals are in.
 */
export function trainDealModel(
  history: DealHistory,
  day: DayNumber,
  options: DealModelOptions = {},
): { readonly model: DealModel; readonly context: DealContext } {
  const context = dealContext(history, day);
  const cases: LabelledCase[] = [];
  for (const deal of context.closed) {
    const snapshot = deal.openDay + Math.max(1, Math.floor((deal.closeDay - deal.openDay) / 2));
    const state = dealStateAt(deal, history.pipelines.get(deal.pipelineId), snapshot);
    if (!state) continue;
    const label = deal.status === 'won' ? 1 : 0;
    cases.push({
      id: deal.id,
      at: dayString(deal.openDay),
      row: dealFeatures(deal, state, context, snapshot, label),
      label,
    });
  }
  const wins = cases.filter((c) => c.label === 1).length;
  const losses = cases.length - wins;
  const min = options.minClosedEach ?? 50;
  if (wins < min || losses < min)
    return { model: { asOf: dayString(day), model: null, wins, losses, selection: null }, context };
  // A field the outcome wrote (Maven's lost deals all have amount 0) would score certainties.
  const leftOut = separatingFeatures(cases, min);
  const trained = trainBinaryModel(withoutFeatures(cases, leftOut));
  return {
    model: {
      asOf: dayString(day),
      model: trained.model,
      wins,
      losses,
      selection: trained.selection,
      leftOut,
    },
    context,
  };
}

/** A deal's win probability with its reasons. */
export interface WinProbability {
  readonly probability: number;
  /** `logistic`, `naiveBayes`, or `stageDefault`. */
  readonly method: string;
  readonly factors: readonly ScoreFactor[];
}

/** The win probability of an open deal on a day. */
export function winProbability(
  model: DealModel,
  deal: DealTimeline,
  state: DealState,
  context: DealContext,
  day: DayNumber,
): WinProbability {
  if (!model.model)
    return { probability: state.stageProbability, method: 'stageDefault', factors: [] };
  const row = dealFeatures(deal, state, context, day);
  return {
    probability: predictProbability(model.model, row),
    method: model.model.method,
    factors: explainScore(model.model, row),
  };
}
