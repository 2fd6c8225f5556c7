import { type Actor, type AnyKpiDefinition, createCrm, type KpiBreakdown } from '@rapport/core';
import { aftersalesPlugin } from '@rapport/kpi-aftersales';
import { closingPlugin } from '@rapport/kpi-closing';
import { leadsPlugin } from '@rapport/kpi-leads';
import { pipelinePlugin } from '@rapport/kpi-pipeline';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { KpiConformanceSetup } from './kpi-conformance-context.js';

const plugins = [closingPlugin, pipelinePlugin, leadsPlugin, aftersalesPlugin] as const;
type VisibilityCrm = ReturnType<typeof createCrm<typeof plugins>>;
type VisibilityScope = ReturnType<ReturnType<VisibilityCrm['tenant']>['system']>;

const ana: Actor = { id: 'u-ana', role: 'rep' };

/**
 * One step of the data set: what it writes, and whether it is Ana's (she may see it) or another
 * rep's. The same steps with the same ids and clock run into two tenants: all of them into the
 * first, only the shared and Ana's into the second.
 */
interface Step {
  readonly mine: boolean;
  readonly at: string;
  readonly run: (scope: VisibilityScope) => Promise<unknown>;
}

async function deal(
  scope: VisibilityScope,
  input: {
    id: string;
    owner: string;
    account: string;
    amount: number;
    closeDate: string;
    outcome: 'won' | 'lost' | 'open';
    product?: string;
    stage?: string;
    nextStep?: string;
    leadSource?: string;
  },
) {
  let opportunity = await scope.opportunities.create({
    id: input.id,
    name: input.id,
    ownerId: input.owner,
    accountId: input.account,
    amount: input.amount,
    openDate: '2026-03-01',
    closeDate: input.closeDate,
    stage: input.stage,
    nextStep: input.nextStep,
    leadSource: input.leadSource,
  });
  if (input.product) {
    await scope.lineItems.create({
      id: `${input.id}-item`,
      opportunityId: input.id,
      productId: input.product,
      quantity: 1,
      unitPrice: input.amount,
    });
    opportunity = await scope.opportunities.get(input.id);
  }
  if (input.outcome === 'won')
    await scope.opportunities.closeWon(input.id, {
      version: opportunity.version,
      closeDate: input.closeDate,
    });
  if (input.outcome === 'lost')
    await scope.opportunities.closeLost(input.id, {
      version: opportunity.version,
      closeDate: input.closeDate,
      lostReason: 'Price',
    });
}

/** Ana's records, a colleague's records beside and on top of hers (on her accounts and leads). */
const steps: readonly Step[] = [
  // Shared: the team, both reps, products, a campaign.
  {
    mine: true,
    at: '2026-01-02T09:00:00Z',
    run: (s) => s.teams.create({ id: 't-1', name: 'North' }),
  },
  ...(
    [
      ['u-ana', 'Ana'],
      ['u-ben', 'Ben'],
    ] as const
  ).map(([id, name]) => ({
    mine: true,
    at: '2026-01-02T09:00:00Z',
    run: (s: VisibilityScope) => s.users.create({ id, name, role: 'rep', teamId: 't-1' }),
  })),
  ...(
    [
      ['p-1', 'Seats', 'Software'],
      ['p-2', 'Onboarding', 'Services'],
    ] as const
  ).map(([id, name, family]) => ({
    mine: true,
    at: '2026-01-02T09:00:00Z',
    run: (s: VisibilityScope) => s.products.create({ id, name, family, listPrice: 100_00 }),
  })),
  {
    mine: true,
    at: '2026-01-02T09:00:00Z',
    run: (s) => s.campaigns.create({ id: 'c-1', name: 'Spring fair', actualCost: 900_00 }),
  },
  // Ana's accounts, contracts, deals, leads and quota.
  ...(
    [
      ['a-1', 'SMB'],
      ['a-2', 'Enterprise'],
    ] as const
  ).map(([id, segment]) => ({
    mine: true,
    at: '2026-01-03T09:00:00Z',
    run: (s: VisibilityScope) => s.accounts.create({ id, name: id, ownerId: 'u-ana', segment }),
  })),
  {
    mine: true,
    at: '2026-01-03T09:00:00Z',
    run: (s) =>
      s.contracts.create({
        id: 'k-1',
        accountId: 'a-1',
        ownerId: 'u-ana',
        startDate: '2026-01-01',
        monthlyAmount: 100_00,
      }),
  },
  {
    mine: true,
    at: '2026-01-03T09:00:00Z',
    run: (s) =>
      s.contracts.create({
        id: 'k-2',
        accountId: 'a-2',
        ownerId: 'u-ana',
        startDate: '2025-06-01',
        endDate: '2026-05-10',
        monthlyAmount: 250_00,
      }),
  },
  {
    mine: true,
    at: '2026-04-02T09:00:00Z',
    run: (s) =>
      deal(s, {
        id: 'o-1',
        owner: 'u-ana',
        account: 'a-1',
        amount: 400_00,
        closeDate: '2026-05-05',
        outcome: 'won',
        product: 'p-1',
        leadSource: 'Web',
      }),
  },
  {
    mine: true,
    at: '2026-04-03T09:00:00Z',
    run: (s) =>
      deal(s, {
        id: 'o-2',
        owner: 'u-ana',
        account: 'a-1',
        amount: 150_00,
        closeDate: '2026-04-20',
        outcome: 'won',
        product: 'p-2',
      }),
  },
  {
    mine: true,
    at: '2026-04-04T09:00:00Z',
    run: (s) =>
      deal(s, {
        id: 'o-3',
        owner: 'u-ana',
        account: 'a-2',
        amount: 700_00,
        closeDate: '2026-05-01',
        outcome: 'lost',
      }),
  },
  {
    mine: true,
    at: '2026-04-05T09:00:00Z',
    run: (s) =>
      deal(s, {
        id: 'o-4',
        owner: 'u-ana',
        account: 'a-2',
        amount: 300_00,
        closeDate: '2026-06-30',
        outcome: 'open',
        nextStep: 'Demo',
        product: 'p-1',
      }),
  },
  {
    mine: true,
    at: '2026-05-06T09:00:00Z',
    run: async (s) => {
      const open = await s.opportunities.get('o-4');
      await s.opportunities.changeStage('o-4', { version: open.version, stage: 'Qualification' });
    },
  },
  {
    mine: true,
    at: '2026-04-06T09:00:00Z',
    run: (s) =>
      deal(s, {
        id: 'o-5',
        owner: 'u-ana',
        account: 'a-2',
        amount: 90_00,
        closeDate: '2026-06-01',
        outcome: 'open',
      }),
  },
  {
    mine: true,
    at: '2026-05-02T09:00:00Z',
    run: (s) =>
      s.leads.create({
        id: 'l-1',
        lastName: 'One',
        company: 'One Ltd',
        ownerId: 'u-ana',
        campaignId: 'c-1',
        leadSource: 'Web',
      }),
  },
  {
    mine: true,
    at: '2026-05-03T09:00:00Z',
    run: (s) =>
      s.leads.create({
        id: 'l-2',
        lastName: 'Two',
        company: 'Two Ltd',
        ownerId: 'u-ana',
        leadSource: 'Referral',
      }),
  },
  {
    mine: true,
    at: '2026-05-08T09:00:00Z',
    run: (s) =>
      s.activities.create({
        id: 'x-1',
        type: 'call',
        subject: 'first call',
        ownerId: 'u-ana',
        leadId: 'l-1',
        completedAt: '2026-05-08T09:00:00.000Z',
      }),
  },
  {
    mine: true,
    at: '2026-01-03T09:00:00Z',
    run: (s) =>
      s.quotas.create({
        id: 'q-1',
        ownerId: 'u-ana',
        periodStart: '2026-04-01',
        periodEnd: '2026-06-30',
        amount: 2000_00,
      }),
  },
  // Ben's: his own account and deals, and records on Ana's account, lead and deal.
  {
    mine: false,
    at: '2026-01-03T09:00:00Z',
    run: (s) => s.accounts.create({ id: 'a-9', name: 'a-9', ownerId: 'u-ben', segment: 'SMB' }),
  },
  {
    mine: false,
    at: '2026-01-03T09:00:00Z',
    run: (s) =>
      s.contracts.create({
        id: 'k-9',
        accountId: 'a-1',
        ownerId: 'u-ben',
        startDate: '2026-02-01',
        monthlyAmount: 999_00,
      }),
  },
  {
    mine: false,
    at: '2026-01-03T09:00:00Z',
    run: (s) =>
      s.contracts.create({
        id: 'k-8',
        accountId: 'a-9',
        ownerId: 'u-ben',
        startDate: '2025-01-01',
        endDate: '2026-04-15',
        monthlyAmount: 500_00,
      }),
  },
  {
    mine: false,
    at: '2026-04-07T09:00:00Z',
    run: (s) =>
      deal(s, {
        id: 'o-9',
        owner: 'u-ben',
        // Her account a-2 has only a lost deal of hers: his win must not make it a buyer.
        account: 'a-2',
        amount: 5000_00,
        closeDate: '2026-05-10',
        outcome: 'won',
        product: 'p-2',
        leadSource: 'Web',
      }),
  },
  {
    mine: false,
    at: '2026-04-08T09:00:00Z',
    run: (s) =>
      deal(s, {
        id: 'o-8',
        owner: 'u-ben',
        account: 'a-9',
        amount: 800_00,
        closeDate: '2026-06-20',
        outcome: 'open',
        stage: 'Prospecting',
      }),
  },
  {
    mine: false,
    at: '2026-05-09T09:00:00Z',
    run: async (s) => {
      const open = await s.opportunities.get('o-8');
      await s.opportunities.changeStage('o-8', { version: open.version, stage: 'Qualification' });
    },
  },
  {
    mine: false,
    at: '2026-05-04T09:00:00Z',
    run: (s) =>
      s.leads.create({
        id: 'l-9',
        lastName: 'Nine',
        company: 'Nine Ltd',
        ownerId: 'u-ben',
        campaignId: 'c-1',
        leadSource: 'Web',
      }),
  },
  {
    mine: false,
    at: '2026-05-02T10:00:00Z',
    // Ben calls Ana's lead first: her time to first activity must not see it.
    run: (s) =>
      s.activities.create({
        id: 'x-9',
        type: 'call',
        subject: 'call on her lead',
        ownerId: 'u-ben',
        leadId: 'l-1',
        completedAt: '2026-05-02T10:00:00.000Z',
      }),
  },
  {
    mine: false,
    at: '2026-06-14T09:00:00Z',
    // A recent activity of Ben's on Ana's stale deal: it must not make her deal look alive.
    run: (s) =>
      s.activities.create({
        id: 'x-8',
        type: 'email',
        subject: 'note on her deal',
        ownerId: 'u-ben',
        opportunityId: 'o-5',
        completedAt: '2026-06-14T09:00:00.000Z',
      }),
  },
  {
    mine: false,
    at: '2026-01-03T09:00:00Z',
    run: (s) =>
      s.quotas.create({
        id: 'q-9',
        ownerId: 'u-ben',
        periodStart: '2026-04-01',
        periodEnd: '2026-06-30',
        amount: 9000_00,
      }),
  },
];

/** The breakdowns asked for, each for the KPIs that support it. */
const breakdowns: readonly KpiBreakdown[] = [
  'owner',
  'team',
  'product',
  'productFamily',
  'leadSource',
  'campaign',
  'stage',
  'accountSegment',
  'lostReason',
];

function supports(kpi: AnyKpiDefinition, by: KpiBreakdown): boolean {
  // Cast: widening a tuple of literals to test an arbitrary string against it.
  return (kpi.dimensions as readonly string[]).includes(by);
}

/**
 * @internal What a scope cannot list, it cannot count, sum or group: a rep's evaluation of every
 * KPI of the four plugins, in total and by every dimension, equals the evaluation in a tenant that
 * holds only that rep's records (and the shared ones).
 */
export function visibilityCases(setup: KpiConformanceSetup): void {
  describe('KPI visibility', () => {
    let crm: VisibilityCrm | undefined;
    const clock = { now: new Date('2026-01-01T00:00:00Z') };

    beforeAll(async () => {
      const storage = await setup.makeStorage();
      crm = createCrm({ storage, plugins, now: () => clock.now });
      await crm.migrate();
      const suffix = Math.random().toString(36).slice(2, 8);
      for (const [tenant, all] of [
        [`shared-${suffix}`, true],
        [`alone-${suffix}`, false],
      ] as const) {
        await crm.createTenant({ id: tenant, name: tenant, baseCurrency: 'EUR' });
        const scope = crm.tenant(tenant).system();
        for (const step of steps) {
          if (!all && !step.mine) continue;
          clock.now = new Date(step.at);
          await step.run(scope);
        }
      }
      clock.now = new Date('2026-06-15T09:00:00Z');
      tenants.shared = `shared-${suffix}`;
      tenants.alone = `alone-${suffix}`;
    });
    afterAll(async () => {
      const storage = crm?.storage;
      await crm?.destroy();
      if (storage) await setup.options.cleanup?.(storage);
    });
    const tenants = { shared: '', alone: '' };

    const evaluate = (tenant: string, ids: readonly string[], by?: KpiBreakdown) => {
      const scope = crm!.tenant(tenant).as(ana);
      // The ids and dimension come from the registry at run time, as from JSON or the CLI.
      const evaluateAny = scope.kpis.evaluate as (
        ids: readonly string[],
        options: { period: string; by?: KpiBreakdown },
      ) => Promise<Record<string, unknown>>;
      return evaluateAny(ids, { period: '2026-Q2', ...(by ? { by } : {}) });
    };

    test("a rep's totals of every KPI equal those over only her records", async () => {
      const ids = crm!
        .tenant(tenants.shared)
        .as(ana)
        .kpis.definitions()
        .map((kpi) => kpi.id);
      expect(ids.length).toBeGreaterThanOrEqual(34);
      const shared = await evaluate(tenants.shared, ids);
      const alone = await evaluate(tenants.alone, ids);
      // Soft: every KPI that leaks is reported, not only the first.
      for (const id of ids)
        expect.soft({ id, result: shared[id] }).toEqual({ id, result: alone[id] });
    });

    test("a rep's breakdowns of every KPI equal those over only her records", async () => {
      const kpis = crm!.tenant(tenants.shared).as(ana).kpis.definitions();
      let compared = 0;
      for (const by of breakdowns) {
        const ids = kpis.filter((kpi) => supports(kpi, by)).map((kpi) => kpi.id);
        if (ids.length === 0) continue;
        const shared = await evaluate(tenants.shared, ids, by);
        const alone = await evaluate(tenants.alone, ids, by);
        for (const id of ids) {
          expect.soft({ id, by, result: shared[id] }).toEqual({ id, by, result: alone[id] });
          compared += 1;
        }
      }
      expect(compared).toBeGreaterThan(100);
    });

    test('her numbers are not empty: the data set exercises every plugin', async () => {
      const results = await evaluate(tenants.alone, [
        'closing.winRate',
        'pipeline.openValue',
        'leads.newLeads',
        'aftersales.arpa',
      ]);
      expect(results).toMatchObject({
        'closing.winRate': { value: 2 / 3 },
        'pipeline.openValue': { value: 390_00 },
        'leads.newLeads': { value: 2 },
        'aftersales.arpa': { value: 100_00 },
      });
    });
  });
}
