import type Database from 'better-sqlite3';
import type { BenchRanges } from './bench-period.js';
import { moneySql } from './bench-period.js';
import {
  type Bucket,
  type DashboardMeasures,
  emptyMeasures,
  type GroupMeasures,
  groupOf,
  isQuestion,
  type Question,
  type questionKpis,
  questionsFor,
} from './dashboard-figures.js';
import { benchTenant } from './dataset.js';
import { SqliteLeadsAftersales } from './sqlite-leads-aftersales.js';

type Row = Record<string, number | string | null>;
const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));
const numOrNull = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);
const bucketOf = (value: unknown): Bucket => (value === 'c' ? 'c' : 'p');

/**
 * The dashboard as hand-written SQL on raw better-sqlite3: the floor for SQLite. One query per
 * question (the lead and aftersales ones in {@link SqliteLeadsAftersales}), written the way someone who knows SQLite and this schema would write them, with the
 * same definitions as the KPIs (periods, currency conversion, medians, stage history rules).
 *
 * @example
 * const floor = new SqliteDashboard(new Database(file), benchRanges('2026'), factors);
 * const measures = floor.run();
 */
export class SqliteDashboard {
  private readonly statements: Record<string, Database.Statement>;
  private readonly params: Record<string, string>;
  private readonly leadsAftersales: SqliteLeadsAftersales;
  private readonly asks: (question: Question) => boolean;

  /** `ids`: the KPIs on the dashboard (default: the whole hand-written set); see {@link questionKpis}. */
  constructor(
    database: Database.Database,
    ranges: BenchRanges,
    factors: ReadonlyMap<string, number>,
    ids?: Iterable<string>,
  ) {
    this.params = { t: benchTenant.id, ...ranges };
    this.asks = questionsFor(ids);
    this.leadsAftersales = new SqliteLeadsAftersales(database, ranges, factors, this.asks);
    const money = (alias: string) => moneySql(factors, `${alias}.amount`, `${alias}.currency`);
    const inDays = (column: string) =>
      `((${column} >= @cs and ${column} < @ce) or (${column} >= @ps and ${column} < @pe))`;
    const dayBucket = (column: string) =>
      `(case when ${column} >= @cs and ${column} < @ce then 'c' else 'p' end)`;
    const inInstants = (column: string) =>
      `((${column} >= @csi and ${column} < @cei) or (${column} >= @psi and ${column} < @pei))`;
    const instantBucket = (column: string) =>
      `(case when ${column} >= @csi and ${column} < @cei then 'c' else 'p' end)`;
    const closed = `o.tenant_id = @t and o.status in ('won', 'lost') and ${inDays('o.close_date')}`;
    const median = (value: string, where: string) => `
      with v as (select ${dayBucket('o.close_date')} as b, ${value} as x from opportunities o where ${closed} and ${where} and ${value} is not null),
      r as (select b, x, row_number() over (partition by b order by x) as rn, count(*) over (partition by b) as n from v)
      select b, avg(x) as m from r where rn in ((n + 1) / 2, (n + 2) / 2) group by b`;
    // The main product and the stage exits are the columns the engine keeps at write time: the
    // hand-written side reads them as Rapport does (recomputing them per row is not the contest).
    const mainProduct = 'o.main_product_id';
    const sqlOf: Record<string, string> = {
      closed: `
        select ${dayBucket('o.close_date')} as b,
          sum(o.status = 'won') as won, sum(o.status = 'lost') as lost,
          sum(case when o.status = 'won' then ${money('o')} end) as wonAmount,
          sum(julianday(o.close_date) - julianday(o.open_date)) as cycleSum, count(*) as cycleN
        from opportunities o where ${closed} group by b`,
      medianDeal: median(money('o'), `o.status = 'won'`),
      medianCycle: median('(julianday(o.close_date) - julianday(o.open_date))', '1 = 1'),
      open: `
        select count(*) as n, sum(${money('o')}) as amount, sum(${money('o')} * o.probability) as weighted
        from opportunities o where o.tenant_id = @t and o.status = 'open'`,
      closing: `
        select ${dayBucket('o.close_date')} as b, count(*) as n, sum(${money('o')}) as amount
        from opportunities o where o.tenant_id = @t and o.status = 'open' and ${inDays('o.close_date')} group by b`,
      quota: `
        select ${dayBucket('q.period_start')} as b, sum(${money('q')}) as amount
        from quotas q where q.tenant_id = @t and q.owner_id is not null and ${inDays('q.period_start')} group by b`,
      stages: `
        select b, count(*) as entered, count(advanced_at) as advanced, count(exited_at) as stays,
          sum(julianday(exited_at) - julianday(created_at)) as days
        from (
          select ${instantBucket('h.created_at')} as b, h.created_at, h.advanced_at, h.exited_at
          from stage_history h
          where h.tenant_id = @t and h.status = 'open' and ${inInstants('h.created_at')}
            and (h.previous_stage is null or h.previous_stage <> h.stage)
        ) group by b`,
      unrealistic: `
        select o.id, o.name, o.owner_id, (select u.name from users u where u.tenant_id = o.tenant_id and u.id = o.owner_id) as owner_name,
          o.stage, ${money('o')} as amount, o.close_date, o.next_step, last_activity,
          o.close_date < @today as past_close, (o.next_step is null or trim(o.next_step) = '') as no_next_step,
          coalesce(last_activity, o.created_at) < @staleCutoff as stale, count(*) over () as total
        from (
          select o.*, (select max(coalesce(a.completed_at, a.created_at)) from activities a
            where a.tenant_id = o.tenant_id and a.opportunity_id = o.id) as last_activity
          from opportunities o where o.tenant_id = @t and o.status = 'open'
        ) o
        where o.close_date < @today or o.next_step is null or trim(o.next_step) = ''
          or coalesce(last_activity, o.created_at) < @staleCutoff
        order by o.close_date, o.id limit 100`,
      ownerClosed: `
        select o.owner_id as k, ${dayBucket('o.close_date')} as b, sum(o.status = 'won') as won, sum(o.status = 'lost') as lost
        from opportunities o where ${closed} group by k, b`,
      ownerOpen: `
        select o.owner_id as k, count(*) as n, sum(${money('o')}) as amount
        from opportunities o where o.tenant_id = @t and o.status = 'open' group by k`,
      ownerLabels: 'select id as k, name from users where tenant_id = @t',
      productClosed: `
        select ${mainProduct} as k, ${dayBucket('o.close_date')} as b, sum(o.status = 'won') as won, sum(o.status = 'lost') as lost
        from opportunities o where ${closed} group by k, b`,
      productOpen: `
        select ${mainProduct} as k, count(*) as n, sum(${money('o')}) as amount
        from opportunities o where o.tenant_id = @t and o.status = 'open' group by k`,
      productLabels: 'select id as k, name from products where tenant_id = @t',
    };
    this.statements = Object.fromEntries(
      Object.entries(sqlOf).map(([name, text]) => [name, database.prepare(text)]),
    );
  }

  private all(name: string): Row[] {
    if (isQuestion(name) && !this.asks(name)) return [];
    const statement = this.statements[name]!;
    // better-sqlite3 rejects named parameters a statement does not use.
    const used = Object.fromEntries(
      Object.entries(this.params).filter(([key]) => statement.source.includes(`@${key}`)),
    );
    return statement.all(used) as Row[];
  }

  /** Runs every query and returns the measures (a page of the unrealistic deals is fetched, as Rapport lists them). */
  run(): DashboardMeasures {
    const m = emptyMeasures();
    for (const row of this.all('closed')) {
      const c = m.closed[bucketOf(row.b)];
      c.won = num(row.won);
      c.lost = num(row.lost);
      c.wonAmount = num(row.wonAmount);
      c.cycleSum = num(row.cycleSum);
      c.cycleN = num(row.cycleN);
    }
    for (const row of this.all('medianDeal'))
      m.closed[bucketOf(row.b)].medianDeal = numOrNull(row.m);
    for (const row of this.all('medianCycle'))
      m.closed[bucketOf(row.b)].medianCycle = numOrNull(row.m);
    const open = this.all('open')[0] ?? {};
    m.open = { count: num(open.n), amount: num(open.amount), weighted: num(open.weighted) };
    for (const row of this.all('closing'))
      m.closing[bucketOf(row.b)] = { count: num(row.n), amount: num(row.amount) };
    for (const row of this.all('quota')) m.quota[bucketOf(row.b)] = num(row.amount);
    for (const row of this.all('stages')) {
      const b = bucketOf(row.b);
      m.stageConversion[b] = { entered: num(row.entered), advanced: num(row.advanced) };
      m.timeInStage[b] = { stays: num(row.stays), days: num(row.days) };
    }
    // One page of the deals and how many in all, as Rapport lists them.
    m.unrealistic = num(this.all('unrealistic')[0]?.total);
    this.breakdown(m.byOwner, 'owner');
    this.breakdown(m.byProduct, 'product');
    this.leadsAftersales.run(m);
    return m;
  }

  private breakdown(
    groups: Map<string | null, GroupMeasures>,
    dimension: 'owner' | 'product',
  ): void {
    const labels = new Map(
      this.all(`${dimension}Labels`).map((row) => [
        String(row.k),
        row.name === null ? null : String(row.name),
      ]),
    );
    const key = (value: unknown) => (value === null || value === undefined ? null : String(value));
    for (const row of this.all(`${dimension}Closed`)) {
      const g = groupOf(groups, key(row.k), labels.get(String(row.k)) ?? null);
      g.won[bucketOf(row.b)] = num(row.won);
      g.lost[bucketOf(row.b)] = num(row.lost);
    }
    for (const row of this.all(`${dimension}Open`)) {
      const g = groupOf(groups, key(row.k), labels.get(String(row.k)) ?? null);
      g.openCount = num(row.n);
      g.openAmount = num(row.amount);
    }
  }
}
