import { createCrm, type KpiIdOf, type KpiResult } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { describe, expectTypeOf, test } from 'vitest';
import { leadsPlugin } from './lead-plugin.js';

const crm = createCrm({ storage: sqliteStorage(), plugins: [leadsPlugin] });
const scope = crm.tenant('acme').system();

describe('lead KPI ids and results are inferred from the plugin', () => {
  test('ids are the literal ids of the plugin', () => {
    expectTypeOf<KpiIdOf<[typeof leadsPlugin]>>().toEqualTypeOf<
      | 'leads.newLeads'
      | 'leads.costPerLead'
      | 'leads.leadToOpportunityRate'
      | 'leads.leadToWonRate'
      | 'leads.timeToFirstActivity'
      | 'leads.costPerWonCustomer'
      | 'leads.revenuePerLead'
    >();
  });

  test('evaluate returns a result per requested id, and only those', async () => {
    const results = await scope.kpis.evaluate(['leads.costPerLead', 'leads.newLeads'], {
      period: '2026-Q1',
      by: 'campaign',
    });
    expectTypeOf(results['leads.costPerLead']).toEqualTypeOf<
      KpiResult<'leads.costPerLead', never>
    >();
    expectTypeOf(results['leads.newLeads'].value).toEqualTypeOf<number | null>();
    // @ts-expect-error: not requested
    results['leads.revenuePerLead'];
  });

  test('an unknown id does not compile', () => {
    // @ts-expect-error: no plugin defines leads.costPerLeads
    scope.kpis.evaluate(['leads.costPerLeads']);
  });

  test('by must be a dimension of leads', () => {
    scope.kpis.evaluate(['leads.leadToWonRate'], { by: 'leadSource' });
    scope.kpis.evaluate(['leads.costPerLead'], {
      by: 'custom.region',
      filters: { campaign: 'c1' },
    });
    // @ts-expect-error: a lead has no stage
    scope.kpis.evaluate(['leads.leadToWonRate'], { by: 'stage' });
    // @ts-expect-error: nor a product
    scope.kpis.evaluate(['leads.newLeads'], { filters: { product: 'p1' } });
  });
});
