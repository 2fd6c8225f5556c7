import { type BenchRanges, periodMonths } from './bench-period.js';
import {
  type Bucket,
  buckets,
  type CustomerMeasures,
  type DashboardMeasures,
  emptyCustomers,
  type Question,
} from './dashboard-figures.js';

type Row = Record<string, unknown>;

/** The rows the naive lead and aftersales reductions read (`select *` of each table). */
export interface NaiveRows {
  readonly leads: readonly Row[];
  readonly campaigns: readonly Row[];
  readonly contracts: readonly Row[];
  readonly activities: readonly Row[];
  readonly opportunities: readonly Row[];
  readonly lineItems: readonly Row[];
  readonly products: readonly Row[];
}

const dayMs = 86_400_000;

/**
 * The lead and aftersales KPIs the naive way: loops and maps over the loaded rows, with the
 * definitions of docs/kpis.md (the same as the plugins').
 */
export function naiveLeadsAftersales(
  rows: NaiveRows,
  ranges: BenchRanges,
  money: (row: Row, column: string) => number | null,
  m: DashboardMeasures,
  asks: (question: Question) => boolean = () => true,
): void {
  m.months = { c: periodMonths(ranges.cs, ranges.ce), p: periodMonths(ranges.ps, ranges.pe) };
  if (asks('leads') || asks('leadCounts')) naiveLeads(rows, ranges, money, m);
  if (asks('customers')) naiveCustomers(rows, ranges, money, m);
  if (asks('purchases')) naivePurchases(rows, ranges, m);
}

function naiveLeads(
  rows: NaiveRows,
  ranges: BenchRanges,
  money: (row: Row, column: string) => number | null,
  m: DashboardMeasures,
): void {
  const opportunities = new Map(rows.opportunities.map((o) => [String(o.id), o]));
  const campaigns = new Map(rows.campaigns.map((c) => [String(c.id), c]));
  const campaignsWithLeads: Record<Bucket, Set<string>> = { c: new Set(), p: new Set() };
  for (const lead of rows.leads) {
    const created = String(lead.created_at);
    const b: Bucket | undefined =
      created >= ranges.csi && created < ranges.cei
        ? 'c'
        : created >= ranges.psi && created < ranges.pei
          ? 'p'
          : undefined;
    if (!b) continue;
    const l = m.leads[b];
    const campaign = lead.campaign_id === null ? null : String(lead.campaign_id);
    l.leads++;
    if (campaign !== null) {
      l.campaignLeads++;
      campaignsWithLeads[b].add(campaign);
    }
    if (lead.converted_opportunity_id !== null) {
      l.converted++;
      const opportunity = opportunities.get(String(lead.converted_opportunity_id));
      if (opportunity?.status === 'won') {
        l.won++;
        if (campaign !== null) l.campaignWon++;
        l.wonRevenue += money(opportunity, 'amount') ?? 0;
      }
    }
    // Kept on the lead at write time (the dashboard sees every activity).
    const first = lead.first_activity_at === null ? undefined : String(lead.first_activity_at);
    if (first !== undefined) {
      l.contacted++;
      l.daysToFirstActivity += (Date.parse(first) - Date.parse(created)) / dayMs;
    }
  }
  // Each campaign's cost is shared equally among its leads of the period: the shares add up to
  // the campaign's cost once per period in which it brought leads.
  for (const b of buckets) {
    for (const id of campaignsWithLeads[b]) {
      const campaign = campaigns.get(id);
      if (campaign) m.leads[b].cost += money(campaign, 'actual_cost') ?? 0;
    }
  }
}

interface AccountDays {
  /** Active contracts and MRR per day looked at. */
  readonly active: Map<string, { n: number; mrr: number }>;
  /** Contracts started by each last day, and their revenue up to it. */
  readonly ever: Map<string, { n: number; revenue: number }>;
}

function naiveCustomers(
  rows: NaiveRows,
  ranges: BenchRanges,
  money: (row: Row, column: string) => number | null,
  m: DashboardMeasures,
): void {
  const days: Record<Bucket, { S: string; E: string; L: string }> = {
    c: { S: ranges.cs, E: ranges.ce, L: ranges.cl },
    p: { S: ranges.ps, E: ranges.pe, L: ranges.pl },
  };
  const looked = [...new Set(buckets.flatMap((b) => [days[b].S, days[b].E, days[b].L]))];
  const lasts = [...new Set(buckets.map((b) => days[b].L))];
  const accounts = new Map<string, AccountDays>();
  for (const contract of rows.contracts) {
    if (contract.status === 'Draft') continue;
    const account = String(contract.account_id);
    let a = accounts.get(account);
    if (!a) {
      a = {
        active: new Map(looked.map((d) => [d, { n: 0, mrr: 0 }])),
        ever: new Map(lasts.map((d) => [d, { n: 0, revenue: 0 }])),
      };
      accounts.set(account, a);
    }
    const start = String(contract.start_date);
    const end = contract.end_date === null ? null : String(contract.end_date);
    const monthly = money(contract, 'monthly_amount');
    for (const d of looked) {
      if (start <= d && (end === null || end >= d)) {
        const on = a.active.get(d)!;
        on.n++;
        on.mrr += monthly ?? 0;
      }
    }
    for (const last of lasts) {
      if (start > last) continue;
      const until = end !== null && end < last ? end : last;
      const ever = a.ever.get(last)!;
      ever.n++;
      ever.revenue +=
        (monthly ?? 0) * ((Date.parse(until) - Date.parse(start)) / dayMs + 1) * (12 / 365);
    }
  }
  for (const b of buckets) {
    const { S, E, L } = days[b];
    const c: CustomerMeasures = emptyCustomers();
    for (const a of accounts.values()) {
      const atStart = a.active.get(S)!;
      const atEnd = a.active.get(E)!;
      const onLast = a.active.get(L)!;
      const ever = a.ever.get(L)!;
      c.mrrAtStart += atStart.mrr;
      if (atStart.n > 0) {
        c.customersAtStart++;
        if (atEnd.n === 0) {
          c.churned++;
          c.churnedMrr += atStart.mrr;
        } else if (atEnd.mrr < atStart.mrr) c.contraction += atStart.mrr - atEnd.mrr;
        else if (atEnd.mrr > atStart.mrr) c.expansion += atEnd.mrr - atStart.mrr;
      }
      if (onLast.n > 0) c.customers++;
      c.mrr += onLast.mrr;
      if (ever.n > 0) c.lifetimeCustomers++;
      c.lifetimeRevenue += ever.revenue;
    }
    m.customers[b] = c;
  }
}

function naivePurchases(rows: NaiveRows, ranges: BenchRanges, m: DashboardMeasures): void {
  const families = new Map(rows.products.map((p) => [String(p.id), p.family]));
  const familiesOf = new Map<string, Set<string>>();
  for (const item of rows.lineItems) {
    const family = families.get(String(item.product_id));
    if (family === null || family === undefined) continue;
    const opportunity = String(item.opportunity_id);
    let set = familiesOf.get(opportunity);
    if (!set) {
      set = new Set();
      familiesOf.set(opportunity, set);
    }
    set.add(String(family));
  }
  const ends: Record<Bucket, string> = { c: ranges.ce, p: ranges.pe };
  for (const b of buckets) {
    const byAccount = new Map<string, { wins: number; families: Set<string> }>();
    for (const o of rows.opportunities) {
      if (o.status !== 'won' || o.account_id === null || o.close_date === null) continue;
      if (String(o.close_date) >= ends[b]) continue;
      const account = String(o.account_id);
      let a = byAccount.get(account);
      if (!a) {
        a = { wins: 0, families: new Set() };
        byAccount.set(account, a);
      }
      a.wins++;
      for (const family of familiesOf.get(String(o.id)) ?? []) a.families.add(family);
    }
    const p = m.purchases[b];
    for (const a of byAccount.values()) {
      p.buyers++;
      if (a.wins >= 2) p.repeatBuyers++;
      if (a.families.size >= 2) p.crossBuyers++;
    }
  }
}
