import { describe, expect, test } from 'vitest';
import {
  createDeal,
  type KpiCaseScope,
  type KpiCaseWorld,
  type KpiConformanceSetup,
  useKpiWorld,
} from './kpi-conformance-context.js';

/**
 * A pipeline on 15 June 2026, worked out by hand (EUR base, 1 USD = 0.90 EUR):
 *
 * | deal | owner | stage (probability)      | amount (EUR)        | close | next step | created | last activity |
 * |------|-------|--------------------------|---------------------|-------|-----------|---------|---------------|
 * | o1   | Ana   | Prospecting (10)         | 10,000              | 06-20 | Call      | 06-01   |               |
 * | o2   | Ana   | Value Proposition (50)   | USD 20,000 = 18,000 | 07-10 | Demo      | 04-01   |               |
 * | o3   | Ben   | Negotiation/Review (90)  | 5,000               | 06-01 |           | 06-01   |               |
 * | o4   | Ben   | Qualification (10)       | 7,000               | 07-20 | Call      | 04-01   | 06-10         |
 *
 * Closed in June: Ana won 4,000 (open 05-01, 35 days), Ben lost 1,000 (open 06-01, 10 days).
 * Quotas for June: Ana 20,000, Ben 10,000.
 */
async function pipelineWorld(world: KpiCaseWorld, scope: KpiCaseScope) {
  await scope.currencies.setRate('USD', 0.9);
  const ana = await scope.users.create({ name: 'Ana', role: 'rep' });
  const ben = await scope.users.create({ name: 'Ben', role: 'rep' });
  world.at('2026-04-01T09:00:00.000Z');
  const o2 = await createDeal(scope, {
    owner: ana.id,
    amount: 20000_00,
    currency: 'USD',
    stage: 'Value Proposition',
    closeDate: '2026-07-10',
    nextStep: 'Demo',
  });
  const o4 = await createDeal(scope, {
    owner: ben.id,
    amount: 7000_00,
    stage: 'Qualification',
    closeDate: '2026-07-20',
    nextStep: 'Call',
  });
  world.at('2026-06-01T09:00:00.000Z');
  await createDeal(scope, {
    owner: ana.id,
    amount: 10000_00,
    stage: 'Prospecting',
    closeDate: '2026-06-20',
    nextStep: 'Call',
  });
  const o3 = await createDeal(scope, {
    owner: ben.id,
    amount: 5000_00,
    stage: 'Negotiation/Review',
    closeDate: '2026-06-01',
  });
  await createDeal(scope, {
    owner: ana.id,
    amount: 4000_00,
    outcome: 'won',
    openDate: '2026-05-01',
    closeDate: '2026-06-05',
  });
  await createDeal(scope, {
    owner: ben.id,
    amount: 1000_00,
    outcome: 'lost',
    openDate: '2026-06-01',
    closeDate: '2026-06-11',
  });
  await scope.activities.create({
    type: 'call',
    subject: 'Follow-up',
    ownerId: ben.id,
    opportunityId: o4.id,
    completedAt: '2026-06-10T10:00:00.000Z',
  });
  await scope.quotas.create({
    ownerId: ana.id,
    periodStart: '2026-06-01',
    periodEnd: '2026-06-30',
    amount: 20000_00,
  });
  await scope.quotas.create({
    ownerId: ben.id,
    periodStart: '2026-06-01',
    periodEnd: '2026-06-30',
    amount: 10000_00,
  });
  world.at('2026-06-15T09:00:00.000Z');
  return { ana, ben, o2, o3 };
}

function byLabel(result: {
  breakdown: readonly { label: string | null; value: number | null }[] | null;
}) {
  return Object.fromEntries((result.breakdown ?? []).map((g) => [g.label ?? '(none)', g.value]));
}

/** @internal Hand-computed pipeline KPIs. */
export function pipelineCases(setup: KpiConformanceSetup): void {
  describe('pipeline KPIs on a hand-made pipeline', () => {
    const world = useKpiWorld(setup);

    test('open pipeline count and value by stage; weighted pipeline = amount x probability', async () => {
      const scope = await world.tenant();
      await pipelineWorld(world, scope);
      const byStage = await scope.kpis.evaluate(['pipeline.openCount', 'pipeline.openValue'], {
        period: '2026-06',
        by: 'stage',
      });
      expect(byStage['pipeline.openCount'].value).toBe(4);
      expect(byLabel(byStage['pipeline.openCount'])).toEqual({
        Prospecting: 1,
        Qualification: 1,
        'Value Proposition': 1,
        'Negotiation/Review': 1,
      });
      // 10,000 + 18,000 + 5,000 + 7,000.
      expect(byStage['pipeline.openValue'].value).toBe(40000_00);
      expect(byLabel(byStage['pipeline.openValue'])).toMatchObject({
        'Value Proposition': 18000_00,
      });
      // A snapshot has no previous period.
      expect(byStage['pipeline.openValue'].previous).toBeNull();
      const weighted = await scope.kpis.evaluate(['pipeline.weightedValue'], { by: 'owner' });
      // 10% of 10,000 + 50% of 18,000 + 90% of 5,000 + 10% of 7,000.
      expect(weighted['pipeline.weightedValue'].value).toBeCloseTo(15200_00, 6);
      expect(byLabel(weighted['pipeline.weightedValue'])).toEqual({
        Ana: expect.closeTo(10000_00, 6),
        Ben: expect.closeTo(5200_00, 6),
      });
    });

    test('expected close volume per period, and coverage = closing pipeline / remaining quota', async () => {
      const scope = await world.tenant();
      await pipelineWorld(world, scope);
      const june = await scope.kpis.evaluate(
        ['pipeline.expectedCloseVolume', 'pipeline.coverage'],
        { period: '2026-06', by: 'owner' },
      );
      // o1 and o3 close in June; o2 and o4 in July.
      expect(june['pipeline.expectedCloseVolume']).toMatchObject({
        value: 15000_00,
        sampleSize: 2,
      });
      const july = await scope.kpis.evaluate(['pipeline.expectedCloseVolume'], {
        period: '2026-07',
      });
      expect(july['pipeline.expectedCloseVolume'].value).toBe(25000_00);
      expect(july['pipeline.expectedCloseVolume'].previous?.value).toBe(15000_00);
      // 15,000 / (30,000 quota - 4,000 won).
      expect(june['pipeline.coverage'].value).toBeCloseTo(15000 / 26000, 9);
      expect(byLabel(june['pipeline.coverage'])).toEqual({
        Ana: expect.closeTo(10000 / 16000, 9),
        Ben: expect.closeTo(5000 / 10000, 9),
      });
      const august = await scope.kpis.evaluate(['pipeline.coverage'], { period: '2026-08' });
      expect(august['pipeline.coverage']).toMatchObject({
        value: null,
        reason: 'no quota in the period',
      });
    });

    test('sales velocity = open deals x average won deal x win rate / average cycle', async () => {
      const scope = await world.tenant();
      await pipelineWorld(world, scope);
      const { 'pipeline.salesVelocity': velocity } = await scope.kpis.evaluate(
        ['pipeline.salesVelocity'],
        { period: '2026-06' },
      );
      // 4 open x 4,000 x 1/2 / ((35 + 10) / 2 days).
      expect(velocity.value).toBeCloseTo((4 * 4000_00 * 0.5) / 22.5, 6);
      expect(velocity.unit).toBe('money');
      // May had no closed deals.
      expect(velocity.previous).toMatchObject({ value: null, reason: 'no won opportunities' });
    });

    test('unrealistic planning lists the deals and why: past close date, no next step, no activity for 30 days', async () => {
      const scope = await world.tenant();
      const { o2, o3 } = await pipelineWorld(world, scope);
      const { 'pipeline.unrealisticPlanning': planning } = await scope.kpis.evaluate(
        ['pipeline.unrealisticPlanning'],
        { by: 'owner' },
      );
      expect(planning.value).toBe(2);
      expect(planning.items.map((deal) => [deal.id, deal.issues])).toEqual([
        [o3.id, ['pastCloseDate', 'noNextStep']],
        [o2.id, ['noRecentActivity']],
      ]);
      expect(planning.items[1]).toMatchObject({
        ownerName: 'Ana',
        amount: 18000_00,
        closeDate: '2026-07-10',
        lastActivityAt: null,
      });
      expect(byLabel(planning)).toEqual({ Ana: 1, Ben: 1 });
      expect(planning.previous).toBeNull();
      expect(planning.itemCount).toBe(2);
    });

    test('unrealistic planning lists one page of the deals with how many there are in all', async () => {
      const scope = await world.tenant();
      await pipelineWorld(world, scope);
      const ids = ['pipeline.unrealisticPlanning'] as const;
      const all = (await scope.kpis.evaluate(ids))['pipeline.unrealisticPlanning'];
      const page = async (items: { limit?: number; offset?: number }) =>
        (await scope.kpis.evaluate(ids, { items }))['pipeline.unrealisticPlanning'];
      const first = await page({ limit: 1 });
      expect(first.items).toEqual(all.items.slice(0, 1));
      expect(first).toMatchObject({ value: 2, itemCount: 2, sampleSize: 2 });
      const second = await page({ limit: 1, offset: 1 });
      expect(second.items).toEqual(all.items.slice(1, 2));
      expect(second.itemCount).toBe(2);
      // Past the last deal: no items, and still the count.
      const past = await page({ limit: 10, offset: 5 });
      expect(past).toMatchObject({ items: [], itemCount: 2, value: 2 });
      // With a breakdown, the groups count and the total lists the same page.
      const grouped = (await scope.kpis.evaluate(ids, { by: 'owner', items: { limit: 1 } }))[
        'pipeline.unrealisticPlanning'
      ];
      expect(grouped.items).toEqual(first.items);
      expect(byLabel(grouped)).toEqual({ Ana: 1, Ben: 1 });
      for (const items of [{ limit: 0 }, { limit: 1001 }, { limit: 1.5 }, { offset: -1 }]) {
        const path = ['items', 'limit' in items ? 'limit' : 'offset'];
        await expect(scope.kpis.evaluate(ids, { items })).rejects.toMatchObject({
          code: 'VALIDATION',
          issues: [expect.objectContaining({ path })],
        });
      }
    });
  });

  describe('stage history KPIs', () => {
    const world = useKpiWorld(setup);

    /**
     * h1: Prospecting 06-01, Qualification 06-04, Closed Lost 06-11.
     * h2: Prospecting 06-02, Qualification 06-12.
     * h3: Prospecting 06-03, an amount change 06-05 (not a stage entry).
     */
    async function history(scope: KpiCaseScope) {
      const rep = await scope.users.create({ name: 'Ana', role: 'rep' });
      const at = (day: string) => world.at(`2026-06-${day}T09:00:00.000Z`);
      const create = () =>
        createDeal(scope, {
          owner: rep.id,
          amount: 1000_00,
          stage: 'Prospecting',
          closeDate: '2026-07-31',
        });
      at('01');
      const h1 = await create();
      at('02');
      const h2 = await create();
      at('03');
      const h3 = await create();
      at('04');
      const h1b = await scope.opportunities.changeStage(h1.id, {
        version: h1.version,
        stage: 'Qualification',
      });
      at('05');
      await scope.opportunities.update(h3.id, { version: h3.version, amount: 2000_00 });
      at('11');
      await scope.opportunities.closeLost(h1.id, { version: h1b.version, lostReason: 'Price' });
      at('12');
      await scope.opportunities.changeStage(h2.id, { version: h2.version, stage: 'Qualification' });
      world.at('2026-06-15T09:00:00.000Z');
    }

    test('stage-to-stage conversion from stage history', async () => {
      const scope = await world.tenant();
      await history(scope);
      const { 'pipeline.stageConversion': conversion } = await scope.kpis.evaluate(
        ['pipeline.stageConversion'],
        { period: '2026-06', by: 'stage' },
      );
      // Prospecting: 3 entries, h1 and h2 moved on. Qualification: 2 entries, h1 was lost, h2 stays.
      expect(conversion.value).toBe(2 / 5);
      expect(byLabel(conversion)).toEqual({ Prospecting: 2 / 3, Qualification: 0 });
      expect(conversion.interval).not.toBeNull();
      expect(conversion.previous).toMatchObject({ value: null, sampleSize: 0 });
    });

    test('average time in stage over finished stays', async () => {
      const scope = await world.tenant();
      await history(scope);
      const { 'pipeline.averageTimeInStage': time } = await scope.kpis.evaluate(
        ['pipeline.averageTimeInStage'],
        { period: '2026-06', by: 'stage' },
      );
      // Prospecting: h1 3 days, h2 10 days; Qualification: h1 7 days until lost.
      expect(time.value).toBeCloseTo(20 / 3, 9);
      expect(time.sampleSize).toBe(3);
      expect(byLabel(time)).toEqual({
        Prospecting: expect.closeTo(6.5, 9),
        Qualification: expect.closeTo(7, 9),
      });
    });

    test('both stage KPIs, both periods and the labels come from one stage history query per breakdown', async () => {
      const scope = await world.tenant();
      await history(scope);
      // July has no stage entries; its previous period, June, has the entries of the tests above.
      const ids = ['pipeline.stageConversion', 'pipeline.averageTimeInStage'] as const;
      world.log().reset();
      const results = await scope.kpis.evaluate(ids, { period: '2026-07', by: 'owner' });
      const overHistory = world.log().statements.filter((s) => /from "stage_history"/.test(s));
      // By owner, for July and June at once, and the total added up from the groups (8 if
      // every KPI, range and breakdown ran its own); none with rollups (their facts' rollup).
      expect(overHistory).toHaveLength(setup.options.rollups ? 0 : 1);
      const conversion = results['pipeline.stageConversion'];
      const time = results['pipeline.averageTimeInStage'];
      expect(conversion).toMatchObject({ value: null, sampleSize: 0 });
      expect(conversion.previous).toMatchObject({ value: 2 / 5, sampleSize: 5 });
      expect(time.value).toBeNull();
      expect(time.previous?.value).toBeCloseTo(20 / 3, 9);
      expect(time.previous?.sampleSize).toBe(3);
      // No owner has July entries, so the breakdown lists nobody; June's figures are the same
      // when June is the evaluated period.
      expect(conversion.breakdown).toEqual([]);
      const june = await scope.kpis.evaluate(ids, { period: '2026-06', by: 'owner' });
      expect(byLabel(june['pipeline.stageConversion'])).toEqual({ Ana: 2 / 5 });
      expect(byLabel(june['pipeline.averageTimeInStage'])).toEqual({
        Ana: expect.closeTo(20 / 3, 9),
      });
      expect(june['pipeline.averageTimeInStage'].breakdown?.[0]?.sampleSize).toBe(3);
      // The totals added up from the groups are the totals of the query without groups.
      for (const by of ['owner', 'stage'] as const) {
        const grouped = await scope.kpis.evaluate(ids, { period: '2026-06', by });
        const plain = await scope.kpis.evaluate(ids, { period: '2026-06' });
        for (const id of ids) {
          const { breakdown: _grouped, ...total } = grouped[id];
          const { breakdown: _none, ...alone } = plain[id];
          expect(total).toEqual(alone);
        }
      }
    });

    test('timestamps fall into the period of the tenant time zone', async () => {
      const scope = await world.tenant({ timeZone: 'Europe/Berlin' });
      const rep = await scope.users.create({ name: 'Ana', role: 'rep' });
      // 23:30 on 30 June in Berlin, and 00:30 on 1 July in Berlin.
      world.at('2026-06-30T21:30:00.000Z');
      await createDeal(scope, {
        owner: rep.id,
        amount: 100_00,
        stage: 'Prospecting',
        closeDate: '2026-07-31',
      });
      world.at('2026-06-30T22:30:00.000Z');
      await createDeal(scope, {
        owner: rep.id,
        amount: 100_00,
        stage: 'Prospecting',
        closeDate: '2026-07-31',
      });
      const { 'pipeline.stageConversion': july } = await scope.kpis.evaluate(
        ['pipeline.stageConversion'],
        { period: '2026-07' },
      );
      expect(july.sampleSize).toBe(1);
      expect(july.previous?.sampleSize).toBe(1);
    });
  });
}
