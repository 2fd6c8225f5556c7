import { at } from './at.js';
import { isoDay, isoTime, monthOf } from './calendar.js';
import { leadSourceProfiles } from './catalog.js';
import type { GeneratedBatch, GeneratedCampaign, GeneratedContract } from './generated-rows.js';
import type { Plan } from './generator-plan.js';
import { createRandom, entitySeed } from './prng.js';
import { base, campaignId, repIndex, sourceLeadShares } from './row-helpers.js';

/** @internal A campaign per paid lead source and quarter, its budget sized by the leads expected. */
export function campaigns(plan: Plan): GeneratedCampaign[] {
  const quarters = Math.ceil((plan.months.length - 1) / 3);
  const rows: GeneratedCampaign[] = [];
  const leadShareTotal = sourceLeadShares.reduce((a, b) => a + b, 0);
  for (const [s, source] of leadSourceProfiles.entries()) {
    if (source.costPerLead === 0) continue;
    for (let q = 0; q < quarters; q++) {
      const random = createRandom(entitySeed(plan.seed, `campaign-${s}`, q));
      const startDay = at(plan.months, q * 3);
      const endDay = at(plan.months, Math.min(q * 3 + 3, plan.months.length - 1)) - 1;
      const expectedLeads = (plan.leads * source.leadShare) / leadShareTotal / quarters;
      const budgeted = Math.round(expectedLeads * source.costPerLead);
      rows.push({
        name: `${source.name} Q${(Math.floor(monthOf(startDay) / 3) % 4) + 1} ${isoDay(startDay).slice(0, 4)}`,
        type: source.campaignType,
        status: endDay < plan.today ? 'Completed' : 'In Progress',
        startDate: isoDay(startDay),
        endDate: isoDay(endDay),
        budgetedCost: budgeted,
        actualCost: Math.round(budgeted * (0.85 + random.next() * 0.3)),
        currency: plan.currency,
        ...base(plan, campaignId(plan, s, q), isoTime(startDay - 14, 10 * 3600)),
      });
    }
  }
  return rows;
}

/** @internal A quota per rep and quarter. */
export function* quotas(plan: Plan): Generator<GeneratedBatch> {
  const quarters = Math.ceil((plan.months.length - 1) / 3);
  const meanPrice = plan.products.reduce((sum, p) => sum + p.listPrice, 0) / plan.products.length;
  // About what an average rep wins in a quarter, raised by a fifth: quotas are a stretch.
  const perRep =
    plan.opportunities > 0
      ? (plan.opportunities * 0.35 * meanPrice * 2.2 * 1.2) / plan.repIds.length / quarters
      : meanPrice * 12;
  let rows = [];
  for (const [r, ownerId] of plan.repIds.entries()) {
    for (let q = 0; q < quarters; q++) {
      const random = createRandom(entitySeed(plan.seed, `quota-${r}`, q));
      const startDay = at(plan.months, q * 3);
      const endDay = at(plan.months, Math.min(q * 3 + 3, plan.months.length - 1)) - 1;
      rows.push({
        ownerId,
        teamId: null,
        periodStart: isoDay(startDay),
        periodEnd: isoDay(endDay),
        amount: Math.round((perRep * (0.9 + random.next() * 0.2)) / 100) * 100,
        currency: plan.currency,
        ...base(plan, `${plan.prefix}-quota-${r}-${q}`, isoTime(startDay - 10, 9 * 3600)),
      });
      if (rows.length >= plan.batchSize) {
        yield { table: 'quotas', rows };
        rows = [];
      }
    }
  }
  if (rows.length > 0) yield { table: 'quotas', rows };
}

/** @internal Contracts of every account, in chains of yearly renewals that end in churn. */
export function* contracts(plan: Plan): Generator<GeneratedBatch> {
  let rows: GeneratedContract[] = [];
  const firstDay = at(plan.months, 0);
  for (const [a, accountId] of plan.accountIds.entries()) {
    const random = createRandom(entitySeed(plan.seed, 'contract', a));
    const chains = random.weighted([0, 1, 2], [3, 5, 2]);
    for (let c = 0; c < chains; c++) {
      const product = random.pick(plan.products);
      const ownerId = at(plan.repIds, repIndex(plan, random));
      let monthly = Math.max(
        100,
        Math.round((product.listPrice * random.int(1, 5)) / 12 / 100) * 100,
      );
      let startDay = firstDay - 365 + Math.floor(random.next() * (plan.today - firstDay + 300));
      let previousId: string | null = null;
      for (let n = 0; startDay <= plan.today; n++) {
        const endDay = startDay + 364;
        const id = `${plan.prefix}-ctr-${a}-${c}-${n}`;
        const ended = endDay < plan.today;
        // Churn is higher for small contracts and in the first year.
        const renews = ended && random.chance(n === 0 ? 0.72 : 0.85);
        const status = !ended
          ? 'Activated'
          : renews
            ? 'Expired'
            : random.chance(0.6)
              ? 'Cancelled'
              : 'Expired';
        rows.push({
          accountId,
          productId: product.id,
          ownerId,
          status,
          startDate: isoDay(startDay),
          endDate: isoDay(endDay),
          monthlyAmount: monthly,
          currency: plan.currency,
          renewalOfId: previousId,
          ...base(
            plan,
            id,
            isoTime(startDay - 5, 11 * 3600),
            isoTime(Math.min(endDay, plan.today), 11 * 3600),
            ended ? 2 : 1,
          ),
        });
        if (!renews) break;
        previousId = id;
        startDay = endDay + 1;
        monthly = Math.round((monthly * (1 + random.next() * 0.1)) / 100) * 100;
      }
    }
    if (rows.length >= plan.batchSize) {
      yield { table: 'contracts', rows };
      rows = [];
    }
  }
  if (rows.length > 0) yield { table: 'contracts', rows };
}
