import { describe, expect, test } from 'vitest';
import { defineKpi } from '../kpi/kpi-definition.js';
import { measure } from '../kpi/kpi-measure.js';
import { measureSignature } from '../kpi/kpi-plan.js';
import { closedDeals, kpiSource, repQuotas } from '../kpi/kpi-source.js';
import { standardObjects } from '../objects/standard-objects.js';
import { measureSlots } from './rollup-definition.js';
import { timestampDate } from './rollup-month.js';
import { planRollups } from './rollup-plan.js';

const info = {
  group: 'test',
  title: { en: 'Test', de: 'Test' },
  description: 'a KPI of the rollup planner tests',
  unit: 'count',
  direction: 'higher',
} as const;

const openDeals = kpiSource({ object: 'opportunity', where: { status: 'open' } });
const newLeads = kpiSource({ object: 'lead', date: 'createdAt' });
const won = measure.count(closedDeals, { status: 'won' });
const revenue = measure.sum(closedDeals, { money: 'amount' }, { status: 'won' });

const winRate = defineKpi({
  ...info,
  id: 'test.winRate',
  dimensions: ['owner', 'team', 'leadSource', 'product'],
  measures: { won, lost: measure.count(closedDeals, { status: 'lost' }) },
  value: ({ won, lost }) => won / (won + lost),
});
const attainment = defineKpi({
  ...info,
  id: 'test.attainment',
  dimensions: ['owner'],
  measures: { revenue, quota: measure.sum(repQuotas, { money: 'amount' }) },
  value: ({ revenue, quota }) => revenue / quota,
});
const weighted = defineKpi({
  ...info,
  id: 'test.weighted',
  dimensions: ['owner', 'stage'],
  measures: { weighted: measure.sum(openDeals, { times: [{ money: 'amount' }, 'probability'] }) },
  value: ({ weighted }) => weighted,
});
const leads = defineKpi({
  ...info,
  id: 'test.leads',
  dimensions: ['owner'],
  measures: { leads: measure.count(newLeads) },
  value: ({ leads }) => leads,
});
const medianCycle = defineKpi({
  ...info,
  id: 'test.medianCycle',
  dimensions: ['owner'],
  measures: { days: measure.median(closedDeals, { daysBetween: ['openDate', 'closeDate'] }) },
  value: ({ days }) => days ?? Number.NaN,
});
const medianDeal = defineKpi({
  ...info,
  id: 'test.median',
  dimensions: ['owner'],
  measures: { median: measure.median(closedDeals, { money: 'amount' }) },
  value: ({ median }) => median ?? Number.NaN,
});

describe('planRollups', () => {
  const plan = planRollups(
    [winRate, attainment, weighted, leads, medianDeal, medianCycle],
    standardObjects,
  );

  test('one rollup per fused source, one more per breakdown field its KPIs declare', () => {
    expect(plan.rollups.map((rollup) => rollup.id.split(':').slice(0, 2).join(':'))).toEqual([
      'opportunity:total',
      'opportunity:leadSource',
      'opportunity:product',
      'quota:total',
      'opportunity:total',
      'opportunity:stage',
      'lead:total',
      'opportunity:median',
      'opportunity:medianAll',
      'opportunity:median',
      'opportunity:medianAll',
    ]);
    // The closed deals' rollup keeps every measure of the source, whichever KPI declared it.
    expect(plan.rollups[0]?.measures.size).toBe(3);
  });

  test('the product breakdown keys by the main product kept on the deal; an object without one has none', () => {
    const byProduct = plan.rollups.filter((rollup) => rollup.dimension?.name === 'product');
    expect(byProduct.map((rollup) => [rollup.source.object, rollup.dimension?.field])).toEqual([
      ['opportunity', 'mainProductId'],
    ]);
    const quotas = defineKpi({
      ...info,
      id: 'test.quotas',
      dimensions: ['owner', 'product'],
      measures: { quota: measure.sum(repQuotas, { money: 'amount' }) },
      value: ({ quota }) => quota,
    });
    const dimensions = planRollups([quotas], standardObjects).rollups.map((r) => r.dimension);
    expect(dimensions).toEqual([undefined]);
  });

  test('every source and median here is kept (timestamps by the tenant month, money per currency); an amount times a probability is kept', () => {
    expect([...plan.skipped.values()]).toEqual([]);
    const [open] = plan.rollups.filter((rollup) => rollup.source === openDeals);
    expect([...(open?.measures.values() ?? [])].map((m) => m.measure.of)).toEqual([
      { times: [{ money: 'amount' }, 'probability'] },
    ]);
  });

  test("a field the engine rewrites below the repository (a lead's first activity) is never rolled up", () => {
    const contacted = defineKpi({
      ...info,
      id: 'test.contacted',
      dimensions: ['owner'],
      measures: {
        contacted: measure.count(newLeads, { firstActivityAt: { isNull: false } }),
      },
      value: ({ contacted }) => contacted,
    });
    const byFirstActivity = defineKpi({
      ...info,
      id: 'test.byFirstActivity',
      dimensions: ['owner'],
      measures: {
        n: measure.count(kpiSource({ object: 'lead', date: 'firstActivityAt' })),
      },
      value: ({ n }) => n,
    });
    const kept = planRollups([contacted, byFirstActivity], standardObjects);
    expect(kept.rollups).toEqual([]);
    expect([...kept.skipped.values()]).toEqual([
      'firstActivityAt is kept below the repository (no upkeep sees it change)',
      'firstActivityAt is kept below the repository (no upkeep sees it change)',
    ]);
  });

  test('a product of two plain numbers stays a floating point sum, scanned', () => {
    const product = defineKpi({
      ...info,
      id: 'test.product',
      dimensions: ['owner'],
      measures: { p: measure.sum(openDeals, { times: ['probability', 'probability'] }) },
      value: ({ p }) => p,
    });
    expect([...planRollups([product], standardObjects).skipped.values()]).toEqual([
      '{"times":["probability","probability"]} is not a whole-number expression',
    ]);
  });

  test(`a source with more measures than a rollup row holds (${measureSlots}) is scanned`, () => {
    const many = Object.fromEntries(
      Array.from({ length: measureSlots + 1 }, (_, i) => [
        `m${i}`,
        measure.count(closedDeals, { amount: { gte: i } }),
      ]),
    );
    const wide = defineKpi({
      ...info,
      id: 'test.wide',
      dimensions: ['owner'],
      measures: many,
      value: () => 1,
    });
    expect([...planRollups([wide], standardObjects).skipped.values()]).toEqual([
      `more than ${measureSlots} measures`,
    ]);
    const fits = defineKpi({
      ...info,
      id: 'test.fits',
      dimensions: ['owner'],
      measures: { won },
      value: ({ won }) => won,
    });
    expect(planRollups([fits], standardObjects).skipped.size).toBe(0);
  });

  test('a median of whole days is kept as a histogram (counts per value), apart from the measures', () => {
    const [perOwner, allOwners] = plan.rollups.filter(
      (rollup) => rollup.histogram && 'daysBetween' in Object(rollup.histogram.measure.of),
    );
    expect(perOwner?.histogram?.measure.of).toEqual({ daysBetween: ['openDate', 'closeDate'] });
    expect([perOwner?.histogram?.allOwners, allOwners?.histogram?.allOwners]).toEqual([
      false,
      true,
    ]);
    expect(plan.byMedian.get(perOwner?.histogram?.signature ?? '')).toEqual({
      perOwner,
      allOwners,
    });
    expect(plan.bySource.get(perOwner?.sourceKey ?? '')?.some((r) => r.histogram)).toBe(false);
  });

  test('a money median is kept as a histogram too (per currency, converted at read time); a median of a product is not', () => {
    const money = plan.rollups.filter(
      (rollup) => rollup.histogram && 'money' in Object(rollup.histogram.measure.of),
    );
    expect(money.map((rollup) => rollup.histogram?.allOwners)).toEqual([false, true]);
    expect(plan.byMedian.get(money[0]?.histogram?.signature ?? '')).toEqual({
      perOwner: money[0],
      allOwners: money[1],
    });
    // Its id differs from the days' histogram: each median has its own rows.
    expect(new Set(plan.rollups.filter((r) => r.histogram).map((r) => r.id)).size).toBe(4);
    const weightedMedian = defineKpi({
      ...info,
      id: 'test.weightedMedian',
      dimensions: ['owner'],
      measures: {
        median: measure.median(openDeals, { times: [{ money: 'amount' }, 'probability'] }),
      },
      value: ({ median }) => median ?? Number.NaN,
    });
    const notKept = planRollups([weightedMedian], standardObjects);
    expect(notKept.byMedian.size).toBe(0);
    expect([...notKept.skipped.values()]).toEqual([
      'the median of {"times":[{"money":"amount"},"probability"]} is not a whole-number expression',
    ]);
  });

  test('a medians-only KPI adds no measure to the fused rollups, and ids follow the definitions', () => {
    // Without the medians-only KPI (medianDeal): the same rollups but for its two histograms.
    const again = planRollups([medianCycle, attainment, winRate, weighted, leads], standardObjects);
    const dealHistograms = plan.byMedian.get(measureSignature(medianDeal.measures.median));
    expect(new Set(again.rollups.map((rollup) => rollup.id))).toEqual(
      new Set(
        plan.rollups
          .filter((r) => r !== dealHistograms?.perOwner && r !== dealHistograms?.allOwners)
          .map((rollup) => rollup.id),
      ),
    );
    expect(again.rollups.length).toBe(plan.rollups.length - 2);
    const fewer = planRollups([winRate], standardObjects);
    expect(fewer.rollups[0]?.id).not.toBe(plan.rollups[0]?.id);
  });

  test('an update touches the rollups only through the fields they read', () => {
    const fields = plan.fieldsByObject.get('opportunity');
    expect(fields && [...fields].sort()).toEqual(
      [
        'amount',
        'closeDate',
        'currency',
        'leadSource',
        'mainProductId',
        'openDate',
        'ownerId',
        'probability',
        'stage',
        'status',
      ].sort(),
    );
  });

  test('a timestamp-dated source is kept by its tenant-local month, and its timestamp is an upkeep field', () => {
    const [lead] = plan.rollups.filter((rollup) => rollup.source === newLeads);
    expect(lead && timestampDate(lead)).toBe('createdAt');
    const [closed] = plan.rollups.filter((rollup) => rollup.source === closedDeals);
    expect(closed && timestampDate(closed)).toBeUndefined();
    expect([...(plan.fieldsByObject.get('lead') ?? [])].sort()).toEqual(
      // A lead's money is in its converted deal's currency: that field keys its cells.
      ['createdAt', 'convertedOpportunityCurrency', 'ownerId'].sort(),
    );
    const touched = kpiSource({ object: 'lead', date: 'updatedAt' });
    const edits = defineKpi({
      ...info,
      id: 'test.edits',
      dimensions: ['owner'],
      measures: { edits: measure.count(touched) },
      value: ({ edits }) => edits,
    });
    expect([...planRollups([edits], standardObjects).skipped.values()]).toEqual([
      'updatedAt changes with every write',
    ]);
  });
});

describe('snapshot sources folded into a dated source', () => {
  const openByClose = kpiSource({
    object: 'opportunity',
    where: { status: 'open' },
    date: 'closeDate',
  });
  const expected = defineKpi({
    ...info,
    id: 'test.expected',
    dimensions: ['owner', 'leadSource'],
    measures: { volume: measure.sum(openByClose, { money: 'amount' }) },
    value: ({ volume }) => volume,
  });
  const lostOpen = kpiSource({ object: 'opportunity', where: { status: 'lost' } });
  const lostNow = defineKpi({
    ...info,
    id: 'test.lostNow',
    dimensions: ['owner'],
    measures: { lost: measure.count(lostOpen) },
    value: ({ lost }) => lost,
  });

  test('a snapshot with the filters of a dated source reads its rollups, which keep both sets of measures and breakdowns', () => {
    const plan = planRollups([weighted, expected, lostNow], standardObjects);
    const snapshotKey = measure.count(openDeals).source;
    const folded = plan.bySource.get(
      [...plan.bySource.keys()].find(
        (key) => plan.bySource.get(key)?.[0]?.source === openByClose,
      ) ?? '',
    );
    expect(folded?.map((rollup) => rollup.dimension?.name ?? 'total').sort()).toEqual([
      'leadSource',
      'stage',
      'total',
    ]);
    const weightedSignature = measureSignature(weighted.measures.weighted);
    const volumeSignature = measureSignature(expected.measures.volume);
    for (const rollup of folded ?? []) {
      expect(rollup.source).toBe(openByClose);
      expect(rollup.measures.has(weightedSignature)).toBe(true);
      expect(rollup.measures.has(volumeSignature)).toBe(true);
    }
    // The snapshot's own key finds the same rollups; it plans none of its own.
    const snapshotRollups = [...plan.bySource.entries()].filter(([, rollups]) =>
      rollups.some((rollup) => rollup.measures.has(weightedSignature)),
    );
    expect(snapshotRollups).toHaveLength(2);
    expect(plan.rollups.filter((rollup) => rollup.source === snapshotKey)).toEqual([]);
    // Other filters than any dated source's: the snapshot keeps a rollup of its own.
    expect(plan.rollups.filter((rollup) => rollup.source === lostOpen)).toHaveLength(1);
  });
});
