import { defaultPipelineStages } from '@rapport/core';
import { at } from './at.js';
import { isoDay, isoTime, monthOf, monthStarts } from './calendar.js';
import {
  companyParts,
  countries,
  firstNames,
  industries,
  lastNames,
  leadSourceProfiles,
  lostReasons,
  meanDaysInStage,
  monthWeights,
  productCatalog,
  regions,
  titles,
} from './catalog.js';
import type {
  GeneratedActivity,
  GeneratedBase,
  GeneratedBatch,
  GeneratedCampaign,
  GeneratedContract,
  GeneratedLead,
  GeneratedOpportunity,
  GeneratedStageHistory,
  GeneratedUser,
} from './generated-rows.js';
import { createRandom, entitySeed, type Random } from './prng.js';

/**
 * Records that already exist in the tenant and that generated rows should use instead of
 * generating their own (the demo adds leads, quotas and contracts to the Maven sample data).
 */
export interface ExistingRecords {
  /** Ids of the reps who own generated leads, opportunities, quotas and contracts. */
  readonly userIds: readonly string[];
  /** Ids of accounts for opportunities and contracts. */
  readonly accountIds: readonly string[];
  /** Products with their list price in minor units. */
  readonly products: readonly { readonly id: string; readonly listPrice: number }[];
  /** Opportunities that converted leads may point to (when no opportunities are generated). */
  readonly opportunityIds?: readonly string[];
}

/**
 * Options of {@link generateCrmData}.
 *
 * @example
 * const options: GeneratorOptions = { tenantId: 'acme', pipelineId, seed: 7, opportunities: 10_000 };
 */
export interface GeneratorOptions {
  /** The tenant every row belongs to (it must exist). */
  readonly tenantId: string;
  /** The pipeline of generated opportunities; it must have the default (Salesforce) stages. */
  readonly pipelineId: string;
  /** Same seed, same rows. Default 1. */
  readonly seed?: number;
  /** Opportunities to generate. Default 1,000. */
  readonly opportunities?: number;
  /** Leads to generate. Default twice the opportunities. */
  readonly leads?: number;
  /** Reps (and a manager per eight reps). Default one per 250 opportunities, 4 to 2,000. */
  readonly reps?: number;
  /** Accounts. Default one per 8 opportunities, at least 10. */
  readonly accounts?: number;
  /** First day of the generated history, `YYYY-MM-DD`. Default `2025-01-01`. */
  readonly start?: string;
  /** Months of history; the last day of the last month is "today". Default 24. */
  readonly months?: number;
  /** ISO currency of every amount. Default `EUR`. */
  readonly currency?: string;
  /** Rows per batch of the main tables. Default 1,000. */
  readonly batchSize?: number;
  /** Prefix of generated ids and external ids. Default `gen`. */
  readonly prefix?: string;
  /** Actor id in `createdBy` and `updatedBy`. Default `system`. */
  readonly actorId?: string;
  /** Use these users, accounts and products instead of generating them. */
  readonly existing?: ExistingRecords;
}

interface Plan {
  readonly seed: number;
  readonly tenantId: string;
  readonly pipelineId: string;
  readonly currency: string;
  readonly prefix: string;
  readonly actorId: string;
  readonly batchSize: number;
  readonly opportunities: number;
  readonly leads: number;
  readonly repIds: readonly string[];
  readonly repSkills: readonly number[];
  readonly accountIds: readonly string[];
  readonly products: readonly {
    readonly id: string;
    readonly name: string;
    readonly listPrice: number;
  }[];
  readonly months: readonly number[];
  readonly monthCumulative: readonly number[];
  readonly today: number;
  readonly generateBase: boolean;
  readonly existingOpportunityIds: readonly string[];
}

const openStages = defaultPipelineStages.filter((stage) => stage.status === 'open');
const wonStage = at(
  defaultPipelineStages.filter((stage) => stage.status === 'won'),
  0,
);
const lostStage = at(
  defaultPipelineStages.filter((stage) => stage.status === 'lost'),
  0,
);
const activityTypes = ['call', 'email', 'meeting', 'task'] as const;
const activityWeights = [4, 5, 2, 2];
const sourceLeadShares = leadSourceProfiles.map((s) => s.leadShare);
const sourceDealShares = leadSourceProfiles.map((s) => s.dealShare);

function makePlan(options: GeneratorOptions): Plan {
  const seed = options.seed ?? 1;
  const prefix = options.prefix ?? 'gen';
  const opportunities = options.opportunities ?? 1000;
  const existing = options.existing;
  const repCount =
    existing?.userIds.length ??
    options.reps ??
    Math.min(2000, Math.max(4, Math.round(opportunities / 250)));
  const repIds = existing
    ? existing.userIds
    : Array.from({ length: repCount }, (_, i) => `${prefix}-usr-${i}`);
  if (repIds.length === 0) throw new Error('the generator needs at least one rep');
  // A rep's skill is fixed for the run: it moves their win rate, deal size and speed.
  const repSkills = repIds.map((_, i) => {
    const random = createRandom(entitySeed(seed, 'rep', i));
    return 0.6 + random.next() * 0.8;
  });
  const accountCount = options.accounts ?? Math.max(10, Math.ceil(opportunities / 8));
  const accountIds = existing
    ? existing.accountIds
    : Array.from({ length: accountCount }, (_, i) => `${prefix}-acc-${i}`);
  const products = existing
    ? existing.products.map((p) => ({ id: p.id, name: p.id, listPrice: p.listPrice }))
    : productCatalog.map(([name, , listPrice], i) => ({
        id: `${prefix}-prd-${i}`,
        name,
        listPrice,
      }));
  const months = monthStarts(options.start ?? '2025-01-01', options.months ?? 24);
  // Seasonality times a growth trend: later months carry more activity.
  const monthCumulative: number[] = [];
  let total = 0;
  for (let k = 0; k < months.length - 1; k++) {
    const growth = 1 + (0.4 * k) / Math.max(1, months.length - 2);
    total += (monthWeights[monthOf(at(months, k))] ?? 1) * growth;
    monthCumulative.push(total);
  }
  return {
    seed,
    tenantId: options.tenantId,
    pipelineId: options.pipelineId,
    currency: options.currency ?? 'EUR',
    prefix,
    actorId: options.actorId ?? 'system',
    batchSize: Math.max(1, options.batchSize ?? 1000),
    opportunities,
    leads: options.leads ?? opportunities * 2,
    repIds,
    repSkills,
    accountIds,
    products,
    months,
    monthCumulative,
    today: at(months, months.length - 1) - 1,
    generateBase: existing === undefined,
    existingOpportunityIds: existing?.opportunityIds ?? [],
  };
}

function base(plan: Plan, id: string, createdAt: string, updatedAt = createdAt, version = 1) {
  return {
    tenantId: plan.tenantId,
    id,
    version,
    createdAt,
    createdBy: plan.actorId,
    updatedAt,
    updatedBy: plan.actorId,
    externalId: id,
    custom: null,
  } satisfies GeneratedBase;
}

/** A day in the period, following seasonality and growth. */
function seasonalDay(plan: Plan, random: Random): number {
  const cumulative = plan.monthCumulative;
  const roll = random.next() * (cumulative[cumulative.length - 1] ?? 1);
  let month = 0;
  while (month < cumulative.length - 1 && (cumulative[month] ?? 0) <= roll) month++;
  const from = at(plan.months, month);
  const to = at(plan.months, month + 1);
  return from + Math.floor(random.next() * (to - from));
}

function personName(random: Random): { first: string; last: string } {
  return { first: random.pick(firstNames), last: random.pick(lastNames) };
}

function companyName(plan: Plan, index: number): string {
  const random = createRandom(entitySeed(plan.seed, 'company', index));
  const name = `${random.pick(companyParts.first)}${random.pick(companyParts.second)}`;
  return `${name} ${index} ${random.pick(companyParts.suffix)}`;
}

function repIndex(plan: Plan, random: Random): number {
  return Math.floor(random.next() * plan.repIds.length);
}

const oppId = (plan: Plan, i: number) => `${plan.prefix}-opp-${i}`;
const leadId = (plan: Plan, i: number) => `${plan.prefix}-lead-${i}`;
const campaignId = (plan: Plan, source: number, quarter: number) =>
  `${plan.prefix}-cmp-${source}-${quarter}`;

function quarterIndex(plan: Plan, day: number): number {
  let month = 0;
  while (month < plan.months.length - 2 && at(plan.months, month + 1) <= day) month++;
  return Math.floor(month / 3);
}

function chunks<T>(rows: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

function* teamsAndUsers(plan: Plan): Generator<GeneratedBatch> {
  const created = isoTime(at(plan.months, 0) - 30, 8 * 3600);
  const teamCount = Math.ceil(plan.repIds.length / 8);
  const teams = Array.from({ length: teamCount }, (_, t) => ({
    name: `${regions[t % regions.length]} ${Math.floor(t / regions.length) + 1}`,
    managerId: `${plan.prefix}-mgr-${t}`,
    region: regions[t % regions.length] ?? null,
    ...base(plan, `${plan.prefix}-team-${t}`, created),
  }));
  for (const rows of chunks(teams, plan.batchSize)) yield { table: 'teams', rows };
  const managers: GeneratedUser[] = teams.map((team, t) => {
    const random = createRandom(entitySeed(plan.seed, 'manager', t));
    const { first, last } = personName(random);
    return {
      name: `${first} ${last}`,
      email: `${first}.${last}.m${t}@example.com`.toLowerCase(),
      role: 'manager',
      managerId: null,
      teamId: team.id,
      region: team.region,
      ...base(plan, `${plan.prefix}-mgr-${t}`, created),
    };
  });
  for (const rows of chunks(managers, plan.batchSize)) yield { table: 'users', rows };
  const reps: GeneratedUser[] = plan.repIds.map((id, r) => {
    const random = createRandom(entitySeed(plan.seed, 'user', r));
    const { first, last } = personName(random);
    const team = at(teams, Math.floor(r / 8));
    return {
      name: `${first} ${last}`,
      email: `${first}.${last}.${r}@example.com`.toLowerCase(),
      role: 'rep',
      managerId: team.managerId,
      teamId: team.id,
      region: team.region,
      ...base(plan, id, created),
    };
  });
  for (const rows of chunks(reps, plan.batchSize)) yield { table: 'users', rows };
}

function* productsAndAccounts(plan: Plan): Generator<GeneratedBatch> {
  const created = isoTime(at(plan.months, 0) - 30, 8 * 3600);
  yield {
    table: 'products',
    rows: productCatalog.map(([name, family, listPrice], i) => ({
      name,
      family,
      productCode: `P-${100 + i}`,
      listPrice,
      currency: plan.currency,
      ...base(plan, `${plan.prefix}-prd-${i}`, created),
    })),
  };
  for (let from = 0; from < plan.accountIds.length; from += plan.batchSize) {
    const to = Math.min(plan.accountIds.length, from + plan.batchSize);
    const rows = [];
    for (let a = from; a < to; a++) {
      const random = createRandom(entitySeed(plan.seed, 'account', a));
      const employees = Math.round(random.logNormal(120, 1.4)) + 1;
      rows.push({
        name: companyName(plan, a),
        ownerId: at(plan.repIds, repIndex(plan, random)),
        industry: random.pick(industries),
        type: random.chance(0.7) ? 'Customer' : 'Prospect',
        segment: employees > 1000 ? 'Enterprise' : employees > 100 ? 'Mid-Market' : 'SMB',
        billingCountry: random.pick(countries),
        annualRevenue: Math.round(employees * random.logNormal(150_000, 0.5)),
        numberOfEmployees: employees,
        yearStarted: random.int(1950, 2020),
        parentId: null,
        ...base(plan, at(plan.accountIds, a), isoTime(seasonalDay(plan, random) - 60, 9 * 3600)),
      });
    }
    yield { table: 'accounts', rows };
  }
}

function campaigns(plan: Plan): GeneratedCampaign[] {
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

function* quotas(plan: Plan): Generator<GeneratedBatch> {
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

function* contracts(plan: Plan): Generator<GeneratedBatch> {
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

function activity(
  plan: Plan,
  random: Random,
  id: string,
  day: number,
  ownerId: string,
  links: Pick<GeneratedActivity, 'leadId' | 'accountId' | 'opportunityId'>,
): GeneratedActivity {
  const type = random.weighted(activityTypes, activityWeights);
  const at = isoTime(day, (8 + random.next() * 10) * 3600);
  const done = day <= plan.today && random.chance(0.9);
  return {
    type,
    subject: `${type.charAt(0).toUpperCase()}${type.slice(1)}`,
    ownerId,
    contactId: null,
    dueAt: at,
    completedAt: done ? at : null,
    description: null,
    ...links,
    ...base(
      plan,
      id,
      isoTime(day - 2, 9 * 3600),
      done ? at : isoTime(day - 2, 9 * 3600),
      done ? 2 : 1,
    ),
  };
}

interface OpportunityRows {
  readonly opportunity: GeneratedOpportunity;
  readonly history: GeneratedStageHistory[];
  readonly activities: GeneratedActivity[];
}

function opportunityRows(plan: Plan, i: number): OpportunityRows {
  const random = createRandom(entitySeed(plan.seed, 'opportunity', i));
  const id = oppId(plan, i);
  const r = repIndex(plan, random);
  const skill = at(plan.repSkills, r);
  const ownerId = at(plan.repIds, r);
  const s = leadSourceProfiles.indexOf(random.weighted(leadSourceProfiles, sourceDealShares));
  const source = at(leadSourceProfiles, s);
  const a = Math.floor(random.next() * plan.accountIds.length);
  const product = random.pick(plan.products);
  const quantity = Math.max(1, Math.round(random.logNormal(2, 0.7)));
  const amount = Math.round((product.listPrice * quantity * (0.8 + 0.3 * skill)) / 100) * 100;
  const openDay = seasonalDay(plan, random);
  // Advancing from stage to stage depends on the rep and the source; 8 stages compound it.
  const advance = Math.min(0.97, 0.875 * (skill * source.quality) ** 0.3);
  const expectedClose = openDay + Math.round(meanDaysInStage.reduce((x, y) => x + y, 0) / skill);
  const history: GeneratedStageHistory[] = [];
  const campaign =
    source.costPerLead > 0 && random.chance(0.7)
      ? campaignId(plan, s, quarterIndex(plan, openDay))
      : null;

  let stageIndex = 0;
  let day = openDay;
  let stage: (typeof defaultPipelineStages)[number] = at(openStages, 0);
  let closeDay = expectedClose;
  let lostReason: string | null = null;
  const record = (next: (typeof defaultPipelineStages)[number], atDay: number, close: number) => {
    const previous = history[history.length - 1];
    history.push({
      opportunityId: id,
      stage: next.name,
      previousStage: previous?.stage ?? null,
      status: next.status,
      amount,
      previousAmount: previous ? amount : null,
      currency: plan.currency,
      probability: next.probability,
      previousProbability: previous?.probability ?? null,
      forecastCategory: next.forecastCategory,
      closeDate: isoDay(close),
      previousCloseDate: previous?.closeDate ?? null,
      ...base(plan, `${id}-h${history.length}`, isoTime(atDay, (9 + random.next() * 8) * 3600)),
    });
    stage = next;
  };
  record(stage, day, expectedClose);
  for (;;) {
    const dwell = Math.max(
      1,
      Math.round(random.exponential(meanDaysInStage[stageIndex] ?? 8) / skill),
    );
    const nextDay = day + dwell;
    if (nextDay > plan.today) break;
    day = nextDay;
    if (!random.chance(advance)) {
      lostReason = random.pick(stageIndex < 4 ? lostReasons.early : lostReasons.late);
      closeDay = day;
      record(lostStage, day, day);
      break;
    }
    // Some deals skip a stage, as real ones do.
    stageIndex += random.chance(0.15) ? 2 : 1;
    if (stageIndex >= openStages.length) {
      closeDay = day;
      record(wonStage, day, day);
      break;
    }
    record(at(openStages, stageIndex), day, expectedClose);
  }
  if (stage.status === 'open' && closeDay < plan.today) closeDay = plan.today + random.int(7, 60);

  const activities: GeneratedActivity[] = [];
  const activityCount = 1 + Math.floor(history.length * 1.5 * skill * random.next());
  const lastDay = Math.min(stage.status === 'open' ? plan.today + 14 : closeDay, plan.today + 14);
  for (let k = 0; k < activityCount; k++) {
    const atDay = openDay + Math.floor(random.next() * Math.max(1, lastDay - openDay));
    activities.push(
      activity(plan, random, `${id}-a${k}`, atDay, ownerId, {
        leadId: null,
        accountId: at(plan.accountIds, a),
        opportunityId: id,
      }),
    );
  }
  const first = at(history, 0);
  const last = at(history, history.length - 1);
  return {
    opportunity: {
      name: `${companyName(plan, a)} - ${product.name}`,
      accountId: at(plan.accountIds, a),
      ownerId,
      pipelineId: plan.pipelineId,
      stage: stage.name,
      status: stage.status,
      amount,
      currency: plan.currency,
      probability: stage.probability,
      forecastCategory: stage.forecastCategory,
      openDate: isoDay(openDay),
      closeDate: isoDay(closeDay),
      type: random.chance(0.7) ? 'New Business' : 'Existing Business',
      leadSource: source.name,
      campaignId: campaign,
      nextStep: stage.status === 'open' ? 'Follow up' : null,
      lostReason,
      description: null,
      ...base(plan, id, first.createdAt, last.createdAt, history.length),
    },
    history,
    activities,
  };
}

function convertedOpportunity(plan: Plan, random: Random): string | null {
  if (plan.opportunities > 0) return oppId(plan, Math.floor(random.next() * plan.opportunities));
  const existing = plan.existingOpportunityIds;
  return existing.length > 0 ? at(existing, Math.floor(random.next() * existing.length)) : null;
}

function leadRows(plan: Plan, j: number): { lead: GeneratedLead; activities: GeneratedActivity[] } {
  const random = createRandom(entitySeed(plan.seed, 'lead', j));
  const id = leadId(plan, j);
  const r = repIndex(plan, random);
  const ownerId = at(plan.repIds, r);
  const s = leadSourceProfiles.indexOf(random.weighted(leadSourceProfiles, sourceLeadShares));
  const source = at(leadSourceProfiles, s);
  const createdDay = seasonalDay(plan, random);
  const { first, last } = personName(random);
  const company = companyName(plan, 1_000_000 + (j % 50_000));
  const age = plan.today - createdDay;
  let status: string;
  let convertedDay: number | null = null;
  if (age < 10) status = random.chance(0.5) ? 'Open - Not Contacted' : 'Working - Contacted';
  else if (random.chance(Math.min(0.9, source.conversion * at(plan.repSkills, r)))) {
    convertedDay = createdDay + Math.min(age, 1 + Math.round(random.exponential(18)));
    status = 'Closed - Converted';
  } else status = age < 45 && random.chance(0.5) ? 'Working - Contacted' : 'Closed - Not Converted';
  const updatedDay = convertedDay ?? Math.min(plan.today, createdDay + random.int(0, 30));
  const activities: GeneratedActivity[] = [];
  const touches = status === 'Open - Not Contacted' ? 0 : random.int(1, 3);
  for (let k = 0; k < touches; k++) {
    const atDay = Math.min(
      plan.today,
      createdDay + random.int(0, Math.max(1, updatedDay - createdDay)),
    );
    activities.push(
      activity(plan, random, `${id}-a${k}`, atDay, ownerId, {
        leadId: id,
        accountId: null,
        opportunityId: null,
      }),
    );
  }
  return {
    lead: {
      lastName: last,
      firstName: first,
      company,
      email: `${first}.${last}.${j}@example.org`.toLowerCase(),
      phone: null,
      title: random.pick(titles),
      status,
      leadSource: source.name,
      campaignId:
        source.costPerLead > 0 ? campaignId(plan, s, quarterIndex(plan, createdDay)) : null,
      ownerId,
      rating: random.weighted(['Hot', 'Warm', 'Cold'], [1, 3, 4]),
      convertedAt: convertedDay === null ? null : isoTime(convertedDay, 15 * 3600),
      convertedAccountId: null,
      convertedContactId: null,
      convertedOpportunityId: convertedDay === null ? null : convertedOpportunity(plan, random),
      ...base(
        plan,
        id,
        isoTime(createdDay, (7 + random.next() * 12) * 3600),
        isoTime(updatedDay, 17 * 3600),
        convertedDay === null ? 1 : 2,
      ),
    },
    activities,
  };
}

/**
 * Generates a realistic CRM history, seeded and deterministic, as batches of rows of core's
 * tables: teams and users (reps of different skill under managers), products, accounts, campaigns
 * with costs per lead source, quotas per rep and quarter, contracts with renewals and churn,
 * opportunities with stage history (time in stage, lost reasons) and activities, then leads of
 * sources of different quality. Seasonality (a summer dip, a year-end push) and growth shape
 * every date. Batches are produced lazily, so memory stays flat from 1,000 to millions of rows.
 *
 * Rows carry every column (system columns included) and reference earlier batches only, so a
 * benchmark may insert them raw; {@link insertGeneratedData} does that through kysely.
 *
 * @example
 * for await (const batch of generateCrmData({ tenantId: 'acme', pipelineId, seed: 42 })) {
 *   await db.insertInto(batch.table).values(batch.rows).execute();
 * }
 */
export async function* generateCrmData(options: GeneratorOptions): AsyncGenerator<GeneratedBatch> {
  yield* generateCrmRows(options);
}

/**
 * The synchronous form of {@link generateCrmData}, for a benchmark's tight insert loop.
 *
 * @example
 * let rows = 0;
 * for (const batch of generateCrmRows({ tenantId: 't', pipelineId: 'p', opportunities: 100 })) rows += batch.rows.length;
 */
export function* generateCrmRows(options: GeneratorOptions): Generator<GeneratedBatch> {
  const plan = makePlan(options);
  if (plan.generateBase) {
    yield* teamsAndUsers(plan);
    yield* productsAndAccounts(plan);
  }
  for (const rows of chunks(campaigns(plan), plan.batchSize)) yield { table: 'campaigns', rows };
  yield* quotas(plan);
  yield* contracts(plan);
  for (let from = 0; from < plan.opportunities; from += plan.batchSize) {
    const to = Math.min(plan.opportunities, from + plan.batchSize);
    const opportunities: GeneratedOpportunity[] = [];
    const history: GeneratedStageHistory[] = [];
    const activities: GeneratedActivity[] = [];
    for (let i = from; i < to; i++) {
      const rows = opportunityRows(plan, i);
      opportunities.push(rows.opportunity);
      history.push(...rows.history);
      activities.push(...rows.activities);
    }
    yield { table: 'opportunities', rows: opportunities };
    yield { table: 'stageHistory', rows: history };
    yield { table: 'activities', rows: activities };
  }
  for (let from = 0; from < plan.leads; from += plan.batchSize) {
    const to = Math.min(plan.leads, from + plan.batchSize);
    const leads: GeneratedLead[] = [];
    const activities: GeneratedActivity[] = [];
    for (let j = from; j < to; j++) {
      const rows = leadRows(plan, j);
      leads.push(rows.lead);
      activities.push(...rows.activities);
    }
    yield { table: 'leads', rows: leads };
    if (activities.length > 0) yield { table: 'activities', rows: activities };
  }
}
