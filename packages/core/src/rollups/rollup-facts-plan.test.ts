import { describe, expect, test } from 'vitest';
import { defineKpi } from '../kpi/kpi-definition.js';
import { type AnyKpiFacts, kpiFacts } from '../kpi/kpi-facts.js';
import { kpiSource } from '../kpi/kpi-source.js';
import { standardObjects } from '../objects/standard-objects.js';
import { planRollups } from './rollup-plan.js';

const info = {
  group: 'test',
  title: { en: 'Test', de: 'Test' },
  description: 'a KPI of the facts planner tests',
  unit: 'count',
  direction: 'higher',
} as const;

const entries = kpiFacts({
  key: 'test.entries',
  source: kpiSource({ object: 'stageHistory', where: { status: 'open' }, date: 'createdAt' }),
  differ: ['previousStage', 'stage'],
  facts: { entered: { count: true }, ms: { millisecondsBetween: ['createdAt', 'exitedAt'] } },
});

const entryKpi = (id: string, facts: readonly AnyKpiFacts[]) =>
  defineKpi({
    ...info,
    id,
    dimensions: ['owner', 'stage', 'product', 'leadSource', 'accountSegment'],
    facts,
    async query() {
      return [];
    },
  });

describe('facts rollups', () => {
  test('one per kept dimension: the row’s own field, else its opportunity’s; owner and segment none', () => {
    const plan = planRollups([entryKpi('test.a', [entries])], standardObjects);
    const rollups = plan.byFacts.get('test.entries') ?? [];
    expect(rollups.map((rollup) => rollup.dimension ?? null)).toEqual([
      null,
      { name: 'stage', field: 'stage' },
      { name: 'leadSource', field: 'leadSource', onParent: true },
      { name: 'product', field: 'mainProductId', onParent: true },
    ]);
    expect(rollups.every((rollup) => rollup.facts?.via === 'opportunityId')).toBe(true);
    expect(rollups[0]?.facts?.slots).toEqual([
      { name: 'entered', index: 1 },
      { name: 'ms', index: 2 },
    ]);
    // No fused source reads them; a deal's owner and its kept fields move its entries.
    expect([...plan.bySource.values()].flat()).not.toContain(rollups[0]);
    expect([...(plan.children.get('opportunity')?.fields ?? [])].sort()).toEqual([
      'leadSource',
      'mainProductId',
      'ownerId',
    ]);
    expect([...(plan.fieldsByObject.get('stageHistory') ?? [])].sort()).toEqual([
      'createdAt',
      'exitedAt',
      'opportunityId',
      'previousStage',
      'stage',
      'status',
    ]);
  });

  test('two KPIs that read the same facts share their rollups; the content names them', () => {
    const once = planRollups([entryKpi('test.a', [entries])], standardObjects);
    const twice = planRollups(
      [entryKpi('test.a', [entries]), entryKpi('test.b', [entries])],
      standardObjects,
    );
    expect(twice.byFacts.get('test.entries')?.map((rollup) => rollup.id)).toEqual(
      once.byFacts.get('test.entries')?.map((rollup) => rollup.id),
    );
    const other = kpiFacts({ ...entries, facts: { entered: { count: true } } });
    const changed = planRollups([entryKpi('test.a', [other])], standardObjects);
    expect(changed.byFacts.get('test.entries')?.[0]?.id).not.toBe(
      once.byFacts.get('test.entries')?.[0]?.id,
    );
  });

  test('rows that do not belong to an opportunity are not kept, and say why', () => {
    const leads = kpiFacts({
      key: 'test.leads',
      source: kpiSource({ object: 'lead', date: 'createdAt' }),
      facts: { leads: { count: true } },
    });
    const kpi = defineKpi({
      ...info,
      id: 'test.leads',
      dimensions: ['owner'],
      facts: [leads],
      async query() {
        return [];
      },
    });
    const plan = planRollups([kpi], standardObjects);
    expect(plan.byFacts.get('test.leads')).toBeUndefined();
    expect(plan.skipped.get('facts:test.leads')).toMatch(/belong to an opportunity/);
  });
});
