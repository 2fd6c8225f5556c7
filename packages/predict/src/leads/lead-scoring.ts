import type { CrmRecord, CrmScope } from '@rapport/core';
import type { ScoreMetrics } from '../math/metrics.js';
import {
  type BinaryModel,
  explainScore,
  type LabelledCase,
  type ModelMethod,
  predictProbability,
  trainBinaryModel,
} from '../models/binary-model.js';
import { latestModel, type StoredModel, saveModel } from '../store/model-store.js';
import { type LeadScore, saveLeadScores } from '../store/score-store.js';
import {
  type LeadCase,
  type LeadCaseOptions,
  labelledLeads,
  leadFeatures,
  loadLeadCases,
} from './lead-cases.js';
import { fitSourceRates, type SourceRates, sourceRate } from './source-rates.js';

/** Options of lead training, scoring and evaluation. */
export interface LeadModelOptions extends LeadCaseOptions {
  /** Fewer conversions than this in the training data gives "not enough history"; default 100. */
  readonly minConversions?: number;
}

/** The stored lead model: the learned one (unless there was too little history) and the fallback. */
export interface LeadModel {
  readonly model: BinaryModel | null;
  readonly sourceRates: SourceRates;
}

/** What a training stored besides the model. */
export interface LeadTrainingMetrics {
  readonly labelled: number;
  readonly conversions: number;
  /** Both candidates on the newest fold; null for the fallback. */
  readonly selection: Readonly<Record<ModelMethod, ScoreMetrics>> | null;
}

/** The result of {@link trainLeadModel}. */
export interface LeadTrainingResult {
  /** `trained`, or `notEnoughHistory` when the fallback (source conversion rate) is used. */
  readonly status: 'trained' | 'notEnoughHistory';
  /** What it means, in a sentence. */
  readonly message: string;
  readonly version: number;
  readonly method: ModelMethod | 'sourceRate';
  readonly metrics: LeadTrainingMetrics;
}

function conversions(cases: readonly { readonly label: 0 | 1 }[]): number {
  return cases.reduce((sum, c) => sum + c.label, 0);
}

/**
 * Fits the lead model of labelled cases (exported for evaluation on any data): the learned one
 * with at least `minConversions` conversions, else only the source rates.
 */
export function fitLeadModel(
  cases: readonly (LabelledCase & { readonly leadSource: string | null })[],
  minConversions = 100,
): { readonly model: LeadModel; readonly selection: LeadTrainingMetrics['selection'] } {
  const sourceRates = fitSourceRates(cases);
  if (conversions(cases) < minConversions)
    return { model: { model: null, sourceRates }, selection: null };
  const trained = trainBinaryModel(cases);
  return { model: { model: trained.model, sourceRates }, selection: trained.selection };
}

/** A lead's score under a model, with its top factors (none for the fallback). */
export function scoreLeadCase(
  model: LeadModel,
  c: Pick<LeadCase, 'id' | 'row' | 'leadSource'>,
  version: number,
  scoredAt: string,
): LeadScore {
  if (!model.model) {
    const rate = sourceRate(model.sourceRates, c.leadSource);
    return {
      leadId: c.id,
      probability: rate.probability,
      lower: rate.interval?.lower ?? null,
      upper: rate.interval?.upper ?? null,
      method: 'sourceRate',
      modelVersion: version,
      scoredAt,
      factors: [],
    };
  }
  return {
    leadId: c.id,
    probability: predictProbability(model.model, c.row),
    lower: null,
    upper: null,
    method: model.model.method,
    modelVersion: version,
    scoredAt,
    factors: explainScore(model.model, c.row),
  };
}

function withSource(cases: readonly LeadCase[]) {
  const bySource = new Map(cases.map((c) => [c.id, c.leadSource]));
  return labelledLeads(cases).map((c) => ({ ...c, leadSource: bySource.get(c.id) ?? null }));
}

/**
 * Trains the tenant's lead model on every labelled lead the scope sees and stores it as a new
 * version with its metrics.
 *
 * @example
 * const result = await trainLeadModel(crm.tenant('acme').system());
 * if (result.status === 'notEnoughHistory') console.log(result.message);
 */
export async function trainLeadModel(
  scope: CrmScope,
  options: LeadModelOptions = {},
): Promise<LeadTrainingResult> {
  const cases = withSource(await loadLeadCases(scope, options));
  const minConversions = options.minConversions ?? 100;
  const { model, selection } = fitLeadModel(cases, minConversions);
  const metrics: LeadTrainingMetrics = {
    labelled: cases.length,
    conversions: conversions(cases),
    selection,
  };
  const method = model.model?.method ?? 'sourceRate';
  const stored = await saveModel<LeadModel, LeadTrainingMetrics>(scope, {
    kind: 'lead',
    method,
    trainedAt: options.now ?? new Date().toISOString(),
    model,
    metrics,
  });
  return {
    status: model.model ? 'trained' : 'notEnoughHistory',
    message: model.model
      ? `trained on ${cases.length} leads with ${metrics.conversions} conversions; ${method} won on the newest 15 %`
      : `not enough history: ${metrics.conversions} conversions, ${minConversions} needed; scores are the conversion rate of the lead's source`,
    version: stored.version,
    method,
    metrics,
  };
}

/** The result of {@link scoreLeads}. */
export interface LeadScoringResult {
  readonly modelVersion: number;
  readonly method: string;
  /** The open leads' scores, highest first. */
  readonly scores: readonly LeadScore[];
}

/**
 * Scores every open lead the scope sees with the tenant's latest model (training one first if
 * there is none) and stores the scores.
 *
 * @example
 * const { scores } = await scoreLeads(scope);
 */
export async function scoreLeads(
  scope: CrmScope,
  options: LeadModelOptions = {},
): Promise<LeadScoringResult> {
  let stored = await latestModel<LeadModel, LeadTrainingMetrics>(scope, 'lead');
  if (!stored) {
    await trainLeadModel(scope, options);
    stored = await latestModel<LeadModel, LeadTrainingMetrics>(scope, 'lead');
  }
  if (!stored) throw new Error('the lead model was stored but cannot be read back');
  const model: StoredModel<LeadModel, LeadTrainingMetrics> = stored;
  const scoredAt = options.now ?? new Date().toISOString();
  const cases = await loadLeadCases(scope, options);
  const open = cases.filter((c) => c.open);
  const scores = open
    .map((c) => scoreLeadCase(model.model, c, model.version, scoredAt))
    .sort((a, b) => b.probability - a.probability || a.leadId.localeCompare(b.leadId));
  await saveLeadScores(scope, scores);
  return { modelVersion: model.version, method: model.method, scores };
}

/**
 * Scores one lead as it is created, from its own fields (it has no activities yet), with the
 * latest stored model; nothing happens before the first training. Runs in the create's
 * transaction (the plugin's `afterCreate` hook).
 */
export async function scoreNewLead(scope: CrmScope, lead: CrmRecord<'lead'>): Promise<void> {
  const stored = await latestModel<LeadModel, LeadTrainingMetrics>(scope, 'lead');
  if (!stored) return;
  const row = leadFeatures(lead, [], new Map(), lead.createdAt);
  const campaign = lead.campaignId
    ? ((await scope.campaigns.find(lead.campaignId))?.name ?? lead.campaignId)
    : null;
  const score = scoreLeadCase(
    stored.model,
    { id: lead.id, row: { ...row, campaign }, leadSource: lead.leadSource },
    stored.version,
    lead.createdAt,
  );
  await saveLeadScores(scope, [score]);
}
