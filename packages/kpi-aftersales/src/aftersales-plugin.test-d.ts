import { createCrm, type KpiIdOf, type KpiResult } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { describe, expectTypeOf, test } from 'vitest';
import { aftersalesPlugin, createAftersalesPlugin } from './aftersales-plugin.js';

type AftersalesId =
  | 'aftersales.churnRate'
  | 'aftersales.revenueChurn'
  | 'aftersales.grossRevenueRetention'
  | 'aftersales.netRevenueRetention'
  | 'aftersales.expansionRevenue'
  | 'aftersales.arpa'
  | 'aftersales.historicalLifetimeValue'
  | 'aftersales.predictiveLifetimeValue'
  | 'aftersales.repeatPurchaseRate'
  | 'aftersales.crossSellRate';

const crm = createCrm({ storage: sqliteStorage(), plugins: [aftersalesPlugin] });
const scope = crm.tenant('acme').system();

describe('aftersales KPI ids and results are inferred from the plugin', () => {
  test('ids are the literal ids of the plugin, with or without options', () => {
    expectTypeOf<KpiIdOf<[typeof aftersalesPlugin]>>().toEqualTypeOf<AftersalesId>();
    const custom = createAftersalesPlugin({ grossMargin: 0.6 });
    expectTypeOf<KpiIdOf<[typeof custom]>>().toEqualTypeOf<AftersalesId>();
  });

  test('evaluate returns a result per requested id, and only those', async () => {
    const results = await scope.kpis.evaluate(['aftersales.churnRate', 'aftersales.arpa'], {
      period: '2026-Q1',
      by: 'accountSegment',
    });
    expectTypeOf(results['aftersales.churnRate']).toEqualTypeOf<
      KpiResult<'aftersales.churnRate', never>
    >();
    expectTypeOf(results['aftersales.arpa'].value).toEqualTypeOf<number | null>();
    // @ts-expect-error: not requested
    results['aftersales.crossSellRate'];
  });

  test('an unknown id does not compile', () => {
    // @ts-expect-error: no plugin defines aftersales.churn
    scope.kpis.evaluate(['aftersales.churn']);
  });

  test('by must be a dimension of accounts', () => {
    scope.kpis.evaluate(['aftersales.netRevenueRetention'], { by: 'owner' });
    scope.kpis.evaluate(['aftersales.crossSellRate'], { filters: { 'custom.tier': 'A' } });
    // @ts-expect-error: customers are accounts; they have no lead source
    scope.kpis.evaluate(['aftersales.churnRate'], { by: 'leadSource' });
  });
});
