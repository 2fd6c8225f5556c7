import type Database from 'better-sqlite3';
import { type BenchRanges, moneySql, periodMonths } from './bench-period.js';
import type { Bucket, DashboardMeasures, Question } from './dashboard-figures.js';
import { benchTenant } from './dataset.js';
import { fillLeadAftersalesMeasures } from './leads-aftersales-measures.js';

type Row = Record<string, number | string | null>;

/**
 * The days the aftersales KPIs look at, per bucket: S (first day), E (the day after the period)
 * and L (its last day). The previous period's E is the current one's S (checked in the
 * constructor), so five days cover both periods.
 */
const customerDays: Readonly<Record<Bucket, { S: string; E: string; L: string }>> = {
  c: { S: 'cs', E: 'ce', L: 'cl' },
  p: { S: 'ps', E: 'cs', L: 'pl' },
};

/** The customer facts of one bucket from the per-account columns of the `customers` query. */
function customerColumns(b: Bucket): string {
  const { S, E, L } = customerDays[b];
  const atStart = `n_${S} > 0`;
  const stayed = `${atStart} and n_${E} > 0`;
  return [
    `sum(${atStart}) as ${b}_customersAtStart`,
    `sum(${atStart} and n_${E} = 0) as ${b}_churned`,
    `sum(m_${S}) as ${b}_mrrAtStart`,
    `sum(case when ${atStart} and n_${E} = 0 then m_${S} else 0 end) as ${b}_churnedMrr`,
    `sum(case when ${stayed} and m_${E} < m_${S} then m_${S} - m_${E} else 0 end) as ${b}_contraction`,
    `sum(case when ${stayed} and m_${E} > m_${S} then m_${E} - m_${S} else 0 end) as ${b}_expansion`,
    `sum(n_${L} > 0) as ${b}_customers`,
    `sum(m_${L}) as ${b}_mrr`,
    `sum(ever_${L} > 0) as ${b}_lifetimeCustomers`,
    `sum(revenue_${L}) as ${b}_lifetimeRevenue`,
  ].join(', ');
}

/**
 * The lead and aftersales KPIs as hand-written SQL on raw better-sqlite3, with the definitions
 * of docs/kpis.md and the plugins: three queries, each one scan for both periods (bucketed by
 * CASE), as someone who knows SQLite would write them.
 *
 * - leads: the leads created in either period (only counted when just new leads and conversion
 *   are on the dashboard), grouped by bucket and campaign (so each
 *   campaign's actual cost is added once per period it brought leads: the sum of the equal
 *   shares the plugin gives its leads), the converted opportunity joined when won, the first
 *   completed activity kept on the lead at write time;
 * - customers: one grouped scan of the counted contracts per account, with their count and MRR
 *   active on each day looked at, and their revenue up to each last day;
 * - purchases: won opportunities closed before the current period's end per account, with the
 *   distinct families of their line items, counted for both ends.
 *
 * Accounts are not joined: every contract and opportunity names an existing account (foreign
 * keys), and accounts without contracts or wins add nothing to any of these KPIs.
 */
export class SqliteLeadsAftersales {
  private readonly statements: Record<string, Database.Statement>;
  private readonly params: Record<string, string>;
  private readonly months: Record<Bucket, number>;

  constructor(
    database: Database.Database,
    ranges: BenchRanges,
    factors: ReadonlyMap<string, number>,
    private readonly asks: (question: Question) => boolean = () => true,
  ) {
    if (ranges.pe !== ranges.cs)
      throw new Error('the previous period must end where the period starts');
    this.params = { t: benchTenant.id, ...ranges };
    this.months = { c: periodMonths(ranges.cs, ranges.ce), p: periodMonths(ranges.ps, ranges.pe) };
    const instantBucket = (column: string) =>
      `(case when ${column} >= @csi and ${column} < @cei then 'c' else 'p' end)`;
    const inInstants = (column: string) =>
      `((${column} >= @csi and ${column} < @cei) or (${column} >= @psi and ${column} < @pei))`;
    const days = ['ps', 'cs', 'ce', 'pl', 'cl'] as const;
    const active = (day: string) =>
      `k.start_date <= @${day} and (k.end_date is null or k.end_date >= @${day})`;
    const started = (last: string) => `k.start_date <= @${last}`;
    const revenue = (last: string) =>
      `k.mrr * (julianday(case when k.end_date is not null and k.end_date < @${last} then k.end_date else @${last} end) - julianday(k.start_date) + 1) * 12.0 / 365`;
    const sqlOf: Record<string, string> = {
      // The first completed activity is the lead's kept column (as Rapport reads it).
      leads: `
        with l as materialized (
          select ${instantBucket('l.created_at')} as b, l.campaign_id, l.converted_opportunity_id,
            julianday(l.first_activity_at) - julianday(l.created_at) as days
          from leads l where l.tenant_id = @t and ${inInstants('l.created_at')}
        ),
        cohort as (
          select l.b, l.campaign_id, count(*) as leads, count(l.converted_opportunity_id) as converted,
            count(o.id) as won, sum(${moneySql(factors, 'o.amount', 'o.currency')}) as won_revenue,
            count(l.days) as contacted, sum(l.days) as days
          from l left join opportunities o on o.tenant_id = @t and o.id = l.converted_opportunity_id and o.status = 'won'
          group by l.b, l.campaign_id
        )
        select b, sum(leads) as leads, sum(case when campaign_id is not null then leads else 0 end) as campaign_leads,
          sum(${moneySql(factors, 'c.actual_cost', 'c.currency')}) as cost,
          sum(converted) as converted, sum(won) as won,
          sum(case when campaign_id is not null then won else 0 end) as campaign_won,
          sum(won_revenue) as won_revenue, sum(contacted) as contacted, sum(days) as days
        from cohort left join campaigns c on c.tenant_id = @t and c.id = cohort.campaign_id
        group by b`,
      leadCounts: `
        select ${instantBucket('l.created_at')} as b, count(*) as leads, count(l.converted_opportunity_id) as converted
        from leads l where l.tenant_id = @t and ${inInstants('l.created_at')} group by b`,
      customers: `
        with per_account as (
          select k.account_id,
            ${days.map((d) => `count(case when ${active(d)} then 1 end) as n_${d}, coalesce(sum(case when ${active(d)} then k.mrr end), 0) as m_${d}`).join(',\n            ')},
            ${(['pl', 'cl'] as const).map((l) => `count(case when ${started(l)} then 1 end) as ever_${l}, coalesce(sum(case when ${started(l)} then ${revenue(l)} end), 0) as revenue_${l}`).join(',\n            ')}
          from (
            select account_id, start_date, end_date, ${moneySql(factors, 'monthly_amount', 'currency')} as mrr
            from contracts where tenant_id = @t and status <> 'Draft'
          ) k
          group by k.account_id
        )
        select ${customerColumns('c')}, ${customerColumns('p')} from per_account`,
      purchases: `
        select sum(wins_c >= 1) as c_buyers, sum(wins_c >= 2) as c_repeat, sum(families_c >= 2) as c_cross,
          sum(wins_p >= 1) as p_buyers, sum(wins_p >= 2) as p_repeat, sum(families_p >= 2) as p_cross
        from (
          select o.account_id,
            count(distinct o.id) as wins_c, count(distinct p.family) as families_c,
            count(distinct case when o.close_date < @pe then o.id end) as wins_p,
            count(distinct case when o.close_date < @pe then p.family end) as families_p
          from opportunities o
            left join opportunity_line_items i on i.tenant_id = o.tenant_id and i.opportunity_id = o.id
            left join products p on p.tenant_id = i.tenant_id and p.id = i.product_id
          where o.tenant_id = @t and o.status = 'won' and o.account_id is not null and o.close_date < @ce
          group by o.account_id
        )`,
    };
    this.statements = Object.fromEntries(
      Object.entries(sqlOf).map(([name, text]) => [name, database.prepare(text)]),
    );
  }

  private all(name: 'leads' | 'leadCounts' | 'customers' | 'purchases'): Row[] {
    if (!this.asks(name)) return [];
    const statement = this.statements[name]!;
    // better-sqlite3 rejects named parameters a statement does not use.
    const used = Object.fromEntries(
      Object.entries(this.params).filter(([key]) =>
        new RegExp(`@${key}\\b`).test(statement.source),
      ),
    );
    return statement.all(used) as Row[];
  }

  /** Runs the three queries into the lead, customer and purchase measures of `m`. */
  run(m: DashboardMeasures): void {
    fillLeadAftersalesMeasures(
      m,
      {
        // The lead facts answer the lead counts too: the counts alone only when nothing else is asked.
        leadCounts: this.asks('leads') ? [] : this.all('leadCounts'),
        leads: this.all('leads'),
        customers: this.all('customers'),
        purchases: this.all('purchases'),
      },
      this.months,
    );
  }
}
