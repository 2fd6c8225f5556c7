import type { CrmScope } from '@rapport/core';
import type { ScoreFactor } from '../models/binary-model.js';
import { predictTablesOf } from './plugin-database.js';

/** The stored score of one lead. */
export interface LeadScore {
  readonly leadId: string;
  /** Probability of conversion, 0 to 1. */
  readonly probability: number;
  /** The interval of a fallback score (source rate); null for a model score. */
  readonly lower: number | null;
  readonly upper: number | null;
  /** `logistic`, `naiveBayes` or `sourceRate`. */
  readonly method: string;
  readonly modelVersion: number;
  readonly scoredAt: string;
  /** The factors that moved it most. */
  readonly factors: readonly ScoreFactor[];
}

// SQLite binds at most 32,766 parameters per statement: 9 columns x 500 rows stays far below.
const batchSize = 500;

/** Writes scores (replacing a lead's previous one), in the scope's transaction or a new one. */
export async function saveLeadScores(scope: CrmScope, scores: readonly LeadScore[]): Promise<void> {
  if (scores.length === 0) return;
  await scope.transaction(async (tx) => {
    const tables = predictTablesOf(tx);
    for (let from = 0; from < scores.length; from += batchSize) {
      await tables
        .insertInto(
          'predictLeadScores',
          scores.slice(from, from + batchSize).map((s) => ({
            leadId: s.leadId,
            probability: s.probability,
            lower: s.lower,
            upper: s.upper,
            method: s.method,
            modelVersion: s.modelVersion,
            scoredAt: s.scoredAt,
            factors: JSON.stringify(s.factors),
          })),
        )
        .onConflict((oc) =>
          oc.columns(['tenantId', 'leadId']).doUpdateSet((eb) => ({
            probability: eb.ref('excluded.probability'),
            lower: eb.ref('excluded.lower'),
            upper: eb.ref('excluded.upper'),
            method: eb.ref('excluded.method'),
            modelVersion: eb.ref('excluded.modelVersion'),
            scoredAt: eb.ref('excluded.scoredAt'),
            factors: eb.ref('excluded.factors'),
          })),
        )
        .execute();
    }
  });
}

interface ScoreRow {
  leadId: string;
  probability: number | string;
  lower: number | string | null;
  upper: number | string | null;
  method: string;
  modelVersion: number | string;
  scoredAt: string;
  factors: string;
}

/**
 * The stored scores of the leads the scope can see (visibility is the lead list's: only ids of
 * visible leads are looked up), highest first.
 */
export async function readLeadScores(
  scope: CrmScope,
  leadIds: readonly string[],
): Promise<LeadScore[]> {
  const scores: LeadScore[] = [];
  const tables = predictTablesOf(scope);
  for (let from = 0; from < leadIds.length; from += batchSize) {
    const rows: ScoreRow[] = await tables
      .selectFrom('predictLeadScores')
      .selectAll()
      .where('leadId', 'in', leadIds.slice(from, from + batchSize))
      .execute();
    for (const row of rows) {
      scores.push({
        leadId: row.leadId,
        probability: Number(row.probability),
        lower: row.lower === null ? null : Number(row.lower),
        upper: row.upper === null ? null : Number(row.upper),
        method: row.method,
        modelVersion: Number(row.modelVersion),
        scoredAt: new Date(row.scoredAt).toISOString(),
        // Written by saveLeadScores from ScoreFactor[].
        factors: JSON.parse(row.factors) as ScoreFactor[],
      });
    }
  }
  return scores.sort((a, b) => b.probability - a.probability || a.leadId.localeCompare(b.leadId));
}
