import { at } from '../math/checked.js';
import { sigmoid } from '../math/logistic-regression.js';
import { seededRandom } from '../math/random.js';
import type { EvaluationLead } from './lead-evaluation.js';

/** A generated lead whose true conversion probability is known. */
export type SyntheticLead = EvaluationLead & { readonly truth: number };

const sources = [
  { name: 'Web', share: 0.35, effect: 0 },
  { name: 'Partner Referral', share: 0.15, effect: 1.2 },
  { name: 'Trade Show', share: 0.2, effect: 0.5 },
  { name: 'Purchased List', share: 0.2, effect: -1.3 },
  { name: 'Phone Inquiry', share: 0.1, effect: 0.8 },
] as const;
const ratings = [
  { name: 'Hot', share: 0.2, effect: 1 },
  { name: 'Warm', share: 0.4, effect: 0 },
  { name: 'Cold', share: 0.4, effect: -0.8 },
] as const;

function pick<T extends { readonly share: number }>(items: readonly T[], u: number): T {
  let sum = 0;
  for (const item of items) {
    sum += item.share;
    if (u < sum) return item;
  }
  return at(items, items.length - 1);
}

/**
 * Leads drawn from a known logistic model (source, rating, activities in the first two weeks,
 * days to first touch, company size as a custom field), each with its true probability and an
 * outcome drawn from it: what the scores' calibration and ranking are checked against.
 *
 * @example
 * const leads = syntheticLeads({ count: 5000, seed: 1 });
 */
export function syntheticLeads(options: {
  readonly count: number;
  readonly seed: number;
}): SyntheticLead[] {
  const random = seededRandom(options.seed);
  const start = Date.parse('2024-01-01T09:00:00Z');
  const leads: SyntheticLead[] = [];
  for (let i = 0; i < options.count; i++) {
    const source = pick(sources, random());
    const rating = pick(ratings, random());
    const activities = Math.floor(random() * 6);
    const firstTouch = activities > 0 ? random() * 10 : null;
    const employees = Math.round(10 ** (1 + random() * 3));
    const logOdds =
      -2 +
      source.effect +
      rating.effect +
      0.35 * activities -
      (firstTouch === null ? 0 : 0.08 * firstTouch) +
      0.4 * Math.log10(employees);
    const truth = sigmoid(logOdds);
    leads.push({
      id: `lead-${String(i).padStart(6, '0')}`,
      at: new Date(start + i * 3_600_000).toISOString(),
      leadSource: source.name,
      row: {
        leadSource: source.name,
        rating: rating.name,
        activities,
        daysToFirstTouch: firstTouch,
        'custom.employees': employees,
      },
      label: random() < truth ? 1 : 0,
      truth,
    });
  }
  return leads;
}
