import { at } from './at.js';
import { companyParts, firstNames, lastNames, leadSourceProfiles } from './catalog.js';
import type { GeneratedBase } from './generated-rows.js';
import type { Plan } from './generator-plan.js';
import { createRandom, entitySeed, type Random } from './prng.js';

/** @internal Each lead source's share of generated leads, for weighted picks. */
export const sourceLeadShares = leadSourceProfiles.map((s) => s.leadShare);
/** @internal Each lead source's share of generated opportunities, for weighted picks. */
export const sourceDealShares = leadSourceProfiles.map((s) => s.dealShare);

/** @internal The system columns of a generated row. */
export function base(
  plan: Plan,
  id: string,
  createdAt: string,
  updatedAt = createdAt,
  version = 1,
) {
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

/** @internal A day in the period, following seasonality and growth. */
export function seasonalDay(plan: Plan, random: Random): number {
  const cumulative = plan.monthCumulative;
  const roll = random.next() * (cumulative[cumulative.length - 1] ?? 1);
  let month = 0;
  while (month < cumulative.length - 1 && (cumulative[month] ?? 0) <= roll) month++;
  const from = at(plan.months, month);
  const to = at(plan.months, month + 1);
  return from + Math.floor(random.next() * (to - from));
}

/** @internal A random first and last name. */
export function personName(random: Random): { first: string; last: string } {
  return { first: random.pick(firstNames), last: random.pick(lastNames) };
}

/** @internal The company name of account `index`, the same for every run of a seed. */
export function companyName(plan: Plan, index: number): string {
  const random = createRandom(entitySeed(plan.seed, 'company', index));
  const name = `${random.pick(companyParts.first)}${random.pick(companyParts.second)}`;
  return `${name} ${index} ${random.pick(companyParts.suffix)}`;
}

/** @internal A random rep, as an index into the plan's reps. */
export function repIndex(plan: Plan, random: Random): number {
  return Math.floor(random.next() * plan.repIds.length);
}

/** @internal The id of generated opportunity `i`. */
export const oppId = (plan: Plan, i: number) => `${plan.prefix}-opp-${i}`;
/** @internal The id of generated lead `i`. */
export const leadId = (plan: Plan, i: number) => `${plan.prefix}-lead-${i}`;
/** @internal The id of the campaign of a lead source in a quarter of the period. */
export const campaignId = (plan: Plan, source: number, quarter: number) =>
  `${plan.prefix}-cmp-${source}-${quarter}`;

/** @internal The quarter of the period (0 for the first) that `day` falls in. */
export function quarterIndex(plan: Plan, day: number): number {
  let month = 0;
  while (month < plan.months.length - 2 && at(plan.months, month + 1) <= day) month++;
  return Math.floor(month / 3);
}

/** @internal `rows` cut into batches of `size`. */
export function chunks<T>(rows: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
