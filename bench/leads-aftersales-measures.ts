import type { Bucket, DashboardMeasures } from './dashboard-figures.js';

/** A result row of the hand-written lead and aftersales queries, as either database returns it. */
export type MeasureRow = Readonly<Record<string, unknown>>;

/** The rows of the hand-written lead and aftersales queries; a question not asked has none. */
export interface LeadAftersalesRows {
  /** The lead counts alone: asked only when the lead facts (which answer them too) are not. */
  readonly leadCounts: readonly MeasureRow[];
  readonly leads: readonly MeasureRow[];
  readonly customers: readonly MeasureRow[];
  readonly purchases: readonly MeasureRow[];
}

const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));
const bucketOf = (value: unknown): Bucket => (value === 'c' ? 'c' : 'p');

/**
 * Puts the rows of the lead and aftersales queries into the measures of `m`. SQLite and DuckDB
 * run the same questions in their own dialects and name the result columns alike, so one
 * mapping serves both.
 */
export function fillLeadAftersalesMeasures(
  m: DashboardMeasures,
  rows: LeadAftersalesRows,
  months: Readonly<Record<Bucket, number>>,
): void {
  m.months = { ...months };
  for (const row of rows.leadCounts) {
    const l = m.leads[bucketOf(row.b)];
    l.leads = num(row.leads);
    l.converted = num(row.converted);
  }
  for (const row of rows.leads) {
    m.leads[bucketOf(row.b)] = {
      leads: num(row.leads),
      campaignLeads: num(row.campaign_leads),
      cost: num(row.cost),
      converted: num(row.converted),
      won: num(row.won),
      campaignWon: num(row.campaign_won),
      wonRevenue: num(row.won_revenue),
      contacted: num(row.contacted),
      daysToFirstActivity: num(row.days),
    };
  }
  const customers = rows.customers[0] ?? {};
  const purchases = rows.purchases[0] ?? {};
  for (const b of ['c', 'p'] as const) {
    const c = (name: string) => num(customers[`${b}_${name}`]);
    m.customers[b] = {
      customersAtStart: c('customersAtStart'),
      churned: c('churned'),
      mrrAtStart: c('mrrAtStart'),
      churnedMrr: c('churnedMrr'),
      contraction: c('contraction'),
      expansion: c('expansion'),
      customers: c('customers'),
      mrr: c('mrr'),
      lifetimeCustomers: c('lifetimeCustomers'),
      lifetimeRevenue: c('lifetimeRevenue'),
    };
    m.purchases[b] = {
      buyers: num(purchases[`${b}_buyers`]),
      repeatBuyers: num(purchases[`${b}_repeat`]),
      crossBuyers: num(purchases[`${b}_cross`]),
    };
  }
}
