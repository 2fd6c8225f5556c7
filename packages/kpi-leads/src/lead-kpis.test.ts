import { randomBytes } from 'node:crypto';
import { createCrm, type RapportStorage } from '@rapport/core';
import { postgresStorage } from '@rapport/postgres';
import { sqliteStorage } from '@rapport/sqlite';
import { countQueries, type QueryLog } from '@rapport/testing';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { leadKpis } from './lead-kpis.js';
import { leadsPlugin } from './lead-plugin.js';

// The same hand-worked cases run on SQLite and on Postgres (when reachable; required under CI),
// so the lead KPIs agree on both.
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
      const schema = `kpi_leads_${randomBytes(4).toString('hex')}`;
      schemas.push(schema);
      return postgresStorage({ connectionString: postgresUrl, schema, max: 4 });
    },
  },
];

function openCrm(storage: RapportStorage, now: () => Date) {
  return createCrm({ storage, plugins: [leadsPlugin], now });
}

function byLabel(result: {
  breakdown: readonly { label: string | null; value: number | null }[] | null;
}) {
  return Object.fromEntries(result.breakdown!.map((g) => [g.label ?? 'none', g.value]));
}

for (const { name, storage } of backends) {
  describe.skipIf(name === 'postgres' && !postgresUp)(`lead KPIs on ${name}`, () => {
    const clock = { now: new Date('2026-01-01T00:00:00.000Z') };
    let opened: ReturnType<typeof openCrm> | undefined;
    // Every statement the engine runs is logged (the wrapper changes nothing about what runs), so
    // a test can prove what a dashboard costs.
    let log: QueryLog | undefined;
    let tenants = 0;
    const crm = () => opened!;
    beforeAll(async () => {
      const counted = countQueries(storage());
      log = counted.log;
      opened = openCrm(counted.storage, () => clock.now);
      await opened.migrate();
    });
    afterAll(() => opened?.destroy());

    async function setup(timeZone = 'UTC') {
      tenants += 1;
      const tenantId = `acme-${tenants}`;
      await crm().createTenant({ id: tenantId, name: 'Acme', baseCurrency: 'EUR', timeZone });
      const admin = crm().tenant(tenantId).system();
      // 1 USD = 0.75 EUR: exact in binary, so converted money compares exactly.
      await admin.currencies.setRate('USD', 0.75);
      const ana = await admin.users.create({ name: 'Ana', role: 'rep' });
      const webinar = await admin.campaigns.create({ name: 'Webinar', actualCost: 600_00 });
      const fair = await admin.campaigns.create({
        name: 'Fair',
        actualCost: 1200_00,
        currency: 'USD',
      });
      /** A lead created at `at` (the engine's clock), optionally converted and its deal closed. */
      const lead = async (
        at: string,
        leadSource: string,
        campaignId: string | null,
        deal?: { amount: number; currency?: string; outcome: 'won' | 'lost' | 'open' },
      ) => {
        clock.now = new Date(at);
        const created = await admin.leads.create({
          lastName: `Lead ${at}`,
          company: `Company ${at}`,
          leadSource,
          campaignId,
          ownerId: ana.id,
        });
        if (!deal) return created;
        const { opportunity } = await admin.leads.convert(created.id, {
          opportunity: {
            name: `Deal ${at}`,
            amount: deal.amount,
            currency: deal.currency,
            closeDate: '2026-05-01',
          },
        });
        if (!opportunity) throw new Error('the conversion made no opportunity');
        if (deal.outcome === 'won')
          await admin.opportunities.closeWon(opportunity.id, { version: opportunity.version });
        if (deal.outcome === 'lost')
          await admin.opportunities.closeLost(opportunity.id, {
            version: opportunity.version,
            lostReason: 'Price',
          });
        return created;
      };
      const activity = (leadId: string, completedAt: string | null) =>
        admin.activities.create({
          type: 'call',
          subject: 'Call',
          leadId,
          completedAt,
          ownerId: ana.id,
        });
      return { admin, webinar, fair, lead, activity };
    }

    /**
     * March 2026 (the period), February (the previous one) and April:
     *
     * | lead | created     | source   | campaign | converted deal        | first completed activity |
     * |------|-------------|----------|----------|-----------------------|--------------------------|
     * | L0   | 02-15       | Web      | Webinar  | open                  |                          |
     * | L1   | 03-02 10:00 | Web      | Webinar  | 1,000 EUR won         | 03-03 10:00 (1 day)      |
     * | L2   | 03-05 00:00 | Web      | Webinar  | 500 EUR lost          | 03-05 12:00 (0.5 day)    |
     * | L3   | 03-10       | Fair     | Fair     | 2,400 USD won         |                          |
     * | L4   | 03-12       | Fair     | Webinar  |                       | (only an open task)      |
     * | L5   | 03-20 00:00 | Referral |          | 3,000 EUR won         | 03-22 00:00 (2 days)     |
     * | L6   | 03-25       | Fair     | Fair     |                       |                          |
     * | L7   | 04-01 00:00 | Web      | Webinar  |                       |                          |
     *
     * Webinar costs 600 EUR; Fair 1,200 USD = 900 EUR. In March Webinar has 3 leads (L1, L2, L4):
     * 200 EUR each; Fair has 2 (L3, L6): 450 EUR each.
     */
    async function march() {
      const world = await setup();
      const { lead, activity, webinar, fair } = world;
      await lead('2026-02-15T09:00:00.000Z', 'Web', webinar.id, {
        amount: 800_00,
        outcome: 'open',
      });
      const l1 = await lead('2026-03-02T10:00:00.000Z', 'Web', webinar.id, {
        amount: 1000_00,
        outcome: 'won',
      });
      const l2 = await lead('2026-03-05T00:00:00.000Z', 'Web', webinar.id, {
        amount: 500_00,
        outcome: 'lost',
      });
      await lead('2026-03-10T09:00:00.000Z', 'Fair', fair.id, {
        amount: 2400_00,
        currency: 'USD',
        outcome: 'won',
      });
      const l4 = await lead('2026-03-12T09:00:00.000Z', 'Fair', webinar.id);
      const l5 = await lead('2026-03-20T00:00:00.000Z', 'Referral', null, {
        amount: 3000_00,
        outcome: 'won',
      });
      await lead('2026-03-25T09:00:00.000Z', 'Fair', fair.id);
      await lead('2026-04-01T00:00:00.000Z', 'Web', webinar.id);
      await activity(l1.id, '2026-03-03T10:00:00.000Z');
      await activity(l2.id, '2026-03-05T12:00:00.000Z');
      await activity(l2.id, '2026-03-07T12:00:00.000Z');
      await activity(l4.id, null);
      await activity(l5.id, '2026-03-22T00:00:00.000Z');
      return world;
    }

    describe('lead KPIs on a hand-made March', () => {
      test('leads.newLeads: 6 in March (2 Web, 3 Fair, 1 Referral), 1 in February', async () => {
        const { admin } = await march();
        const { 'leads.newLeads': leads } = await admin.kpis.evaluate(['leads.newLeads'], {
          period: '2026-03',
          by: 'leadSource',
        });
        // L1..L6; L0 is February's, L7 (April 1st, 00:00) is not March's.
        expect(leads.value).toBe(6);
        expect(leads.unit).toBe('count');
        expect(byLabel(leads)).toEqual({ Web: 2, Fair: 3, Referral: 1 });
        expect(leads.breakdown!.reduce((sum, g) => sum + (g.value ?? 0), 0)).toBe(leads.value);
        expect(leads.previous?.value).toBe(1);
        expect(leads.previous?.change).toBe(5);
      });

      test('leads.costPerLead: (600 + 900) EUR / 5 campaign leads = 300 EUR; by campaign and by source', async () => {
        const { admin } = await march();
        const total = await admin.kpis.evaluate(['leads.costPerLead'], { period: '2026-03' });
        const cpl = total['leads.costPerLead'];
        // Webinar 600 EUR + Fair 1,200 USD x 0.75 = 900 EUR, over L1, L2, L4, L3, L6.
        expect(cpl.value).toBe(1500_00 / 5);
        expect(cpl.currency).toBe('EUR');
        expect(cpl.sampleSize).toBe(5);
        expect(cpl.interval).toBeNull();
        // February: L0 alone carries Webinar's 600 EUR.
        expect(cpl.previous?.value).toBe(600_00);
        expect(cpl.previous?.change).toBe(300_00 - 600_00);

        const { 'leads.costPerLead': byCampaign } = await admin.kpis.evaluate(
          ['leads.costPerLead'],
          {
            period: '2026-03',
            by: 'campaign',
          },
        );
        // Per campaign: actual cost / its leads of March. The lead without campaign has no cost.
        expect(byLabel(byCampaign)).toEqual({ Webinar: 600_00 / 3, Fair: 900_00 / 2, none: null });
        expect(byCampaign.breakdown!.find((g) => g.key === null)?.reason).toBe(
          'no leads with a campaign',
        );

        const { 'leads.costPerLead': bySource } = await admin.kpis.evaluate(['leads.costPerLead'], {
          period: '2026-03',
          by: 'leadSource',
        });
        // Web: L1, L2 at 200 = 400 / 2; Fair: L3, L6 at 450 and L4 at 200 = 1,100 / 3.
        expect(bySource.breakdown!.find((g) => g.label === 'Web')?.value).toBe(200_00);
        expect(bySource.breakdown!.find((g) => g.label === 'Fair')?.value).toBeCloseTo(
          1100_00 / 3,
          6,
        );
        expect(bySource.breakdown!.find((g) => g.label === 'Referral')?.value).toBeNull();
        // The cost of the parts (value x campaign leads) adds up to the total cost, 1,500 EUR.
        const cost = bySource.breakdown!.reduce((sum, g) => sum + (g.value ?? 0) * g.sampleSize, 0);
        expect(cost).toBeCloseTo(1500_00, 6);
      });

      test('leads.costPerLead: a filter on one source keeps the per-lead share of the campaign cost', async () => {
        const { admin } = await march();
        const { 'leads.costPerLead': fairOnly } = await admin.kpis.evaluate(['leads.costPerLead'], {
          period: '2026-03',
          filters: { leadSource: 'Fair' },
        });
        // L3 and L6 carry 450 each, L4 its Webinar share of 200: 1,100 / 3, as in the breakdown.
        expect(fairOnly.value).toBeCloseTo(1100_00 / 3, 6);
      });

      test('leads.leadToOpportunityRate: 4 of 6 converted with an opportunity', async () => {
        const { admin } = await march();
        const { 'leads.leadToOpportunityRate': rate } = await admin.kpis.evaluate(
          ['leads.leadToOpportunityRate'],
          { period: '2026-03', by: 'leadSource' },
        );
        // L1, L2, L3, L5 converted; L4, L6 not.
        expect(rate.value).toBe(4 / 6);
        expect(rate.sampleSize).toBe(6);
        expect(rate.interval!.lower).toBeLessThan(4 / 6);
        expect(rate.interval!.upper).toBeGreaterThan(4 / 6);
        expect(byLabel(rate)).toEqual({ Web: 2 / 2, Fair: 1 / 3, Referral: 1 / 1 });
        // February: L0 converted, 1 / 1.
        expect(rate.previous?.value).toBe(1);
      });

      test('leads.leadToWonRate: 3 of 6 became won deals (L1, L3, L5)', async () => {
        const { admin } = await march();
        const { 'leads.leadToWonRate': rate } = await admin.kpis.evaluate(['leads.leadToWonRate'], {
          period: '2026-03',
          by: 'leadSource',
        });
        expect(rate.value).toBe(3 / 6);
        expect(rate.sampleSize).toBe(6);
        // Wilson 95% for 3/6, z = 1.96: center (0.5 + z²/12) / (1 + z²/6) = 0.5, half-width
        // z·sqrt(0.25/6 + z²/144) / (1 + z²/6) = 0.3117 -> [0.1876, 0.8124].
        expect(rate.interval!.lower).toBeCloseTo(0.1876, 3);
        expect(rate.interval!.upper).toBeCloseTo(0.8124, 3);
        expect(byLabel(rate)).toEqual({ Web: 1 / 2, Fair: 1 / 3, Referral: 1 });
        // February: L0's deal is still open: 0 / 1.
        expect(rate.previous?.value).toBe(0);
        expect(rate.previous?.change).toBe(0.5);
      });

      test('leads.timeToFirstActivity: (1 + 0.5 + 2) / 3 days over the leads with a completed activity', async () => {
        const { admin } = await march();
        const { 'leads.timeToFirstActivity': time } = await admin.kpis.evaluate(
          ['leads.timeToFirstActivity'],
          { period: '2026-03', by: 'leadSource' },
        );
        // L1 1 day, L2 0.5 day (its second call does not count), L5 2 days; L4's task is open.
        expect(time.value).toBeCloseTo(3.5 / 3, 9);
        expect(time.unit).toBe('duration');
        expect(time.sampleSize).toBe(3);
        const web = time.breakdown!.find((g) => g.label === 'Web');
        expect(web?.value).toBeCloseTo(1.5 / 2, 9);
        expect(time.breakdown!.find((g) => g.label === 'Fair')).toMatchObject({
          value: null,
          reason: 'no lead with a completed activity',
        });
        // February: L0 has no activity.
        expect(time.previous?.value).toBeNull();
      });

      test('leads.costPerWonCustomer: 1,500 EUR / 2 won campaign leads = 750 EUR', async () => {
        const { admin } = await march();
        const { 'leads.costPerWonCustomer': cost } = await admin.kpis.evaluate(
          ['leads.costPerWonCustomer'],
          { period: '2026-03', by: 'leadSource' },
        );
        // Won campaign leads: L1 (Webinar), L3 (Fair); L5 won without a campaign and costs nothing.
        expect(cost.value).toBe(750_00);
        // Web: 400 EUR / L1; Fair: 1,100 EUR / L3; Referral: no campaign lead at all.
        expect(byLabel(cost)).toEqual({ Web: 400_00, Fair: 1100_00, Referral: null });
        // February: L0 is not won.
        expect(cost.previous).toMatchObject({
          value: null,
          reason: 'no won customer from a campaign lead',
        });
      });

      test('leads.revenuePerLead: (1,000 + 2,400 USD x 0.75 + 3,000) EUR / 6 leads', async () => {
        const { admin } = await march();
        const { 'leads.revenuePerLead': revenue } = await admin.kpis.evaluate(
          ['leads.revenuePerLead'],
          { period: '2026-03', by: 'leadSource' },
        );
        // 1,000 + 1,800 + 3,000 = 5,800 EUR over 6 leads; L2's lost 500 does not count.
        expect(revenue.value).toBeCloseTo(5800_00 / 6, 6);
        expect(byLabel(revenue)).toEqual({ Web: 500_00, Fair: 600_00, Referral: 3000_00 });
        // The revenue of the parts (value x leads) adds up to the total revenue.
        const sum = revenue.breakdown!.reduce((s, g) => s + (g.value ?? 0) * g.sampleSize, 0);
        expect(sum).toBeCloseTo(5800_00, 6);
        // February: L0's open deal brings nothing yet: 0 / 1.
        expect(revenue.previous?.value).toBe(0);
      });

      test('the period and the campaign cost share are cut in the tenant time zone', async () => {
        const { admin, lead, webinar } = await setup('Europe/Berlin');
        // 2026-02-28T23:30Z is March 1st, 00:30 in Berlin; 2026-03-31T22:30Z is April 1st, 00:30.
        await lead('2026-02-28T23:30:00.000Z', 'Web', webinar.id);
        await lead('2026-03-15T12:00:00.000Z', 'Web', webinar.id);
        await lead('2026-03-31T22:30:00.000Z', 'Web', webinar.id);
        const results = await admin.kpis.evaluate(['leads.newLeads', 'leads.costPerLead'], {
          period: '2026-03',
        });
        // Berlin's March holds the first two: Webinar's 600 EUR is shared by 2.
        expect(results['leads.newLeads'].value).toBe(2);
        expect(results['leads.costPerLead'].value).toBe(300_00);
        // Berlin's April holds the third alone: it carries all 600 EUR (cut in UTC, April would
        // have no lead, and the cost share would have no lead to divide by).
        const april = await admin.kpis.evaluate(['leads.costPerLead'], { period: '2026-04' });
        expect(april['leads.costPerLead']).toMatchObject({ value: 600_00, sampleSize: 1 });
        expect(april['leads.costPerLead'].previous?.value).toBe(300_00);
      });

      test('a dashboard of every lead KPI with a breakdown runs the lead facts once per breakdown for both periods, with the same figures', async () => {
        const { admin } = await march();
        const ids = leadKpis.map((kpi) => kpi.id);
        log!.reset();
        const dashboard = await admin.kpis.evaluate(ids, { period: '2026-03', by: 'leadSource' });
        const facts = log!.statements.filter((statement) => statement.includes('campaign_leads'));
        // The breakdown by source, for March and February at once, and the total added up from
        // its groups: 1 lead facts query for the 5 KPIs that use them (20 if each KPI ran its own
        // per period and breakdown); the rest is the tenant, the rates and the fused query of the
        // 2 declared KPIs.
        expect(facts).toHaveLength(1);
        expect(log!.statements.length).toBeLessThanOrEqual(6);
        // The hand-worked figures of the tests above, all from the one shared computation.
        expect(dashboard['leads.newLeads'].value).toBe(6);
        expect(dashboard['leads.costPerLead'].value).toBe(1500_00 / 5);
        expect(dashboard['leads.costPerLead'].previous?.value).toBe(600_00);
        expect(dashboard['leads.leadToOpportunityRate'].value).toBe(4 / 6);
        expect(dashboard['leads.leadToWonRate'].value).toBe(3 / 6);
        expect(byLabel(dashboard['leads.leadToWonRate'])).toEqual({
          Web: 1 / 2,
          Fair: 1 / 3,
          Referral: 1,
        });
        expect(dashboard['leads.timeToFirstActivity'].value).toBeCloseTo(3.5 / 3, 9);
        expect(dashboard['leads.timeToFirstActivity'].sampleSize).toBe(3);
        expect(byLabel(dashboard['leads.costPerWonCustomer'])).toEqual({
          Web: 400_00,
          Fair: 1100_00,
          Referral: null,
        });
        expect(byLabel(dashboard['leads.revenuePerLead'])).toEqual({
          Web: 500_00,
          Fair: 600_00,
          Referral: 3000_00,
        });
        // Each KPI evaluated alone (its own facts queries) gives exactly what the dashboard gave.
        for (const id of ids) {
          const alone = await admin.kpis.evaluate([id], { period: '2026-03', by: 'leadSource' });
          expect(alone[id]).toEqual(dashboard[id]);
        }
        // The total added up from the groups is the total the facts query gives without them.
        const plain = await admin.kpis.evaluate(ids, { period: '2026-03' });
        for (const id of ids) {
          const { breakdown: _grouped, ...total } = dashboard[id];
          const { breakdown: _none, ...alone } = plain[id];
          expect(total).toEqual(alone);
        }
      });

      test('a period without leads: counts are 0 and every quotient says why it has no value', async () => {
        const { admin } = await march();
        const ids = leadKpis.map((kpi) => kpi.id);
        const results = await admin.kpis.evaluate(ids, { period: '2026-06' });
        expect(results['leads.newLeads'].value).toBe(0);
        expect(results['leads.costPerLead']).toMatchObject({
          value: null,
          reason: 'no leads with a campaign',
          sampleSize: 0,
        });
        expect(results['leads.leadToOpportunityRate']).toMatchObject({
          value: null,
          reason: 'no leads created in the period',
          interval: null,
        });
        expect(results['leads.leadToWonRate'].reason).toBe('no leads created in the period');
        expect(results['leads.timeToFirstActivity'].reason).toBe(
          'no lead with a completed activity',
        );
        expect(results['leads.costPerWonCustomer'].reason).toBe(
          'no won customer from a campaign lead',
        );
        expect(results['leads.revenuePerLead'].reason).toBe('no leads created in the period');
      });
    });

    // Properties are about the formulas, not the dialect: SQLite only keeps the suite fast.
    if (name === 'sqlite')
      describe('lead KPI properties', () => {
        const leadArbitrary = fc.record({
          source: fc.constantFrom('Web', 'Fair', 'Referral'),
          campaign: fc.constantFrom(0, 1, null),
          day: fc.integer({ min: 1, max: 28 }),
          outcome: fc.constantFrom('won', 'lost', 'open', null),
        });

        test('rates stay in [0, 1] and breakdowns add up to the total', async () => {
          const { lead, webinar, fair, admin } = await setup();
          const campaigns = [webinar.id, fair.id];
          let tenantLeads = 0;
          await fc.assert(
            fc.asyncProperty(fc.array(leadArbitrary, { maxLength: 6 }), async (batch) => {
              // Leads accumulate across runs in one tenant: the property holds for any data set.
              for (const l of batch) {
                await lead(
                  `2026-03-${String(l.day).padStart(2, '0')}T08:00:00.000Z`,
                  l.source,
                  l.campaign === null ? null : campaigns[l.campaign]!,
                  l.outcome ? { amount: 100_00, outcome: l.outcome } : undefined,
                );
              }
              tenantLeads += batch.length;
              const results = await admin.kpis.evaluate(
                [
                  'leads.newLeads',
                  'leads.leadToOpportunityRate',
                  'leads.leadToWonRate',
                  'leads.costPerLead',
                ],
                { period: '2026-03', by: 'leadSource' },
              );
              expect(results['leads.newLeads'].value).toBe(tenantLeads);
              const parts = results['leads.newLeads'].breakdown!;
              expect(parts.reduce((sum, g) => sum + (g.value ?? 0), 0)).toBe(tenantLeads);
              for (const id of ['leads.leadToOpportunityRate', 'leads.leadToWonRate'] as const) {
                const rate = results[id];
                for (const figure of [rate, ...rate.breakdown!]) {
                  if (figure.value === null) continue;
                  expect(figure.value).toBeGreaterThanOrEqual(0);
                  expect(figure.value).toBeLessThanOrEqual(1);
                }
              }
              // Won never exceeds converted.
              expect(results['leads.leadToWonRate'].value ?? 0).toBeLessThanOrEqual(
                results['leads.leadToOpportunityRate'].value ?? 0,
              );
              // Campaign cost is shared out completely: the parts' costs add up to the total cost.
              const cpl = results['leads.costPerLead'];
              const cost = cpl.breakdown!.reduce(
                (sum, g) => sum + (g.value ?? 0) * g.sampleSize,
                0,
              );
              expect(cost).toBeCloseTo((cpl.value ?? 0) * cpl.sampleSize, 4);
            }),
            { numRuns: 12 },
          );
        });
      });
  });
}
