import { describe, expect, test } from 'vitest';
import { type AnyKpiDefinition, defineKpi } from './kpi-definition.js';
import { measure } from './kpi-measure.js';
import { measureSignature, planKpis, sourceKey, stableKey } from './kpi-plan.js';
import { closedDeals, kpiSource, repQuotas } from './kpi-source.js';
import { kpiRatio } from './kpi-value.js';

const info = {
  group: 'test',
  title: { en: 'Test', de: 'Test' },
  description: 'a KPI of the planner tests',
  unit: 'count',
  direction: 'higher',
  dimensions: ['owner'],
} as const;

const won = measure.count(closedDeals, { status: 'won' });
const lost = measure.count(closedDeals, { status: 'lost' });
const wonAmount = measure.sum(closedDeals, { money: 'amount' }, { status: 'won' });

const winRate = defineKpi({
  ...info,
  id: 'test.winRate',
  measures: { won, lost },
  value: ({ won, lost }) => kpiRatio(won, won + lost),
});
const wonRevenue = defineKpi({
  ...info,
  id: 'test.wonRevenue',
  measures: { won, wonAmount },
  value: ({ wonAmount }) => wonAmount,
});
const attainment = defineKpi({
  ...info,
  id: 'test.attainment',
  measures: { wonAmount, quota: measure.sum(repQuotas, { money: 'amount' }) },
  value: ({ wonAmount, quota }) => wonAmount / quota,
});

/** The plan as plain data: per statement its source key and how many measures it computes. */
function shape(kpis: readonly AnyKpiDefinition[]) {
  const plan = planKpis(kpis);
  return {
    fused: plan.fused.map((f) => [f.key, f.measures.size]),
    medians: plan.medians.size,
    queries: plan.queries.map((kpi) => kpi.id),
    needsRates: plan.needsRates,
  };
}

describe('planKpis', () => {
  test('KPIs over closed deals fuse into one statement; a measure two KPIs share is computed once', () => {
    // winRate reads won + lost, wonRevenue won + wonAmount: three distinct measures, one source.
    expect(shape([winRate, wonRevenue])).toEqual({
      fused: [['key:core.closedDeals', 3]],
      medians: 0,
      queries: [],
      needsRates: true,
    });
  });

  test('a KPI over two sources costs one statement per source, shared with the other KPIs', () => {
    // Closed deals: won, lost, wonAmount; quotas: quota. Two statements for three KPIs.
    expect(shape([winRate, wonRevenue, attainment]).fused).toEqual([
      ['key:core.closedDeals', 3],
      ['key:core.repQuotas', 1],
    ]);
  });

  test('a win rate converts no money, so the exchange rates are not read', () => {
    expect(shape([winRate]).needsRates).toBe(false);
    const weighted = defineKpi({
      ...info,
      id: 'test.weighted',
      measures: {
        value: measure.sum(closedDeals, { times: [{ money: 'amount' }, 'probability'] }),
      },
      value: ({ value }) => value,
    });
    expect(shape([weighted]).needsRates).toBe(true);
  });

  test('medians are statements of their own, one per distinct median', () => {
    const median = measure.median(closedDeals, { money: 'amount' }, { status: 'won' });
    const medianDeal = defineKpi({
      ...info,
      id: 'test.medianDeal',
      measures: { won, median },
      value: ({ median }) => median ?? 0,
    });
    const medianAgain = defineKpi({
      ...info,
      id: 'test.medianAgain',
      measures: { median: measure.median(closedDeals, { money: 'amount' }, { status: 'won' }) },
      value: ({ median }) => median ?? 0,
    });
    expect(shape([winRate, medianDeal, medianAgain])).toMatchObject({
      fused: [['key:core.closedDeals', 2]],
      medians: 1,
    });
  });

  test('sources are told apart by identity, not content: equal-looking sources do not fuse', () => {
    const a = kpiSource({ object: 'opportunity', where: { status: 'open' } });
    const b = kpiSource({ object: 'opportunity', where: { status: 'open' } });
    const overA = defineKpi({
      ...info,
      id: 'test.a',
      measures: { n: measure.count(a) },
      value: ({ n }) => n,
    });
    const overB = defineKpi({
      ...info,
      id: 'test.b',
      measures: { n: measure.count(b) },
      value: ({ n }) => n,
    });
    expect(sourceKey(a)).not.toBe(sourceKey(b));
    expect(sourceKey(a)).toBe(sourceKey(a));
    expect(shape([overA, overB]).fused).toHaveLength(2);
  });

  test('an explicit key makes two source objects one source', () => {
    const here = kpiSource({ key: 'acme.open', object: 'opportunity', where: { status: 'open' } });
    const there = kpiSource({ key: 'acme.open', object: 'opportunity', where: { status: 'open' } });
    const kpis = [here, there].map((source, index) =>
      defineKpi({
        ...info,
        id: `test.keyed${index}`,
        measures: { n: measure.count(source) },
        value: ({ n }) => n,
      }),
    );
    expect(shape(kpis).fused).toEqual([['key:acme.open', 1]]);
  });

  test('measure filters in another key order are the same measure', () => {
    const first = measure.count(closedDeals, { status: 'won', ownerId: 'u1' });
    const second = measure.count(closedDeals, { ownerId: 'u1', status: 'won' });
    expect(measureSignature(first)).toBe(measureSignature(second));
    expect(measureSignature(first)).not.toBe(
      measureSignature(measure.count(closedDeals, { status: 'lost', ownerId: 'u1' })),
    );
    expect(stableKey({ b: [1, { d: 2, c: 3 }], a: null })).toBe('{"a":null,"b":[1,{"c":3,"d":2}]}');
  });

  test('query KPIs run apart, and may convert money', () => {
    const listed = defineKpi({
      ...info,
      id: 'test.query',
      async query() {
        return [{ key: null, value: 1, sampleSize: 1 }];
      },
    });
    expect(shape([listed, winRate])).toEqual({
      fused: [['key:core.closedDeals', 2]],
      medians: 0,
      queries: ['test.query'],
      needsRates: true,
    });
  });
});
