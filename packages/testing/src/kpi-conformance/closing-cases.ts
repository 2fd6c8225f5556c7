import { describe, expect, test } from 'vitest';
import {
  createDeal,
  type KpiCaseScope,
  type KpiConformanceSetup,
  useKpiWorld,
} from './kpi-conformance-context.js';

/**
 * A small company, worked out by hand (EUR base, 1 USD = 0.90 EUR):
 *
 * | deal | owner (team) | outcome | amount      | product (family)   | source  | open -> close       | days |
 * |------|--------------|---------|-------------|--------------------|---------|---------------------|------|
 * | d1   | Ana (North)  | won     | EUR 1,000   | Widget (Hardware)  | Web     | 05-01 -> 06-05      | 35   |
 * | d2   | Ana (North)  | won     | USD 2,000   | Gadget (Software)  | Web     | 06-01 -> 06-11      | 10   |
 * | d3   | Ana (North)  | lost    | EUR 500     | Widget             | Partner | 06-01 -> 06-21      | 20   |
 * | d4   | Ben (South)  | won     | EUR 3,000   | Widget             | Web     | 04-01 -> 06-30      | 90   |
 * | d5   | Ben (South)  | lost    | EUR 2,000   | Gadget             | Partner | 06-10 -> 06-15      | 5    |
 * | d6   | Ben (South)  | lost    | EUR 1,000   | Gadget             | Partner | 06-20 -> 06-25      | 5    |
 * | m1   | Cy (South)   | won     | EUR 5,000   |                    |         | 05-01 -> 05-11      | 10   |
 * | m2   | Cy (South)   | lost    | EUR 1,000   |                    |         | 05-01 -> 05-21      | 20   |
 * | o1   | Ana          | open    | EUR 9,999   |                    |         | closes 06-30        |      |
 *
 * d2 in EUR is 2,000 x 0.90 = 1,800. Loss reasons: d3 Price, d5 Timing, d6 Price, m2 Price.
 * Quotas for June: Ana EUR 5,000; Ben USD 4,000 = EUR 3,600.
 */
async function smallCompany(scope: KpiCaseScope) {
  await scope.currencies.setRate('USD', 0.9);
  const north = await scope.teams.create({ name: 'North' });
  const south = await scope.teams.create({ name: 'South' });
  const ana = await scope.users.create({ name: 'Ana', role: 'rep', teamId: north.id });
  const ben = await scope.users.create({ name: 'Ben', role: 'rep', teamId: south.id });
  const cy = await scope.users.create({ name: 'Cy', role: 'rep', teamId: south.id });
  const widget = await scope.products.create({ name: 'Widget', family: 'Hardware' });
  const gadget = await scope.products.create({ name: 'Gadget', family: 'Software' });
  const won = 'won' as const;
  const lost = 'lost' as const;
  const deals = [
    {
      owner: ana.id,
      outcome: won,
      amount: 1000_00,
      openDate: '2026-05-01',
      closeDate: '2026-06-05',
      product: widget.id,
      leadSource: 'Web',
      tier: 'A' as const,
    },
    {
      owner: ana.id,
      outcome: won,
      amount: 2000_00,
      currency: 'USD',
      openDate: '2026-06-01',
      closeDate: '2026-06-11',
      product: gadget.id,
      leadSource: 'Web',
      tier: 'B' as const,
    },
    {
      owner: ana.id,
      outcome: lost,
      amount: 500_00,
      openDate: '2026-06-01',
      closeDate: '2026-06-21',
      product: widget.id,
      leadSource: 'Partner',
      lostReason: 'Price',
      tier: 'A' as const,
    },
    {
      owner: ben.id,
      outcome: won,
      amount: 3000_00,
      openDate: '2026-04-01',
      closeDate: '2026-06-30',
      product: widget.id,
      leadSource: 'Web',
    },
    {
      owner: ben.id,
      outcome: lost,
      amount: 2000_00,
      openDate: '2026-06-10',
      closeDate: '2026-06-15',
      product: gadget.id,
      leadSource: 'Partner',
      lostReason: 'Timing',
    },
    {
      owner: ben.id,
      outcome: lost,
      amount: 1000_00,
      openDate: '2026-06-20',
      closeDate: '2026-06-25',
      product: gadget.id,
      leadSource: 'Partner',
      lostReason: 'Price',
    },
    {
      owner: cy.id,
      outcome: won,
      amount: 5000_00,
      openDate: '2026-05-01',
      closeDate: '2026-05-11',
    },
    {
      owner: cy.id,
      outcome: lost,
      amount: 1000_00,
      openDate: '2026-05-01',
      closeDate: '2026-05-21',
      lostReason: 'Price',
    },
    {
      owner: ana.id,
      outcome: 'open' as const,
      amount: 9999_00,
      openDate: '2026-06-01',
      closeDate: '2026-06-30',
    },
  ];
  for (const deal of deals) await createDeal(scope, deal);
  await scope.quotas.create({
    ownerId: ana.id,
    periodStart: '2026-06-01',
    periodEnd: '2026-06-30',
    amount: 5000_00,
  });
  await scope.quotas.create({
    ownerId: ben.id,
    periodStart: '2026-06-01',
    periodEnd: '2026-06-30',
    amount: 4000_00,
    currency: 'USD',
  });
  return { ana, ben, cy, north, south };
}

function byLabel(result: {
  breakdown: readonly { label: string | null; value: number | null }[] | null;
}) {
  return Object.fromEntries((result.breakdown ?? []).map((g) => [g.label ?? '(none)', g.value]));
}

/** @internal Hand-computed closing KPIs. */
export function closingCases(setup: KpiConformanceSetup): void {
  describe('closing KPIs on a hand-made company', () => {
    const world = useKpiWorld(setup);

    test('win rate = won / (won + lost), by owner, team, product, family, source and custom field', async () => {
      const scope = await world.tenant();
      await smallCompany(scope);
      const evaluate = (
        by?: 'owner' | 'team' | 'product' | 'productFamily' | 'leadSource' | 'custom.tier',
      ) => scope.kpis.evaluate(['closing.winRate'], { period: '2026-06', by });
      const { 'closing.winRate': total } = await evaluate();
      // June: won d1 d2 d4, lost d3 d5 d6; the open o1 does not count.
      expect(total.value).toBe(3 / 6);
      expect(total.sampleSize).toBe(6);
      // May: m1 won, m2 lost.
      expect(total.previous).toMatchObject({ value: 1 / 2, sampleSize: 2, change: 0 });
      expect(total.previous?.period.label).toBe('2026-05');
      expect(byLabel((await evaluate('owner'))['closing.winRate'])).toEqual({
        Ana: 2 / 3,
        Ben: 1 / 3,
      });
      expect(byLabel((await evaluate('team'))['closing.winRate'])).toEqual({
        North: 2 / 3,
        South: 1 / 3,
      });
      expect(byLabel((await evaluate('product'))['closing.winRate'])).toEqual({
        Widget: 2 / 3,
        Gadget: 1 / 3,
      });
      expect(byLabel((await evaluate('productFamily'))['closing.winRate'])).toEqual({
        Hardware: 2 / 3,
        Software: 1 / 3,
      });
      expect(byLabel((await evaluate('leadSource'))['closing.winRate'])).toEqual({
        Web: 1,
        Partner: 0,
      });
      // Tier A: d1 won, d3 lost; B: d2 won; no tier: d4 won, d5 d6 lost.
      expect(byLabel((await evaluate('custom.tier'))['closing.winRate'])).toEqual({
        A: 1 / 2,
        B: 1,
        '(none)': 1 / 3,
      });
    });

    test('filters, and visibility: a rep sees the win rate of his own deals', async () => {
      const scope = await world.tenant();
      const { ana, ben } = await smallCompany(scope);
      const filtered = await scope.kpis.evaluate(['closing.winRate'], {
        period: '2026-06',
        filters: { owner: ana.id },
      });
      expect(filtered['closing.winRate'].value).toBe(2 / 3);
      const asBen = world.crm().tenant(scope.tenantId).as({ id: ben.id, role: 'rep' });
      const mine = await asBen.kpis.evaluate(['closing.winRate'], {
        period: '2026-06',
        by: 'owner',
      });
      expect(mine['closing.winRate'].value).toBe(1 / 3);
      expect(byLabel(mine['closing.winRate'])).toEqual({ Ben: 1 / 3 });
    });

    test('won revenue converts USD before adding; deal size average and median', async () => {
      const scope = await world.tenant();
      await smallCompany(scope);
      const results = await scope.kpis.evaluate(
        ['closing.wonRevenue', 'closing.averageDealSize', 'closing.medianDealSize'],
        { period: '2026-06', by: 'owner' },
      );
      // 1,000 + 2,000 x 0.9 + 3,000 = 5,800 EUR.
      expect(results['closing.wonRevenue']).toMatchObject({
        value: 5800_00,
        currency: 'EUR',
        sampleSize: 3,
      });
      expect(results['closing.wonRevenue'].previous?.value).toBe(5000_00);
      expect(byLabel(results['closing.wonRevenue'])).toEqual({ Ana: 2800_00, Ben: 3000_00 });
      expect(results['closing.averageDealSize'].value).toBeCloseTo(5800_00 / 3, 6);
      // Median of 1,000, 1,800, 3,000; Ana's two deals average to 1,400.
      expect(results['closing.medianDealSize'].value).toBe(1800_00);
      expect(byLabel(results['closing.medianDealSize'])).toEqual({ Ana: 1400_00, Ben: 3000_00 });
      expect(results['closing.medianDealSize'].previous?.value).toBe(5000_00);
    });

    test('sales cycle: average and median days from open to close over closed deals', async () => {
      const scope = await world.tenant();
      await smallCompany(scope);
      const results = await scope.kpis.evaluate(
        ['closing.averageSalesCycle', 'closing.medianSalesCycle'],
        { period: '2026-06', by: 'owner' },
      );
      // 35, 10, 20, 90, 5, 5 days.
      expect(results['closing.averageSalesCycle'].value).toBeCloseTo(165 / 6, 9);
      expect(results['closing.medianSalesCycle'].value).toBeCloseTo((10 + 20) / 2, 9);
      expect(byLabel(results['closing.averageSalesCycle'])).toEqual({
        Ana: expect.closeTo(65 / 3, 9),
        Ben: expect.closeTo(100 / 3, 9),
      });
      // Ben: 5, 5, 90.
      expect(byLabel(results['closing.medianSalesCycle'])).toMatchObject({
        Ben: expect.closeTo(5, 9),
      });
      expect(results['closing.averageSalesCycle'].previous?.value).toBeCloseTo(15, 9);
    });

    test('quota attainment per rep: won / quota, quotas converted too', async () => {
      const scope = await world.tenant();
      const { ana } = await smallCompany(scope);
      const { 'closing.quotaAttainment': attainment } = await scope.kpis.evaluate(
        ['closing.quotaAttainment'],
        { period: '2026-06', by: 'owner' },
      );
      expect(attainment.value).toBeCloseTo(5800_00 / (5000_00 + 3600_00), 9);
      expect(byLabel(attainment)).toEqual({
        Ana: expect.closeTo(2800_00 / 5000_00, 9),
        Ben: expect.closeTo(3000_00 / 3600_00, 9),
      });
      // May had no quota: no value, and not a division by zero.
      expect(attainment.previous).toMatchObject({ value: null, reason: 'no quota in the period' });
      // A rep sees his own deals and, though quotas are shared records, only his own quota.
      const asAna = world.crm().tenant(scope.tenantId).as({ id: ana.id, role: 'rep' });
      const own = await asAna.kpis.evaluate(['closing.quotaAttainment'], { period: '2026-06' });
      expect(own['closing.quotaAttainment'].value).toBeCloseTo(2800_00 / 5000_00, 9);
    });

    test('loss reasons by reason', async () => {
      const scope = await world.tenant();
      await smallCompany(scope);
      const { 'closing.lossReasons': losses } = await scope.kpis.evaluate(['closing.lossReasons'], {
        period: '2026-06',
        by: 'lostReason',
      });
      expect(losses.value).toBe(3);
      expect(byLabel(losses)).toEqual({ Price: 2, Timing: 1 });
      expect(losses.breakdown?.[0]?.label).toBe('Price');
    });

    test('by account segment and campaign; a JPY deal converts with its own minor units', async () => {
      const scope = await world.tenant();
      await scope.currencies.setRate('JPY', 0.0062);
      const rep = await scope.users.create({ name: 'Ana', role: 'rep' });
      const big = await scope.accounts.create({
        name: 'Big',
        ownerId: rep.id,
        segment: 'Enterprise',
      });
      const small = await scope.accounts.create({ name: 'Small', ownerId: rep.id, segment: 'SMB' });
      const fair = await scope.campaigns.create({ name: 'Trade fair' });
      const day = { openDate: '2026-06-01', closeDate: '2026-06-10' };
      // 100,000 JPY (no minor units) x 0.0062 = EUR 620.00.
      await createDeal(scope, {
        owner: rep.id,
        outcome: 'won',
        amount: 100_000,
        currency: 'JPY',
        accountId: big.id,
        campaignId: fair.id,
        ...day,
      });
      await createDeal(scope, {
        owner: rep.id,
        outcome: 'won',
        amount: 1000_00,
        accountId: small.id,
        ...day,
      });
      await createDeal(scope, {
        owner: rep.id,
        outcome: 'lost',
        amount: 500_00,
        accountId: small.id,
        campaignId: fair.id,
        ...day,
      });
      const bySegment = await scope.kpis.evaluate(['closing.winRate', 'closing.wonRevenue'], {
        period: '2026-06',
        by: 'accountSegment',
      });
      expect(bySegment['closing.wonRevenue'].value).toBeCloseTo(620_00 + 1000_00, 6);
      expect(byLabel(bySegment['closing.winRate'])).toEqual({ Enterprise: 1, SMB: 1 / 2 });
      expect(byLabel(bySegment['closing.wonRevenue'])).toEqual({
        Enterprise: expect.closeTo(620_00, 6),
        SMB: 1000_00,
      });
      const byCampaign = await scope.kpis.evaluate(['closing.winRate'], {
        period: '2026-06',
        by: 'campaign',
      });
      expect(byLabel(byCampaign['closing.winRate'])).toEqual({ 'Trade fair': 1 / 2, '(none)': 1 });
    });

    test('an empty period: every closing KPI says there is no data instead of dividing by zero', async () => {
      const scope = await world.tenant();
      await smallCompany(scope);
      const results = await scope.kpis.evaluate(
        [
          'closing.winRate',
          'closing.wonRevenue',
          'closing.averageDealSize',
          'closing.medianDealSize',
          'closing.averageSalesCycle',
          'closing.medianSalesCycle',
          'closing.quotaAttainment',
          'closing.lossReasons',
        ],
        { period: '2026-08' },
      );
      expect(results['closing.winRate']).toMatchObject({
        value: null,
        reason: 'no closed opportunities',
        sampleSize: 0,
        interval: null,
      });
      expect(results['closing.wonRevenue']).toMatchObject({ value: 0, sampleSize: 0 });
      expect(results['closing.averageDealSize']).toMatchObject({
        value: null,
        reason: 'no won opportunities',
      });
      expect(results['closing.medianDealSize']).toMatchObject({
        value: null,
        reason: 'no won opportunities',
      });
      expect(results['closing.averageSalesCycle']).toMatchObject({
        value: null,
        reason: 'no closed opportunities',
      });
      expect(results['closing.medianSalesCycle']).toMatchObject({
        value: null,
        reason: 'no closed opportunities',
      });
      expect(results['closing.quotaAttainment']).toMatchObject({
        value: null,
        reason: 'no quota in the period',
      });
      expect(results['closing.lossReasons']).toMatchObject({ value: 0 });
      // July before it was empty too: no relative change from nothing.
      expect(results['closing.wonRevenue'].previous).toMatchObject({
        value: 0,
        change: 0,
        relativeChange: null,
      });
    });

    test('quarter and fiscal year: June is in 2026-Q2 and, with an April start, in FY2027-Q1', async () => {
      const scope = await world.tenant({ fiscalYearStartMonth: 4 });
      await smallCompany(scope);
      const quarter = await scope.kpis.evaluate(['closing.winRate'], { period: '2026-Q2' });
      // Q2 = April..June: June's 3/6 plus May's 1/2.
      expect(quarter['closing.winRate'].value).toBe(4 / 8);
      const fiscal = await scope.kpis.evaluate(['closing.winRate'], { period: 'FY2027-Q1' });
      expect(fiscal['closing.winRate'].period).toMatchObject({
        start: '2026-04-01',
        end: '2026-07-01',
      });
      expect(fiscal['closing.winRate'].value).toBe(4 / 8);
      expect(fiscal['closing.winRate'].previous?.period.label).toBe('FY2026-Q4');
      expect(fiscal['closing.winRate'].previous?.value).toBeNull();
    });
  });
}
