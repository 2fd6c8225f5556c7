import { createCrm } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { countQueries, importMavenCrm } from '@rapport/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { closingKpis } from './closing-kpis.js';
import { closingPlugin } from './closing-plugin.js';

// Published figures of the Maven Analytics CRM sample (see datasets/maven-crm/README.md), imported
// through the public API; amounts are USD cents in the engine.
describe('closing KPIs on the Maven CRM sample data', () => {
  const { storage, log } = countQueries(sqliteStorage());
  const crm = createCrm({ storage, plugins: [closingPlugin] });
  const scope = crm.tenant('maven').system();

  beforeAll(async () => {
    await crm.migrate();
    await crm.createTenant({ id: 'maven', name: 'MavenTech', baseCurrency: 'USD' });
    await importMavenCrm(scope);
  }, 120_000);
  afterAll(() => crm.destroy());

  test('win rate 63.15% = 4,238 / 6,711, won revenue 10,005,534, average deal 2,360.91, cycle 47.99 days', async () => {
    const results = await scope.kpis.evaluate(
      [
        'closing.winRate',
        'closing.wonRevenue',
        'closing.averageDealSize',
        'closing.averageSalesCycle',
      ],
      { period: 'all' },
    );
    expect(results['closing.winRate'].value).toBe(4238 / 6711);
    expect(results['closing.winRate'].value).toBeCloseTo(0.6315, 4);
    expect(results['closing.winRate'].sampleSize).toBe(6711);
    expect(results['closing.wonRevenue'].value).toBe(10_005_534_00);
    expect(results['closing.wonRevenue'].currency).toBe('USD');
    expect(results['closing.wonRevenue'].sampleSize).toBe(4238);
    expect((results['closing.averageDealSize'].value ?? 0) / 100).toBeCloseTo(2360.91, 2);
    expect(results['closing.averageSalesCycle'].value).toBeCloseTo(47.99, 2);
    expect(results['closing.averageSalesCycle'].sampleSize).toBe(6711);
  });

  test('win rate by product as published', async () => {
    const { 'closing.winRate': winRate } = await scope.kpis.evaluate(['closing.winRate'], {
      period: 'all',
      by: 'product',
    });
    const byProduct = Object.fromEntries(
      winRate.breakdown!.map((g) => [g.label, [g.value, g.sampleSize]]),
    );
    expect(byProduct).toEqual({
      'MG Special': [793 / 1223, 1223],
      'GTX Plus Pro': [479 / 745, 745],
      'GTX Basic': [915 / 1436, 1436],
      'GTX Pro': [729 / 1147, 1147],
      'GTX Plus Basic': [653 / 1051, 1051],
      'MG Advanced': [654 / 1084, 1084],
      'GTK 500': [15 / 25, 25],
    });
  });

  test('Darcel Schlecht: 349 won, 1,153,214 won revenue', async () => {
    const { 'closing.wonRevenue': revenue } = await scope.kpis.evaluate(['closing.wonRevenue'], {
      period: 'all',
      by: 'owner',
    });
    const darcel = revenue.breakdown!.find((g) => g.label === 'Darcel Schlecht');
    expect(darcel).toMatchObject({ value: 1_153_214_00, sampleSize: 349 });
    // The breakdown adds up to the total.
    expect(revenue.breakdown!.reduce((sum, g) => sum + (g.value ?? 0), 0)).toBe(revenue.value);
  });

  test('every closing KPI at once, broken down by team, fits a handful of queries over 8,800 deals', async () => {
    const ids = closingKpis.map((kpi) => kpi.id);
    log.reset();
    const results = await scope.kpis.evaluate(ids, { period: '2017', by: 'team' });
    // One GROUP BY over closed deals for six KPIs, one over quotas, and two medians each computed
    // per team and in total; the tenant is cached by the scope, the exchange rates are one read.
    const overDeals = log.statements.filter((s) => s.includes('from "opportunities"'));
    expect(overDeals).toHaveLength(1 + 2 * 2);
    expect(log.statements).toHaveLength(1 + 1 + 2 * 2 + 1);
    for (const id of ids) expect(results[id].breakdown?.length).toBeGreaterThan(0);
    expect(results['closing.medianSalesCycle'].value).toBeGreaterThan(0);
  });
});
