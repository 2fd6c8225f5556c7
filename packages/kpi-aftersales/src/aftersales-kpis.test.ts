import { randomBytes } from 'node:crypto';
import { type Actor, createCrm, isRapportError, type RapportStorage } from '@rapport/core';
import { postgresStorage } from '@rapport/postgres';
import { sqliteStorage } from '@rapport/sqlite';
import { countQueries, type QueryLog } from '@rapport/testing';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { aftersalesKpis, aftersalesPlugin, createAftersalesPlugin } from './aftersales-plugin.js';

// The same hand-worked cases run on SQLite and on Postgres (when reachable; required under CI),
// so the aftersales KPIs agree on both.
const postgresUrl = process.env.RAPPORT_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
async function probePostgres(): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
const postgresUp = await probePostgres();
if (!postgresUp && process.env.CI === 'true')
  throw new Error(`Postgres at ${postgresUrl} is required under CI=true`);
const schemas: string[] = [];
afterAll(async () => {
  if (schemas.length === 0) return;
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  for (const schema of schemas) await client.query(`drop schema if exists "${schema}" cascade`);
  await client.end();
});
const backends: readonly { readonly name: string; readonly storage: () => RapportStorage }[] = [
  { name: 'sqlite', storage: () => sqliteStorage() },
  {
    name: 'postgres',
    storage: () => {
      const schema = `kpi_aftersales_${randomBytes(4).toString('hex')}`;
      schemas.push(schema);
      return postgresStorage({ connectionString: postgresUrl, schema, max: 4 });
    },
  },
];

async function openCrm(storage: RapportStorage, plugin: typeof aftersalesPlugin) {
  const crm = createCrm({
    storage,
    plugins: [plugin],
    now: () => new Date('2026-06-15T12:00:00.000Z'),
  });
  await crm.migrate();
  return crm;
}

function bySegment(result: {
  breakdown: readonly { label: string | null; value: number | null }[] | null;
}) {
  return Object.fromEntries(result.breakdown!.map((g) => [g.label ?? 'none', g.value]));
}

for (const { name, storage } of backends) {
  describe.skipIf(name === 'postgres' && !postgresUp)(`aftersales KPIs on ${name}`, () => {
    let opened: Awaited<ReturnType<typeof openCrm>> | undefined;
    // The default engine logs its statements (same driver, same SQL) for the cost tests.
    let log: QueryLog | undefined;
    const extra: Awaited<ReturnType<typeof openCrm>>[] = [];
    let tenants = 0;
    const crm = () => opened!;
    beforeAll(async () => {
      const counted = countQueries(storage());
      log = counted.log;
      opened = await openCrm(counted.storage, aftersalesPlugin);
    });
    afterAll(async () => {
      for (const engine of [opened, ...extra]) await engine?.destroy();
    });

    async function setup(plugin?: typeof aftersalesPlugin) {
      // Another plugin (options) needs its own engine; the default one is shared by the cases.
      const engine = plugin ? await openCrm(storage(), plugin) : crm();
      if (plugin) extra.push(engine);
      tenants += 1;
      const tenantId = `acme-${tenants}`;
      await engine.createTenant({ id: tenantId, name: 'Acme', baseCurrency: 'EUR' });
      const admin = engine.tenant(tenantId).system();
      const scopeAs = (actor: Actor) => engine.tenant(tenantId).as(actor);
      // 1 USD = 0.75 EUR: exact in binary, so converted money compares exactly.
      await admin.currencies.setRate('USD', 0.75);
      const ana = await admin.users.create({ name: 'Ana', role: 'rep' });
      const ben = await admin.users.create({ name: 'Ben', role: 'rep' });
      const account = (name: string, segment: string, ownerId: string) =>
        admin.accounts.create({ name, segment, ownerId });
      const contract = (
        customer: { readonly id: string; readonly ownerId: string },
        monthlyAmount: number,
        startDate: string,
        endDate: string | null,
        extra: { currency?: string; status?: 'Draft' | 'Cancelled'; renewalOfId?: string } = {},
      ) =>
        admin.contracts.create({
          accountId: customer.id,
          ownerId: customer.ownerId,
          monthlyAmount,
          startDate,
          endDate,
          ...extra,
        });
      return { admin, scopeAs, ana, ben, account, contract };
    }

    /**
     * Contracts (monthly amounts in EUR unless said), March 2026 the period, February the previous:
     *
     * | account | segment    | owner | contracts                                                        |
     * |---------|------------|-------|------------------------------------------------------------------|
     * | A       | SMB        | Ana   | A1 100, 2025-01-01..2026-03-31 (ends in March: churns)           |
     * | B       | SMB        | Ana   | B1 200, 2025-06-01..open; B2 50, 2026-03-15..open (expansion)    |
     * | C       | Enterprise | Ben   | C1 400, 2025-01-01..2026-03-10; C2 300 (renews C1) 03-11..open   |
     * | D       | Enterprise | Ben   | D1 1,000 USD = 750 EUR, 2026-03-20..open (new in March)          |
     * | E       | SMB        | Ben   | E1 500, Draft (never counts)                                     |
     * | F       | Enterprise | Ben   | F1 300 Cancelled, 2025-10-01..2026-02-28 (churns in February)    |
     *
     * March: on 03-01 A 100, B 200, C 400 are customers (MRR 700); on 04-01 A has none (churned),
     * B 250 (+50), C 300 (-100), D 750 (new, not in the cohort). On 03-31: A 100, B 250, C 300, D 750.
     * February: on 02-01 A 100, B 200, C 400, F 300 (MRR 1,000); on 03-01 F has none. On 02-28 the same four.
     */
    async function contracts(plugin?: typeof aftersalesPlugin) {
      const world = await setup(plugin);
      const { account, contract, ana, ben } = world;
      const a = await account('A', 'SMB', ana.id);
      const b = await account('B', 'SMB', ana.id);
      const c = await account('C', 'Enterprise', ben.id);
      const d = await account('D', 'Enterprise', ben.id);
      const e = await account('E', 'SMB', ben.id);
      const f = await account('F', 'Enterprise', ben.id);
      await contract(a, 100_00, '2025-01-01', '2026-03-31');
      await contract(b, 200_00, '2025-06-01', null);
      await contract(b, 50_00, '2026-03-15', null);
      const c1 = await contract(c, 400_00, '2025-01-01', '2026-03-10');
      await contract(c, 300_00, '2026-03-11', null, { renewalOfId: c1.id });
      await contract(d, 1000_00, '2026-03-20', null, { currency: 'USD' });
      await contract(e, 500_00, '2026-01-01', null, { status: 'Draft' });
      await contract(f, 300_00, '2025-10-01', '2026-02-28', { status: 'Cancelled' });
      return { ...world, a, b, c, d, e, f };
    }

    describe('aftersales revenue KPIs on hand-made contracts', () => {
      test('aftersales.churnRate: 1 of 3 customers lost in March, 1 of 4 in February', async () => {
        const { admin } = await contracts();
        const { 'aftersales.churnRate': churn } = await admin.kpis.evaluate(
          ['aftersales.churnRate'],
          {
            period: '2026-03',
            by: 'accountSegment',
          },
        );
        // Cohort on 03-01: A, B, C; A has no active contract on 04-01. D is new, E a draft, F gone.
        expect(churn.value).toBe(1 / 3);
        expect(churn.sampleSize).toBe(3);
        expect(churn.interval!.lower).toBeGreaterThan(0);
        expect(churn.interval!.upper).toBeLessThan(1);
        // February: A, B, C, F on 02-01; F (ended 02-28) has nothing on 03-01: 1 / 4.
        expect(churn.previous?.value).toBe(1 / 4);
        expect(churn.previous?.change).toBeCloseTo(1 / 3 - 1 / 4, 12);
        // SMB: A churned, B stayed (1/2); Enterprise: C stayed (0/1). The parts add up: 2 + 1 = 3.
        expect(bySegment(churn)).toEqual({ SMB: 1 / 2, Enterprise: 0 });
        expect(churn.breakdown!.reduce((sum, g) => sum + g.sampleSize, 0)).toBe(churn.sampleSize);
      });

      test('aftersales.revenueChurn, grossRevenueRetention, netRevenueRetention, expansionRevenue', async () => {
        const { admin } = await contracts();
        const results = await admin.kpis.evaluate(
          [
            'aftersales.revenueChurn',
            'aftersales.grossRevenueRetention',
            'aftersales.netRevenueRetention',
            'aftersales.expansionRevenue',
          ],
          { period: '2026-03', by: 'accountSegment' },
        );
        // MRR on 03-01: 100 + 200 + 400 = 700. Churned: A's 100. Contraction: C 400 -> 300 = 100.
        // Expansion: B 200 -> 250 = 50. D's 750 is new business, not expansion.
        expect(results['aftersales.revenueChurn'].value).toBe((100_00 + 100_00) / 700_00);
        expect(results['aftersales.grossRevenueRetention'].value).toBe(
          (700_00 - 100_00 - 100_00) / 700_00,
        );
        expect(results['aftersales.netRevenueRetention'].value).toBe(
          (700_00 - 100_00 - 100_00 + 50_00) / 700_00,
        );
        const expansion = results['aftersales.expansionRevenue'];
        expect(expansion.value).toBe(50_00);
        expect(expansion.currency).toBe('EUR');
        expect(bySegment(expansion)).toEqual({ SMB: 50_00, Enterprise: 0 });
        expect(expansion.breakdown!.reduce((sum, g) => sum + (g.value ?? 0), 0)).toBe(
          expansion.value,
        );
        // By segment, SMB: start 300, churned 100 -> GRR 200/300, NRR 250/300; Enterprise: 300/400.
        expect(bySegment(results['aftersales.grossRevenueRetention'])).toEqual({
          SMB: 200 / 300,
          Enterprise: 300 / 400,
        });
        expect(bySegment(results['aftersales.netRevenueRetention'])).toEqual({
          SMB: 250 / 300,
          Enterprise: 300 / 400,
        });
        // February: MRR 1,000 on 02-01; F's 300 churned, nobody changed: 0.3, GRR = NRR = 0.7.
        expect(results['aftersales.revenueChurn'].previous?.value).toBe(300_00 / 1000_00);
        expect(results['aftersales.grossRevenueRetention'].previous?.value).toBe(700_00 / 1000_00);
        expect(results['aftersales.netRevenueRetention'].previous?.value).toBe(700_00 / 1000_00);
        expect(expansion.previous?.value).toBe(0);
      });

      test('aftersales.arpa: MRR 1,400 / 4 customers on March 31st', async () => {
        const { admin } = await contracts();
        const { 'aftersales.arpa': arpa } = await admin.kpis.evaluate(['aftersales.arpa'], {
          period: '2026-03',
          by: 'accountSegment',
        });
        // A 100 (its last day), B 250, C 300, D 1,000 USD x 0.75 = 750: 1,400 / 4 = 350.
        expect(arpa.value).toBe(350_00);
        expect(arpa.sampleSize).toBe(4);
        // SMB: (100 + 250) / 2; Enterprise: (300 + 750) / 2.
        expect(bySegment(arpa)).toEqual({ SMB: 175_00, Enterprise: 525_00 });
        // February 28th: A 100, B 200, C 400, F 300 = 1,000 / 4.
        expect(arpa.previous?.value).toBe(250_00);
        expect(arpa.previous?.change).toBe(100_00);
      });

      test('aftersales.historicalLifetimeValue: contract revenue to March 31st / 5 customers', async () => {
        const { admin } = await contracts();
        const { 'aftersales.historicalLifetimeValue': clv } = await admin.kpis.evaluate(
          ['aftersales.historicalLifetimeValue'],
          { period: '2026-03' },
        );
        // Monthly amount (EUR) x days from start to min(end, 03-31), both inclusive:
        // A1 100 x 455 (365 + 31 + 28 + 31), B1 200 x 304 (214 in 2025 + 90), B2 50 x 17,
        // C1 400 x 434 (365 + 31 + 28 + 10), C2 300 x 21, D1 750 x 12, F1 300 x 151.
        // = 45,500 + 60,800 + 850 + 173,600 + 6,300 + 9,000 + 45,300 = 341,350 EUR-days;
        // x 12 / 365 months per day, / 5 customers (A, B, C, D, F; E has only a draft).
        expect(clv.value).toBeCloseTo((341_350_00 * 12) / 365 / 5, 6);
        expect(clv.sampleSize).toBe(5);
        // February 28th: A1 100 x 424, B1 200 x 273, C1 400 x 424, F1 300 x 151 over A, B, C, F.
        const february = 100 * 424 + 200 * 273 + 400 * 424 + 300 * 151;
        expect(clv.previous?.value).toBeCloseTo((february * 100 * 12) / 365 / 4, 6);
      });

      test('aftersales.predictiveLifetimeValue: ARPA x margin x months / churn rate', async () => {
        const { admin } = await contracts();
        const results = await admin.kpis.evaluate(['aftersales.predictiveLifetimeValue'], {
          period: '2026-03',
        });
        // 350 EUR x 0.8 (the default margin) x 1 month / (1/3) = 840 EUR.
        expect(results['aftersales.predictiveLifetimeValue'].value).toBeCloseTo(840_00, 6);
        // February: 250 x 0.8 x 1 / (1/4) = 800 EUR.
        expect(results['aftersales.predictiveLifetimeValue'].previous?.value).toBeCloseTo(
          800_00,
          6,
        );
        // Q1: cohort on 01-01 is A, B, C, F; A and F have nothing on 04-01: churn 2/4 per quarter.
        // ARPA on 03-31 is 350, a quarter is 3 months: 350 x 0.8 x 3 / 0.5 = 1,680 EUR.
        const quarter = await admin.kpis.evaluate(['aftersales.predictiveLifetimeValue'], {
          period: '2026-Q1',
        });
        expect(quarter['aftersales.predictiveLifetimeValue'].value).toBeCloseTo(1680_00, 6);
      });

      test('the gross margin is a plugin option, checked', async () => {
        const { admin } = await contracts(createAftersalesPlugin({ grossMargin: 0.5 }));
        const { 'aftersales.predictiveLifetimeValue': clv } = await admin.kpis.evaluate(
          ['aftersales.predictiveLifetimeValue'],
          { period: '2026-03' },
        );
        // 350 x 0.5 x 1 / (1/3) = 525 EUR.
        expect(clv.value).toBeCloseTo(525_00, 6);
        for (const grossMargin of [0, 1.5, Number.NaN]) {
          let error: unknown;
          try {
            createAftersalesPlugin({ grossMargin });
          } catch (thrown) {
            error = thrown;
          }
          expect(isRapportError(error) && error.code).toBe('VALIDATION');
        }
      });

      test('a renewal after a gap is a churn, then a returning customer (not expansion)', async () => {
        // ChartMogul, "MRR movements": churn when the last subscription ends, "reactivation" when
        // a churned customer pays again; `renewalOfId` does not bridge a gap.
        const { admin, account, contract, ana } = await setup();
        const g = await account('G', 'SMB', ana.id);
        const h = await account('H', 'SMB', ana.id);
        const g1 = await contract(g, 100_00, '2025-01-01', '2026-03-20');
        await contract(g, 100_00, '2026-04-10', null, { renewalOfId: g1.id });
        const h1 = await contract(h, 200_00, '2025-01-01', '2026-03-31');
        await contract(h, 200_00, '2026-04-01', null, { renewalOfId: h1.id });
        const ids = [
          'aftersales.churnRate',
          'aftersales.revenueChurn',
          'aftersales.expansionRevenue',
          'aftersales.arpa',
        ] as const;
        // March: G and H on 03-01; on 04-01 G has nothing (its renewal starts 04-10), H renewed.
        const march = await admin.kpis.evaluate(ids, { period: '2026-03' });
        expect(march['aftersales.churnRate']).toMatchObject({ value: 1 / 2, sampleSize: 2 });
        expect(march['aftersales.revenueChurn'].value).toBe(100_00 / 300_00);
        // April: the cohort on 04-01 is H alone, which stays; G's return is neither churn nor
        // expansion, but it is a customer again on 04-30: ARPA (100 + 200) / 2.
        const april = await admin.kpis.evaluate(ids, { period: '2026-04' });
        expect(april['aftersales.churnRate']).toMatchObject({ value: 0, sampleSize: 1 });
        expect(april['aftersales.expansionRevenue'].value).toBe(0);
        expect(april['aftersales.arpa'].value).toBe(300_00 / 2);
      });

      test('a rep sees the churn of the accounts they can see', async () => {
        const { scopeAs, ana } = await contracts();
        const scope = scopeAs({ id: ana.id, role: 'rep' });
        const { 'aftersales.churnRate': churn } = await scope.kpis.evaluate(
          ['aftersales.churnRate'],
          {
            period: '2026-03',
          },
        );
        // Ana owns A and B: A churned, B stayed.
        expect(churn.value).toBe(1 / 2);
      });

      test('an empty period, and `all`, have no value and say why', async () => {
        const { admin } = await contracts();
        const ids = aftersalesKpis().map((kpi) => kpi.id);
        const empty = await admin.kpis.evaluate(ids, { period: '2024-01' });
        expect(empty['aftersales.churnRate']).toMatchObject({
          value: null,
          reason: 'no customers at the start of the period',
          sampleSize: 0,
          interval: null,
        });
        for (const id of [
          'aftersales.revenueChurn',
          'aftersales.grossRevenueRetention',
          'aftersales.netRevenueRetention',
        ] as const) {
          expect(empty[id].reason).toBe('no recurring revenue at the start of the period');
        }
        expect(empty['aftersales.expansionRevenue'].value).toBe(0);
        expect(empty['aftersales.arpa'].reason).toBe('no customers with an active contract');
        expect(empty['aftersales.historicalLifetimeValue'].reason).toBe(
          'no customers with a contract',
        );
        expect(empty['aftersales.predictiveLifetimeValue'].reason).toBe(
          'no customers with an active contract',
        );
        expect(empty['aftersales.repeatPurchaseRate'].reason).toBe(
          'no customers with a won opportunity',
        );
        expect(empty['aftersales.crossSellRate'].reason).toBe(
          'no customers with a won opportunity',
        );

        const all = await admin.kpis.evaluate(['aftersales.churnRate', 'aftersales.arpa'], {
          period: 'all',
        });
        expect(all['aftersales.churnRate'].reason).toBe('needs a period with a start and an end');
        // `all` has no start: ARPA is today's (2026-06-15): B 250, C 300, D 750 over 3.
        expect(all['aftersales.arpa'].value).toBe(1300_00 / 3);
        expect(all['aftersales.arpa'].previous).toBeNull();
      });
    });

    describe('aftersales purchase KPIs on hand-made deals', () => {
      /**
       * Won deals (close date) and the product families of their line items:
       * A: 02-10 Software; 03-05 Services. B: 01-15 Software + Software. C: 03-20 Software + Services.
       * D: lost 03-01; won 04-05 Software (after March). E: 03-10 a product without family; 03-12
       * no line items. As of March's end: buyers A, B, C, E; repeat A, E; cross-sell A, C.
       */
      async function deals() {
        const world = await contracts();
        const { admin, a, b, c, d, e } = world;
        const software1 = await admin.products.create({ name: 'CRM', family: 'Software' });
        const software2 = await admin.products.create({ name: 'BI', family: 'Software' });
        const services = await admin.products.create({ name: 'Training', family: 'Services' });
        const plain = await admin.products.create({ name: 'Gift' });
        const deal = async (
          customer: { readonly id: string; readonly ownerId: string },
          closeDate: string,
          productIds: string[],
          outcome: 'won' | 'lost' = 'won',
        ) => {
          const opportunity = await admin.opportunities.create({
            name: `${closeDate} ${productIds.length}`,
            accountId: customer.id,
            ownerId: customer.ownerId,
            closeDate,
            amount: 100_00,
          });
          for (const productId of productIds)
            await admin.lineItems.create({
              opportunityId: opportunity.id,
              productId,
              quantity: 1,
              unitPrice: 100_00,
            });
          const { version } = await admin.opportunities.get(opportunity.id);
          if (outcome === 'won')
            await admin.opportunities.closeWon(opportunity.id, { version, closeDate });
          else
            await admin.opportunities.closeLost(opportunity.id, {
              version,
              closeDate,
              lostReason: 'Price',
            });
        };
        await deal(a, '2026-02-10', [software1.id]);
        await deal(a, '2026-03-05', [services.id]);
        await deal(b, '2026-01-15', [software1.id, software2.id]);
        await deal(c, '2026-03-20', [software1.id, services.id]);
        await deal(d, '2026-03-01', [software1.id], 'lost');
        await deal(d, '2026-04-05', [software1.id]);
        await deal(e, '2026-03-10', [plain.id]);
        await deal(e, '2026-03-12', []);
        return world;
      }

      test('aftersales.repeatPurchaseRate: 2 of 4 buyers bought twice by the end of March', async () => {
        const { admin } = await deals();
        const { 'aftersales.repeatPurchaseRate': repeat } = await admin.kpis.evaluate(
          ['aftersales.repeatPurchaseRate'],
          { period: '2026-03', by: 'accountSegment' },
        );
        expect(repeat.value).toBe(2 / 4);
        expect(repeat.sampleSize).toBe(4);
        expect(repeat.interval).not.toBeNull();
        // SMB: A, B, E buyers, A and E twice; Enterprise: C once. Buyers add up: 3 + 1 = 4.
        expect(bySegment(repeat)).toEqual({ SMB: 2 / 3, Enterprise: 0 });
        expect(repeat.breakdown!.reduce((sum, g) => sum + g.sampleSize, 0)).toBe(4);
        // End of February: A (02-10) and B (01-15) bought once each.
        expect(repeat.previous).toMatchObject({ value: 0, sampleSize: 2 });
      });

      test('aftersales.crossSellRate: 2 of 4 buyers in two or more product families', async () => {
        const { admin } = await deals();
        const { 'aftersales.crossSellRate': crossSell } = await admin.kpis.evaluate(
          ['aftersales.crossSellRate'],
          { period: '2026-03', by: 'accountSegment' },
        );
        // A: Software then Services; C: both in one deal. B: Software twice; E: no family.
        expect(crossSell.value).toBe(2 / 4);
        expect(bySegment(crossSell)).toEqual({ SMB: 1 / 3, Enterprise: 1 });
        // End of February: A has Software only, B Software only.
        expect(crossSell.previous?.value).toBe(0);
        // D's April deal counts by the end of April: C, A, and now D (one family) of 5 buyers.
        const april = await admin.kpis.evaluate(['aftersales.crossSellRate'], {
          period: '2026-04',
        });
        expect(april['aftersales.crossSellRate']).toMatchObject({ value: 2 / 5, sampleSize: 5 });
      });

      test('won deals without an account count for no one; `all` counts every won deal', async () => {
        const { admin, ana } = await deals();
        const orphan = await admin.opportunities.create({
          name: 'no account',
          ownerId: ana.id,
          closeDate: '2026-03-02',
          amount: 100_00,
        });
        await admin.opportunities.closeWon(orphan.id, {
          version: orphan.version,
          closeDate: '2026-03-02',
        });
        const ids = ['aftersales.repeatPurchaseRate', 'aftersales.crossSellRate'] as const;
        const march = await admin.kpis.evaluate(ids, { period: '2026-03' });
        expect(march['aftersales.repeatPurchaseRate']).toMatchObject({
          value: 2 / 4,
          sampleSize: 4,
        });
        expect(march['aftersales.crossSellRate']).toMatchObject({ value: 2 / 4, sampleSize: 4 });
        // `all`: every won deal, D's April one too: buyers A, B, C, D, E; repeat A, E; cross A, C.
        const all = await admin.kpis.evaluate(ids, { period: 'all' });
        expect(all['aftersales.repeatPurchaseRate']).toMatchObject({ value: 2 / 5, sampleSize: 5 });
        expect(all['aftersales.crossSellRate']).toMatchObject({ value: 2 / 5, sampleSize: 5 });
      });

      test('every aftersales KPI by segment: each fact query runs once per range and breakdown, same figures', async () => {
        const { admin } = await deals();
        const ids = aftersalesKpis().map((kpi) => kpi.id);
        const options = { period: '2026-03', by: 'accountSegment' } as const;
        const alone: Record<string, unknown> = {};
        for (const id of ids) alone[id] = (await admin.kpis.evaluate([id], options))[id];
        log!.reset();
        const together = await admin.kpis.evaluate(ids, options);
        // The figures do not depend on which KPIs are asked together.
        expect(together).toEqual(alone);
        expect(together['aftersales.churnRate'].value).toBe(1 / 3);
        expect(together['aftersales.crossSellRate'].value).toBe(2 / 4);
        // Revenue facts read contracts, purchase facts line items: each once per breakdown (total,
        // by segment) for March and February at once, where each KPI used to run 4 (40 in all).
        const reading = (table: string) =>
          log!.statements.filter((statement) => statement.includes(`"${table}"`)).length;
        expect(reading('contracts')).toBe(2);
        expect(reading('opportunity_line_items')).toBe(2);
        expect(log!.statements.length).toBeLessThanOrEqual(2 + 2 + 2);
        // One KPI alone costs its 2, and another evaluation computes afresh.
        log!.reset();
        await admin.kpis.evaluate(['aftersales.crossSellRate'], options);
        expect(reading('opportunity_line_items')).toBe(2);
        expect(reading('contracts')).toBe(0);
      });
    });

    // Properties are about the formulas, not the dialect: SQLite only keeps the suite fast.
    if (name === 'sqlite')
      describe('aftersales KPI properties', () => {
        const contractArbitrary = fc.record({
          account: fc.integer({ min: 0, max: 3 }),
          amount: fc.integer({ min: 0, max: 1000 }),
          start: fc.integer({ min: 0, max: 150 }),
          length: fc.option(fc.integer({ min: 0, max: 150 }), { nil: null }),
        });
        const day = (offset: number) =>
          new Date(Date.UTC(2026, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10);

        test('rates stay in their ranges, GRR <= NRR, revenue churn = 1 - GRR, breakdowns add up', async () => {
          const { admin, account, contract, ana, ben } = await setup();
          const owners = [ana.id, ben.id];
          const customers = await Promise.all(
            [0, 1, 2, 3].map((i) =>
              account(`Customer ${i}`, i % 2 ? 'SMB' : 'Enterprise', owners[i % 2]!),
            ),
          );
          await fc.assert(
            fc.asyncProperty(fc.array(contractArbitrary, { maxLength: 4 }), async (batch) => {
              // Contracts accumulate across runs in one tenant: the properties hold for any data set.
              for (const c of batch) {
                await contract(
                  customers[c.account]!,
                  c.amount * 100,
                  day(c.start),
                  c.length === null ? null : day(c.start + c.length),
                );
              }
              const results = await admin.kpis.evaluate(
                [
                  'aftersales.churnRate',
                  'aftersales.revenueChurn',
                  'aftersales.grossRevenueRetention',
                  'aftersales.netRevenueRetention',
                  'aftersales.expansionRevenue',
                ],
                { period: '2026-03', by: 'owner' },
              );
              const churn = results['aftersales.churnRate'];
              const grr = results['aftersales.grossRevenueRetention'];
              const nrr = results['aftersales.netRevenueRetention'];
              const revenueChurn = results['aftersales.revenueChurn'];
              for (const figure of [churn, ...churn.breakdown!]) {
                if (figure.value === null) continue;
                expect(figure.value).toBeGreaterThanOrEqual(0);
                expect(figure.value).toBeLessThanOrEqual(1);
              }
              if (grr.value !== null) {
                expect(grr.value).toBeGreaterThanOrEqual(0);
                expect(grr.value).toBeLessThanOrEqual(1);
                expect(nrr.value!).toBeGreaterThanOrEqual(grr.value - 1e-12);
                expect(revenueChurn.value!).toBeCloseTo(1 - grr.value, 12);
              }
              expect(churn.breakdown!.reduce((sum, g) => sum + g.sampleSize, 0)).toBe(
                churn.sampleSize,
              );
              const expansion = results['aftersales.expansionRevenue'];
              const parts = expansion.breakdown!.reduce((sum, g) => sum + (g.value ?? 0), 0);
              expect(parts).toBeCloseTo(expansion.value ?? 0, 6);
            }),
            { numRuns: 12 },
          );
        });
      });
  });
}
