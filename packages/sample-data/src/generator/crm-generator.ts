import { productsAndAccounts, teamsAndUsers } from './base-records.js';
import { campaigns, contracts, quotas } from './campaigns-quotas-contracts.js';
import type {
  GeneratedActivity,
  GeneratedBatch,
  GeneratedLead,
  GeneratedOpportunity,
  GeneratedStageHistory,
} from './generated-rows.js';
import { type GeneratorOptions, makePlan } from './generator-plan.js';
import { leadRows } from './lead-rows.js';
import { opportunityRows } from './opportunity-rows.js';
import { chunks } from './row-helpers.js';

export type { ExistingRecords, GeneratorOptions } from './generator-plan.js';

/**
 * Generates a realistic CRM history, seeded and deterministic, as batches of rows of core's
 * tables: teams and users (reps of different skill under managers), products, accounts, campaigns
 * with costs per lead source, quotas per rep and quarter, contracts with renewals and churn,
 * opportunities with stage history (time in stage, lost reasons) and activities, then leads of
 * sources of different quality. Seasonality (a summer dip, a year-end push) and growth shape
 * every date. Batches are produced lazily, so memory stays flat from 1,000 to millions of rows.
 *
 * Rows carry every column (system columns included) and reference earlier batches only, so a
 * benchmark may insert them raw; {@link insertGeneratedData} does that through kysely.
 *
 * @example
 * for await (const batch of generateCrmData({ tenantId: 'acme', pipelineId, seed: 42 })) {
 *   await db.insertInto(batch.table).values(batch.rows).execute();
 * }
 */
export async function* generateCrmData(options: GeneratorOptions): AsyncGenerator<GeneratedBatch> {
  yield* generateCrmRows(options);
}

/**
 * The synchronous form of {@link generateCrmData}, for a benchmark's tight insert loop.
 *
 * @example
 * let rows = 0;
 * for (const batch of generateCrmRows({ tenantId: 't', pipelineId: 'p', opportunities: 100 })) rows += batch.rows.length;
 */
export function* generateCrmRows(options: GeneratorOptions): Generator<GeneratedBatch> {
  const plan = makePlan(options);
  if (plan.generateBase) {
    yield* teamsAndUsers(plan);
    yield* productsAndAccounts(plan);
  }
  for (const rows of chunks(campaigns(plan), plan.batchSize)) yield { table: 'campaigns', rows };
  yield* quotas(plan);
  yield* contracts(plan);
  for (let from = 0; from < plan.opportunities; from += plan.batchSize) {
    const to = Math.min(plan.opportunities, from + plan.batchSize);
    const opportunities: GeneratedOpportunity[] = [];
    const history: GeneratedStageHistory[] = [];
    const activities: GeneratedActivity[] = [];
    for (let i = from; i < to; i++) {
      const rows = opportunityRows(plan, i);
      opportunities.push(rows.opportunity);
      history.push(...rows.history);
      activities.push(...rows.activities);
    }
    yield { table: 'opportunities', rows: opportunities };
    yield { table: 'stageHistory', rows: history };
    yield { table: 'activities', rows: activities };
  }
  for (let from = 0; from < plan.leads; from += plan.batchSize) {
    const to = Math.min(plan.leads, from + plan.batchSize);
    const leads: GeneratedLead[] = [];
    const activities: GeneratedActivity[] = [];
    for (let j = from; j < to; j++) {
      const rows = leadRows(plan, j);
      leads.push(rows.lead);
      activities.push(...rows.activities);
    }
    yield { table: 'leads', rows: leads };
    if (activities.length > 0) yield { table: 'activities', rows: activities };
  }
}
