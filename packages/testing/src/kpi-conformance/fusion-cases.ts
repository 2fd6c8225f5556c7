import { closingKpis } from '@rapport/kpi-closing';
import { pipelineKpis } from '@rapport/kpi-pipeline';
import { describe, expect, test } from 'vitest';
import { createDeal, type KpiConformanceSetup, useKpiWorld } from './kpi-conformance-context.js';

/** @internal KPIs over the same source are one query. */
export function fusionCases(setup: KpiConformanceSetup): void {
  describe('KPI fusion', () => {
    const world = useKpiWorld(setup);

    test('the closing and pipeline dashboard is a handful of queries, not one per KPI', async () => {
      const scope = await world.tenant();
      const rep = await scope.users.create({ name: 'Ana', role: 'rep' });
      await createDeal(scope, {
        owner: rep.id,
        amount: 100_00,
        outcome: 'won',
        openDate: '2026-06-01',
        closeDate: '2026-06-10',
      });
      const declared = [...closingKpis, ...pipelineKpis].filter((kpi) => 'measures' in kpi);
      const ids = declared.map((kpi) => kpi.id);
      const fresh = world.crm().tenant(scope.tenantId).system();
      world.log().reset();
      const results = await fresh.kpis.evaluate(ids, { period: '2026-06', by: 'owner' });
      const statements = world.log().statements;
      expect(results['closing.winRate'].value).toBe(1);
      // Sources: closed deals, quotas, open deals, open deals by close date (4 GROUP BYs) and the
      // two medians (per owner and in total: 4), plus the tenant and its exchange rates.
      // With rollups, every source reads its rollup (plus one read of which rollups are built;
      // the weighted pipeline is kept exactly while probabilities are whole percent), and so do
      // both medians: the sales cycle (a histogram of whole days) and the deal size (a histogram
      // per currency and amount, converted and ordered at read time): nothing reads the deals.
      const rollups = setup.options.rollups === true;
      const overDeals = statements.filter((s) => /from "opportunities"/.test(s));
      const overRollups = statements.filter((s) => /from "rollup_cells"/.test(s));
      expect(ids.length).toBe(14);
      expect(overDeals.length).toBe(rollups ? 0 : 3 + 4);
      expect(overRollups.length).toBe(rollups ? 4 + 4 : 0);
      expect(statements.length).toBe(4 + 4 + 2 + (rollups ? 1 : 0));
    });
  });
}
