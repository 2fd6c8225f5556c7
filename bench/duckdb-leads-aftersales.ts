import type { DuckDBConnection } from '@duckdb/node-api';
import { type BenchRanges, moneySql, periodMonths } from './bench-period.js';
import type { Bucket, DashboardMeasures, Question } from './dashboard-figures.js';
import { benchTenant } from './dataset.js';
import { fillLeadAftersalesMeasures } from './leads-aftersales-measures.js';

type Row = Record<string, unknown>;
const instant = (iso: string) => `TIMESTAMP '${iso.replace('T', ' ').replace('Z', '')}'`;
const day = (value: string) => `DATE '${value}'`;

/**
 * The lead and aftersales KPIs as hand-written SQL in DuckDB over the same rows (loaded by
 * `loadDuckDb`): the same three questions and definitions as {@link SqliteLeadsAftersales}, in
 * DuckDB's dialect (the first activity per lead read from the lead, where the engine keeps it).
 */
export class DuckDbLeadsAftersales {
  private readonly sqlOf: Readonly<Record<string, string>>;
  private readonly months: Record<Bucket, number>;

  constructor(
    private readonly connection: DuckDBConnection,
    ranges: BenchRanges,
    factors: ReadonlyMap<string, number>,
    private readonly asks: (question: Question) => boolean = () => true,
  ) {
    if (ranges.pe !== ranges.cs)
      throw new Error('the previous period must end where the period starts');
    this.months = { c: periodMonths(ranges.cs, ranges.ce), p: periodMonths(ranges.ps, ranges.pe) };
    const t = `'${benchTenant.id}'`;
    const instantBucket = (c: string) =>
      `(case when ${c} >= ${instant(ranges.csi)} and ${c} < ${instant(ranges.cei)} then 'c' else 'p' end)`;
    const inInstants = (c: string) =>
      `((${c} >= ${instant(ranges.csi)} and ${c} < ${instant(ranges.cei)}) or (${c} >= ${instant(ranges.psi)} and ${c} < ${instant(ranges.pei)}))`;
    // S, E and L per bucket; the previous period's E is the current one's S.
    const days = { ps: ranges.ps, cs: ranges.cs, ce: ranges.ce, pl: ranges.pl, cl: ranges.cl };
    const customerDays: Record<Bucket, { S: string; E: string; L: string }> = {
      c: { S: 'cs', E: 'ce', L: 'cl' },
      p: { S: 'ps', E: 'cs', L: 'pl' },
    };
    const active = (d: string) =>
      `k.start_date <= ${day(d)} and (k.end_date is null or k.end_date >= ${day(d)})`;
    const revenue = (last: string) =>
      `k.mrr * (least(coalesce(k.end_date, ${day(last)}), ${day(last)}) - k.start_date + 1) * 12.0 / 365`;
    const customerColumns = (b: Bucket) => {
      const { S, E, L } = customerDays[b];
      const atStart = `n_${S} > 0`;
      const stayed = `${atStart} and n_${E} > 0`;
      return [
        `count_if(${atStart}) as ${b}_customersAtStart`,
        `count_if(${atStart} and n_${E} = 0) as ${b}_churned`,
        `sum(m_${S}) as ${b}_mrrAtStart`,
        `sum(case when ${atStart} and n_${E} = 0 then m_${S} else 0 end) as ${b}_churnedMrr`,
        `sum(case when ${stayed} and m_${E} < m_${S} then m_${S} - m_${E} else 0 end) as ${b}_contraction`,
        `sum(case when ${stayed} and m_${E} > m_${S} then m_${E} - m_${S} else 0 end) as ${b}_expansion`,
        `count_if(n_${L} > 0) as ${b}_customers`,
        `sum(m_${L}) as ${b}_mrr`,
        `count_if(ever_${L} > 0) as ${b}_lifetimeCustomers`,
        `sum(revenue_${L}) as ${b}_lifetimeRevenue`,
      ].join(', ');
    };
    this.sqlOf = {
      leads: `
        with cohort as (
          select ${instantBucket('l.created_at')} as b, l.campaign_id,
            count(*) as leads, count(l.converted_opportunity_id) as converted,
            count(o.id) as won, sum(${moneySql(factors, 'o.amount', 'o.currency')}) as won_revenue,
            count(l.first_activity_at) as contacted,
            sum(epoch(l.first_activity_at) - epoch(l.created_at)) / 86400.0 as days
          from leads l
            left join opportunities o on o.tenant_id = l.tenant_id and o.id = l.converted_opportunity_id and o.status = 'won'
          where l.tenant_id = ${t} and ${inInstants('l.created_at')}
          group by b, l.campaign_id
        )
        select b, sum(leads) as leads, sum(case when campaign_id is not null then leads else 0 end) as campaign_leads,
          sum(${moneySql(factors, 'c.actual_cost', 'c.currency')}) as cost,
          sum(converted) as converted, sum(won) as won,
          sum(case when campaign_id is not null then won else 0 end) as campaign_won,
          sum(won_revenue) as won_revenue, sum(contacted) as contacted, sum(days) as days
        from cohort left join campaigns c on c.tenant_id = ${t} and c.id = cohort.campaign_id
        group by b`,
      leadCounts: `
        select ${instantBucket('l.created_at')} as b, count(*) as leads, count(l.converted_opportunity_id) as converted
        from leads l where l.tenant_id = ${t} and ${inInstants('l.created_at')} group by b`,
      customers: `
        with per_account as (
          select k.account_id,
            ${Object.entries(days)
              .map(
                ([name, d]) =>
                  `count_if(${active(d)}) as n_${name}, coalesce(sum(case when ${active(d)} then k.mrr end), 0) as m_${name}`,
              )
              .join(', ')},
            ${(['pl', 'cl'] as const)
              .map(
                (l) =>
                  `count_if(k.start_date <= ${day(days[l])}) as ever_${l}, coalesce(sum(case when k.start_date <= ${day(days[l])} then ${revenue(days[l])} end), 0) as revenue_${l}`,
              )
              .join(', ')}
          from (
            select account_id, start_date, end_date, ${moneySql(factors, 'monthly_amount', 'currency')} as mrr
            from contracts where tenant_id = ${t} and status <> 'Draft'
          ) k
          group by k.account_id
        )
        select ${customerColumns('c')}, ${customerColumns('p')} from per_account`,
      purchases: `
        select count_if(wins_c >= 1) as c_buyers, count_if(wins_c >= 2) as c_repeat, count_if(families_c >= 2) as c_cross,
          count_if(wins_p >= 1) as p_buyers, count_if(wins_p >= 2) as p_repeat, count_if(families_p >= 2) as p_cross
        from (
          select o.account_id,
            count(distinct o.id) as wins_c, count(distinct p.family) as families_c,
            count(distinct case when o.close_date < ${day(ranges.pe)} then o.id end) as wins_p,
            count(distinct case when o.close_date < ${day(ranges.pe)} then p.family end) as families_p
          from opportunities o
            left join opportunity_line_items i on i.tenant_id = o.tenant_id and i.opportunity_id = o.id
            left join products p on p.tenant_id = i.tenant_id and p.id = i.product_id
          where o.tenant_id = ${t} and o.status = 'won' and o.account_id is not null and o.close_date < ${day(ranges.ce)}
          group by o.account_id
        )`,
    };
  }

  private async all(name: 'leads' | 'leadCounts' | 'customers' | 'purchases'): Promise<Row[]> {
    if (!this.asks(name)) return [];
    const reader = await this.connection.runAndReadAll(this.sqlOf[name]!);
    return reader.getRowObjectsJson() as Row[];
  }

  /** Runs the three queries into the lead, customer and purchase measures of `m`. */
  async run(m: DashboardMeasures): Promise<void> {
    const [leads, customers, purchases] = await Promise.all(
      (['leads', 'customers', 'purchases'] as const).map((name) => this.all(name)),
    );
    fillLeadAftersalesMeasures(
      m,
      {
        // The lead facts answer the lead counts too: the counts alone only when nothing else is asked.
        leadCounts: this.asks('leads') ? [] : await this.all('leadCounts'),
        leads: leads ?? [],
        customers: customers ?? [],
        purchases: purchases ?? [],
      },
      this.months,
    );
  }
}
