import { createCrm, type KpiCheckedBreakdown, type KpiIdOf, type KpiResult } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { describe, expectTypeOf, test } from 'vitest';
import { closingPlugin } from './closing-plugin.js';

const crm = createCrm({ storage: sqliteStorage(), plugins: [closingPlugin] });
const scope = crm.tenant('acme').system();

describe('KPI ids and results are inferred from the plugins', () => {
  test('ids are the literal ids of the plugin', () => {
    expectTypeOf<KpiIdOf<[typeof closingPlugin]>>().toEqualTypeOf<
      | 'closing.winRate'
      | 'closing.wonRevenue'
      | 'closing.averageDealSize'
      | 'closing.medianDealSize'
      | 'closing.averageSalesCycle'
      | 'closing.medianSalesCycle'
      | 'closing.quotaAttainment'
      | 'closing.lossReasons'
    >();
  });

  test('evaluate returns a result per requested id, and only those', async () => {
    const results = await scope.kpis.evaluate(['closing.winRate', 'closing.wonRevenue'], {
      period: '2026-Q1',
      by: 'owner',
    });
    expectTypeOf(results['closing.winRate']).toEqualTypeOf<KpiResult<'closing.winRate', never>>();
    expectTypeOf(results['closing.winRate'].value).toEqualTypeOf<number | null>();
    // @ts-expect-error: not requested
    results['closing.lossReasons'];
  });

  test('an unknown id does not compile', () => {
    // @ts-expect-error: no plugin defines closing.winrate
    scope.kpis.evaluate(['closing.winrate']);
  });

  test('by must be a dimension every requested KPI supports', () => {
    scope.kpis.evaluate(['closing.lossReasons'], { by: 'lostReason' });
    scope.kpis.evaluate(['closing.winRate'], { by: 'custom.tier' });
    // @ts-expect-error: win rate has no lostReason dimension
    scope.kpis.evaluate(['closing.winRate', 'closing.lossReasons'], { by: 'lostReason' });
    // @ts-expect-error: quota attainment is by owner or team only
    scope.kpis.evaluate(['closing.quotaAttainment'], { by: 'product' });
  });

  test('a wrong by is a type error that names the allowed dimensions', () => {
    type Plugins = [typeof closingPlugin];
    expectTypeOf<
      KpiCheckedBreakdown<Plugins, 'closing.quotaAttainment', 'product'>
    >().toEqualTypeOf<"'product' is not a dimension of every requested KPI; use one of: owner, team">();
    expectTypeOf<
      KpiCheckedBreakdown<Plugins, 'closing.winRate' | 'closing.lossReasons', 'stage'>
    >().toEqualTypeOf<"'stage' is not a dimension of every requested KPI; use one of: owner, team, product, productFamily, leadSource, campaign, accountSegment, custom.<field>">();
    expectTypeOf<
      KpiCheckedBreakdown<Plugins, 'closing.winRate', 'custom.tier'>
    >().toEqualTypeOf<'custom.tier'>();
    expectTypeOf<
      KpiCheckedBreakdown<Plugins, 'closing.quotaAttainment', 'team'>
    >().toEqualTypeOf<'team'>();
    // @ts-expect-error: '"product"' is not assignable to '"'product' is not a dimension of every requested KPI; use one of: owner, team"'
    scope.kpis.evaluate(['closing.quotaAttainment'], { by: 'product' });
  });

  test('an engine without plugins has no KPI ids', () => {
    const bare = createCrm({ storage: sqliteStorage() }).tenant('acme').system();
    // @ts-expect-error: no KPIs registered
    bare.kpis.evaluate(['closing.winRate']);
  });
});
