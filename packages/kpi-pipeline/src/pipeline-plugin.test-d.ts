import { createCrm, type KpiResult } from '@rapport/core';
import { closingPlugin } from '@rapport/kpi-closing';
import { sqliteStorage } from '@rapport/sqlite';
import { describe, expectTypeOf, test } from 'vitest';
import type { UnrealisticDeal } from './pipeline-planning.js';
import { createPipelinePlugin, pipelinePlugin } from './pipeline-plugin.js';

const crm = createCrm({ storage: sqliteStorage(), plugins: [closingPlugin, pipelinePlugin] });
const scope = crm.tenant('acme').system();

describe('pipeline KPI types', () => {
  test('a list KPI returns its items typed; aggregate KPIs have none', async () => {
    const results = await scope.kpis.evaluate([
      'pipeline.unrealisticPlanning',
      'pipeline.openValue',
    ]);
    expectTypeOf(results['pipeline.unrealisticPlanning'].items).toEqualTypeOf<
      readonly UnrealisticDeal[]
    >();
    expectTypeOf(results['pipeline.openValue']).toEqualTypeOf<
      KpiResult<'pipeline.openValue', never>
    >();
  });

  test('ids of two plugins mix in one call; by is what all of them support', () => {
    scope.kpis.evaluate(['pipeline.openCount', 'closing.winRate'], { by: 'owner' });
    scope.kpis.evaluate(['pipeline.openCount', 'pipeline.stageConversion'], { by: 'stage' });
    // @ts-expect-error: win rate cannot be broken down by stage
    scope.kpis.evaluate(['pipeline.openCount', 'closing.winRate'], { by: 'stage' });
    // @ts-expect-error: filters follow the same rule
    scope.kpis.evaluate(['pipeline.coverage'], { filters: { stage: 'Prospecting' } });
  });

  test('the configurable plugin keeps the same ids', () => {
    const custom = createCrm({
      storage: sqliteStorage(),
      plugins: [createPipelinePlugin({ staleAfterDays: 14 })],
    });
    custom.tenant('acme').system().kpis.evaluate(['pipeline.unrealisticPlanning']);
    // @ts-expect-error: closing is not registered in this engine
    custom.tenant('acme').system().kpis.evaluate(['closing.winRate']);
  });
});
