import type { Actor, Crm, KpiEvaluateOptions } from '@rapport/core';
import { closingPlugin } from '@rapport/kpi-closing';
import { leadsPlugin } from '@rapport/kpi-leads';
import { pipelinePlugin } from '@rapport/kpi-pipeline';
import { leadNamesPlugin } from './lead-writes.js';

/** @internal The plugins every engine of the suite runs. */
export const plugins = [closingPlugin, pipelinePlugin, leadsPlugin, leadNamesPlugin] as const;
/** @internal An engine with the suite's plugins. */
export type Engine = Crm<typeof plugins>;
/** @internal A system scope of such an engine. */
export type Scope = ReturnType<ReturnType<Engine['tenant']>['system']>;

/** @internal The declared dashboard KPIs the comparisons read. */
export const dashboard = [
  'closing.winRate',
  'closing.wonRevenue',
  'closing.averageDealSize',
  'closing.averageSalesCycle',
  'closing.medianSalesCycle',
  'closing.medianDealSize',
  'closing.quotaAttainment',
  'pipeline.expectedCloseVolume',
  'pipeline.openCount',
  'pipeline.weightedValue',
] as const;

/** @internal Evaluates KPIs of a list of views whose ids and breakdowns vary (the typed API checks each). */
export function evaluate(
  engine: Engine,
  tenantId: string,
  actor: Actor,
  ids: readonly string[],
  options: KpiEvaluateOptions<string>,
) {
  const { kpis } = engine.tenant(tenantId).as(actor);
  // Erased on purpose: each view pairs ids with a breakdown they all support (the engine checks).
  return kpis.evaluate(ids as never, options as never);
}

/** @internal The system actor (an admin). */
export const system = { id: 'system', role: 'admin' } as const;

/** @internal Results without what may legitimately differ between two engines (nothing, today). */
export function strip(results: unknown): unknown {
  return JSON.parse(JSON.stringify(results));
}
