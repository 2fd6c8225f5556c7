import type { CrmScope } from '@rapport/core';
import {
  type EvaluationLead,
  evaluateLeadCases,
  type LeadEvaluation,
} from './evaluation/lead-evaluation.js';
import type { Backtest } from './forecast/backtest.js';
import {
  backtestForecast,
  forecast,
  type ScopeForecast,
  type ScopeForecastOptions,
} from './forecast/scope-forecast.js';
import { labelledLeads, loadLeadCases } from './leads/lead-cases.js';
import {
  type LeadModelOptions,
  type LeadScoringResult,
  type LeadTrainingResult,
  scoreLeads,
  trainLeadModel,
} from './leads/lead-scoring.js';
import type { LeadScore } from './store/score-store.js';
import { readLeadScores } from './store/score-store.js';

/**
 * Evaluates the lead model on the scope's own history: trains on the older 75 % of labelled
 * leads by creation date and measures on the newer 25 %, next to the source-rate baseline.
 * Stores nothing.
 *
 * @example
 * const evaluation = await evaluateLeadModel(scope);
 * console.log(evaluation.model?.auc, evaluation.baseline.auc);
 */
export async function evaluateLeadModel(
  scope: CrmScope,
  options: LeadModelOptions & { readonly trainShare?: number } = {},
): Promise<LeadEvaluation> {
  const cases = await loadLeadCases(scope, options);
  const sources = new Map(cases.map((c) => [c.id, c.leadSource]));
  const labelled: EvaluationLead[] = labelledLeads(cases).map((c) => ({
    ...c,
    leadSource: sources.get(c.id) ?? null,
  }));
  return evaluateLeadCases(labelled, options);
}

/** The predict functions bound to one scope. */
export interface PredictService {
  /** {@link trainLeadModel}. */
  trainLeadModel(options?: LeadModelOptions): Promise<LeadTrainingResult>;
  /** {@link scoreLeads}. */
  scoreLeads(options?: LeadModelOptions): Promise<LeadScoringResult>;
  /** {@link evaluateLeadModel}. */
  evaluateLeadModel(
    options?: LeadModelOptions & { readonly trainShare?: number },
  ): Promise<LeadEvaluation>;
  /** The stored scores of the visible leads, highest first. */
  leadScores(): Promise<LeadScore[]>;
  /** {@link forecast}. */
  forecast(options?: ScopeForecastOptions): Promise<ScopeForecast>;
  /** {@link backtestForecast}. */
  backtestForecast(
    options: Parameters<typeof backtestForecast>[1],
  ): Promise<Backtest & { readonly currency: string }>;
}

/**
 * The predict functions on a scope: `predict(scope).trainLeadModel()`.
 *
 * @example
 * const scores = await predict(crm.tenant('acme').system()).scoreLeads();
 */
export function predict(scope: CrmScope): PredictService {
  return {
    trainLeadModel: (options) => trainLeadModel(scope, options),
    scoreLeads: (options) => scoreLeads(scope, options),
    evaluateLeadModel: (options) => evaluateLeadModel(scope, options),
    forecast: (options) => forecast(scope, options),
    backtestForecast: (options) => backtestForecast(scope, options),
    async leadScores() {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await scope.leads.list({ limit: 1000, cursor });
        ids.push(...page.items.map((l) => l.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return readLeadScores(scope, ids);
    },
  };
}
