import { definePlugin } from '@rapport/core';
import { averageTimeInStage, stageConversion } from './pipeline-history-kpis.js';
import {
  coverage,
  expectedCloseVolume,
  openCount,
  openValue,
  salesVelocity,
  weightedValue,
} from './pipeline-kpis.js';
import {
  type UnrealisticPlanningOptions,
  unrealisticPlanning,
  unrealisticPlanningKpi,
} from './pipeline-planning.js';

/**
 * Every pipeline KPI, in dashboard order.
 *
 * @example
 * const ids = pipelineKpis.map((kpi) => kpi.id);
 */
export const pipelineKpis = [
  openCount,
  openValue,
  weightedValue,
  expectedCloseVolume,
  coverage,
  stageConversion,
  averageTimeInStage,
  salesVelocity,
  unrealisticPlanning,
] as const;

/**
 * The pipeline KPIs as a plugin: open and weighted pipeline, expected close volume, coverage,
 * stage conversion, time in stage, sales velocity and the unrealistic planning list.
 *
 * @example
 * const crm = createCrm({ storage: sqliteStorage(), plugins: [pipelinePlugin] });
 */
export const pipelinePlugin = definePlugin({ id: 'pipeline', kpis: pipelineKpis });

/**
 * The pipeline plugin with options (how many days without activity make a deal stale).
 *
 * @example
 * const crm = createCrm({ storage, plugins: [createPipelinePlugin({ staleAfterDays: 14 })] });
 */
export function createPipelinePlugin(options: UnrealisticPlanningOptions) {
  return definePlugin({
    id: 'pipeline',
    kpis: [...pipelineKpis.slice(0, -1), unrealisticPlanningKpi(options)] as const,
  });
}
