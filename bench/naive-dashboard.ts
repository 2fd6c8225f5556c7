import type Database from 'better-sqlite3';
import type { BenchRanges } from './bench-period.js';
import {
  type Bucket,
  type DashboardMeasures,
  emptyMeasures,
  groupOf,
  type questionKpis,
  questionsFor,
} from './dashboard-figures.js';
import { benchTenant } from './dataset.js';
import { naiveLeadsAftersales } from './naive-leads-aftersales.js';

type Row = Record<string, unknown>;

function middle(values: number[]): number | null {
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  const n = values.length;
  return (values[Math.floor((n + 1) / 2) - 1]! + values[Math.floor((n + 2) / 2) - 1]!) / 2;
}

const dayMs = 86_400_000;
const days = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / dayMs;

/**
 * The naive way: load every row of the tables the dashboard needs into JavaScript
 * (`select *`, as an app with an ORM would) and reduce in loops and maps. `ids`: the KPIs on the
 * dashboard (default: the whole hand-written set); tables only KPIs left out need are not loaded
 * (see {@link questionKpis}).
 */
export function naiveDashboard(
  database: Database.Database,
  ranges: BenchRanges,
  factors: ReadonlyMap<string, number>,
  ids?: Iterable<string>,
): DashboardMeasures {
  const asks = questionsFor(ids);
  const load = (table: string, needed = true) =>
    needed
      ? (database
          .prepare(`select * from ${table} where tenant_id = ?`)
          .all(benchTenant.id) as Row[])
      : [];
  const opportunities = load('opportunities');
  const history = load('stage_history', asks('stages'));
  const activities = load('activities');
  const quotas = load('quotas');
  const lineItems = load('opportunity_line_items');
  const users = load('users');
  const products = load('products');
  const leads = load('leads', asks('leads') || asks('leadCounts'));
  const campaigns = load('campaigns', asks('leads'));
  const contracts = load('contracts', asks('customers'));

  const m = emptyMeasures();
  const money = (row: Row, column = 'amount'): number | null => {
    const factor = factors.get(String(row.currency));
    const amount = row[column];
    return factor === undefined || amount === null ? null : Number(amount) * factor;
  };
  const dayBucket = (value: string): Bucket | undefined =>
    value >= ranges.cs && value < ranges.ce
      ? 'c'
      : value >= ranges.ps && value < ranges.pe
        ? 'p'
        : undefined;
  const instantBucket = (value: string): Bucket | undefined =>
    value >= ranges.csi && value < ranges.cei
      ? 'c'
      : value >= ranges.psi && value < ranges.pei
        ? 'p'
        : undefined;

  const userNames = new Map(
    users.map((u) => [String(u.id), u.name === null ? null : String(u.name)]),
  );
  const productNames = new Map(
    products.map((p) => [String(p.id), p.name === null ? null : String(p.name)]),
  );
  const lastActivity = new Map<string, string>();
  for (const activity of activities) {
    if (activity.opportunity_id === null) continue;
    const at = String(activity.completed_at ?? activity.created_at);
    const id = String(activity.opportunity_id);
    const last = lastActivity.get(id);
    if (last === undefined || at > last) lastActivity.set(id, at);
  }

  const dealValues: Record<Bucket, number[]> = { c: [], p: [] };
  const cycles: Record<Bucket, number[]> = { c: [], p: [] };
  for (const o of opportunities) {
    const status = String(o.status);
    const amount = money(o);
    // Kept on the deal at write time (as Rapport and the hand-written SQL read it).
    const product = o.main_product_id === null ? null : String(o.main_product_id);
    const owner = String(o.owner_id);
    if (status === 'open') {
      m.open.count++;
      if (amount !== null) {
        m.open.amount += amount;
        m.open.weighted += amount * Number(o.probability);
      }
      const b = dayBucket(String(o.close_date));
      if (b) {
        m.closing[b].count++;
        if (amount !== null) m.closing[b].amount += amount;
      }
      for (const [groups, key, label] of [
        [m.byOwner, owner, userNames.get(owner) ?? null],
        [m.byProduct, product, product === null ? null : (productNames.get(product) ?? null)],
      ] as const) {
        const g = groupOf(groups, key, label);
        g.openCount++;
        if (amount !== null) g.openAmount += amount;
      }
      const nextStep = o.next_step === null ? '' : String(o.next_step).trim();
      const last = lastActivity.get(String(o.id)) ?? String(o.created_at);
      if (String(o.close_date) < ranges.today || nextStep === '' || last < ranges.staleCutoff)
        m.unrealistic++;
      continue;
    }
    const b = dayBucket(String(o.close_date));
    if (!b) continue;
    const c = m.closed[b];
    const cycle = days(String(o.open_date), String(o.close_date));
    c.cycleSum += cycle;
    c.cycleN++;
    cycles[b].push(cycle);
    if (status === 'won') {
      c.won++;
      if (amount !== null) {
        c.wonAmount += amount;
        dealValues[b].push(amount);
      }
    } else c.lost++;
    for (const [groups, key, label] of [
      [m.byOwner, owner, userNames.get(owner) ?? null],
      [m.byProduct, product, product === null ? null : (productNames.get(product) ?? null)],
    ] as const) {
      const g = groupOf(groups, key, label);
      if (status === 'won') g.won[b]++;
      else g.lost[b]++;
    }
  }
  for (const b of ['c', 'p'] as const) {
    m.closed[b].medianDeal = middle(dealValues[b]);
    m.closed[b].medianCycle = middle(cycles[b]);
  }
  for (const q of quotas) {
    const b = dayBucket(String(q.period_start));
    const amount = money(q);
    if (b && q.owner_id !== null && amount !== null) m.quota[b] += amount;
  }

  // Each entry's exit and advance are kept on it at write time: no pass over the deal's history.
  for (const h of history) {
    const at = String(h.created_at);
    const b = instantBucket(at);
    if (!b || h.status !== 'open' || (h.previous_stage !== null && h.previous_stage === h.stage))
      continue;
    m.stageConversion[b].entered++;
    if (h.advanced_at !== null) m.stageConversion[b].advanced++;
    if (h.exited_at !== null) {
      m.timeInStage[b].stays++;
      m.timeInStage[b].days += days(at, String(h.exited_at));
    }
  }
  naiveLeadsAftersales(
    { leads, campaigns, contracts, activities, opportunities, lineItems, products },
    ranges,
    money,
    m,
    asks,
  );
  return m;
}
