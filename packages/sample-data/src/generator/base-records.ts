import { at } from './at.js';
import { isoTime } from './calendar.js';
import { countries, industries, productCatalog, regions } from './catalog.js';
import type { GeneratedBatch, GeneratedUser } from './generated-rows.js';
import type { Plan } from './generator-plan.js';
import { createRandom, entitySeed } from './prng.js';
import { base, chunks, companyName, personName, repIndex, seasonalDay } from './row-helpers.js';

/** @internal Teams of eight reps under a manager each, then the managers and the reps. */
export function* teamsAndUsers(plan: Plan): Generator<GeneratedBatch> {
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

/** @internal The product catalog, then the accounts. */
export function* productsAndAccounts(plan: Plan): Generator<GeneratedBatch> {
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
