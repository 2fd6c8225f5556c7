/**
 * `@rapport/kpi-pipeline`: open and weighted pipeline, expected close volume, coverage, stage
 * conversion, time in stage, sales velocity and unrealistic planning, as a Rapport plugin.
 *
 * @packageDocumentation
 */

// Core's shared sources, re-exported for the plugins written against this one's earlier API.
export { closedDeals, repQuotas } from '@rapport/core';
export { averageTimeInStage, stageConversion, stageEntryFacts } from './pipeline-history-kpis.js';
export {
  coverage,
  dealDimensions,
  expectedCloseVolume,
  openCount,
  openValue,
  salesVelocity,
  weightedValue,
} from './pipeline-kpis.js';
export {
  type PlanningIssue,
  type UnrealisticDeal,
  type UnrealisticPlanningOptions,
  unrealisticPlanning,
  unrealisticPlanningKpi,
} from './pipeline-planning.js';
export { createPipelinePlugin, pipelineKpis, pipelinePlugin } from './pipeline-plugin.js';
export { openDeals, openDealsByCloseDate, stageEntries } from './pipeline-sources.js';
