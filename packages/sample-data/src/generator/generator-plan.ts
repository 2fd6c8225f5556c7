import { at } from './at.js';
import { monthOf, monthStarts } from './calendar.js';
import { monthWeights, productCatalog } from './catalog.js';
import { createRandom, entitySeed } from './prng.js';

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
 * Options of `generateCrmData`.
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

/**
 * @internal Options of `generateCrmData` resolved once per run: defaults applied, ids of reps,
 * accounts and products fixed, and the month weights every date is drawn from.
 */
export interface Plan {
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

/** @internal Resolves the options of a run into its {@link Plan}. */
export function makePlan(options: GeneratorOptions): Plan {
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
