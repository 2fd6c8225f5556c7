import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { type BenchRanges, moneySql } from './bench-period.js';
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
import { DuckDbLeadsAftersales } from './duckdb-leads-aftersales.js';

/** Column lists per table: name, DuckDB type, and the SQLite expression that exports it. */
const ts = (column: string) => `replace(replace(${column}, 'T', ' '), 'Z', '')`;
const tables: Readonly<
  Record<
    string,
    {
      readonly columns: readonly [string, string, string?][];
      readonly where?: string;
      /** The SQLite table, when the DuckDB table is a part of another one. */
      readonly from?: string;
    }
  >
> = {
  opportunities: {
    columns: [
      ['tenant_id', 'VARCHAR'],
      ['id', 'VARCHAR'],
      ['name', 'VARCHAR'],
      ['owner_id', 'VARCHAR'],
      ['account_id', 'VARCHAR'],
      ['status', 'VARCHAR'],
      ['stage', 'VARCHAR'],
      ['amount', 'BIGINT'],
      ['currency', 'VARCHAR'],
      ['probability', 'DOUBLE'],
      ['open_date', 'DATE'],
      ['close_date', 'DATE'],
      ['next_step', 'VARCHAR'],
      ['created_at', 'TIMESTAMP', ts('created_at')],
      ['main_product_id', 'VARCHAR'],
    ],
  },
  stage_history: {
    columns: [
      ['tenant_id', 'VARCHAR'],
      ['opportunity_id', 'VARCHAR'],
      ['stage', 'VARCHAR'],
      ['previous_stage', 'VARCHAR'],
      ['status', 'VARCHAR'],
      ['created_at', 'TIMESTAMP', ts('created_at')],
      ['exited_at', 'TIMESTAMP', ts('exited_at')],
      ['advanced_at', 'TIMESTAMP', ts('advanced_at')],
    ],
  },
  activities: {
    columns: [
      ['tenant_id', 'VARCHAR'],
      ['opportunity_id', 'VARCHAR'],
      ['created_at', 'TIMESTAMP', ts('created_at')],
      ['completed_at', 'TIMESTAMP', ts('completed_at')],
    ],
    where: 'opportunity_id is not null',
  },
  quotas: {
    columns: [
      ['tenant_id', 'VARCHAR'],
      ['owner_id', 'VARCHAR'],
      ['period_start', 'DATE'],
      ['amount', 'BIGINT'],
      ['currency', 'VARCHAR'],
    ],
  },
  opportunity_line_items: {
    columns: [
      ['tenant_id', 'VARCHAR'],
      ['id', 'VARCHAR'],
      ['opportunity_id', 'VARCHAR'],
      ['product_id', 'VARCHAR'],
      ['total_price', 'BIGINT'],
    ],
  },
  users: {
    columns: [
      ['tenant_id', 'VARCHAR'],
      ['id', 'VARCHAR'],
      ['name', 'VARCHAR'],
    ],
  },
  products: {
    columns: [
      ['tenant_id', 'VARCHAR'],
      ['id', 'VARCHAR'],
      ['name', 'VARCHAR'],
      ['family', 'VARCHAR'],
    ],
  },
  leads: {
    columns: [
      ['tenant_id', 'VARCHAR'],
      ['id', 'VARCHAR'],
      ['created_at', 'TIMESTAMP', ts('created_at')],
      ['campaign_id', 'VARCHAR'],
      ['converted_opportunity_id', 'VARCHAR'],
      ['first_activity_at', 'TIMESTAMP', ts('first_activity_at')],
    ],
  },
  campaigns: {
    columns: [
      ['tenant_id', 'VARCHAR'],
      ['id', 'VARCHAR'],
      ['actual_cost', 'BIGINT'],
      ['currency', 'VARCHAR'],
    ],
  },
  contracts: {
    columns: [
      ['tenant_id', 'VARCHAR'],
      ['account_id', 'VARCHAR'],
      ['status', 'VARCHAR'],
      ['start_date', 'DATE'],
      ['end_date', 'DATE'],
      ['monthly_amount', 'BIGINT'],
      ['currency', 'VARCHAR'],
    ],
  },
};

/**
 * Loads the rows the dashboard reads from the SQLite file into an in-memory DuckDB with typed
 * columns (dates as DATE, instants as TIMESTAMP): exported as CSV by the sqlite3 shell, read with
 * DuckDB's parallel CSV reader. Returns the connection.
 */
export async function loadDuckDb(
  sqliteFile: string,
  scratchDir: string,
): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  for (const [table, { columns, where, from }] of Object.entries(tables)) {
    const csv = join(scratchDir, `duckdb-${process.pid}-${table}.csv`);
    const select = `select ${columns.map(([name, , expression]) => `${expression ?? name} as ${name}`).join(', ')} from ${from ?? table} where tenant_id = '${benchTenant.id}'${where ? ` and ${where}` : ''}`;
    execFileSync('sqlite3', ['-csv', '-header', sqliteFile, `.once ${csv}`, select], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const types = columns.map(([name, type]) => `'${name}': '${type}'`).join(', ');
    await connection.run(
      `create table ${table} as select * from read_csv('${csv}', header = true, columns = {${types}})`,
    );
    rmSync(csv, { force: true });
  }
  return { instance, connection };
}

type Row = Record<string, unknown>;
const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));
const numOrNull = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);
const bucketOf = (value: unknown): Bucket => (value === 'c' ? 'c' : 'p');
const instant = (iso: string) => `TIMESTAMP '${iso.replace('T', ' ').replace('Z', '')}'`;
const day = (value: string) => `DATE '${value}'`;

/**
 * The dashboard as hand-written SQL in DuckDB over the same rows: the columnar ceiling of one
 * machine. Same definitions as the SQLite floor, in DuckDB's dialect.
 */
export class DuckDbDashboard {
  private readonly sqlOf: Readonly<Record<string, string>>;
  private readonly leadsAftersales: DuckDbLeadsAftersales;
  private readonly asks: (question: Question) => boolean;

  /** `ids`: the KPIs on the dashboard (default: the whole hand-written set); see {@link questionKpis}. */
  constructor(
    private readonly connection: DuckDBConnection,
    ranges: BenchRanges,
    factors: ReadonlyMap<string, number>,
    ids?: Iterable<string>,
  ) {
    this.asks = questionsFor(ids);
    this.leadsAftersales = new DuckDbLeadsAftersales(connection, ranges, factors, this.asks);
    const t = `'${benchTenant.id}'`;
    const money = (alias: string) => moneySql(factors, `${alias}.amount`, `${alias}.currency`);
    const inDays = (c: string) =>
      `((${c} >= ${day(ranges.cs)} and ${c} < ${day(ranges.ce)}) or (${c} >= ${day(ranges.ps)} and ${c} < ${day(ranges.pe)}))`;
    const dayBucket = (c: string) =>
      `(case when ${c} >= ${day(ranges.cs)} and ${c} < ${day(ranges.ce)} then 'c' else 'p' end)`;
    const inInstants = (c: string) =>
      `((${c} >= ${instant(ranges.csi)} and ${c} < ${instant(ranges.cei)}) or (${c} >= ${instant(ranges.psi)} and ${c} < ${instant(ranges.pei)}))`;
    const instantBucket = (c: string) =>
      `(case when ${c} >= ${instant(ranges.csi)} and ${c} < ${instant(ranges.cei)} then 'c' else 'p' end)`;
    const closed = `o.tenant_id = ${t} and o.status in ('won', 'lost') and ${inDays('o.close_date')}`;

    this.sqlOf = {
      closed: `
        select ${dayBucket('o.close_date')} as b, count_if(o.status = 'won') as won, count_if(o.status = 'lost') as lost,
          sum(case when o.status = 'won' then ${money('o')} end) as won_amount,
          sum(o.close_date - o.open_date) as cycle_sum, count(*) as cycle_n,
          median(case when o.status = 'won' then ${money('o')} end) as median_deal,
          median(o.close_date - o.open_date) as median_cycle
        from opportunities o where ${closed} group by b`,
      open: `select count(*) as n, sum(${money('o')}) as amount, sum(${money('o')} * o.probability) as weighted from opportunities o where o.tenant_id = ${t} and o.status = 'open'`,
      closing: `select ${dayBucket('o.close_date')} as b, count(*) as n, sum(${money('o')}) as amount from opportunities o where o.tenant_id = ${t} and o.status = 'open' and ${inDays('o.close_date')} group by b`,
      quota: `select ${dayBucket('q.period_start')} as b, sum(${money('q')}) as amount from quotas q where q.tenant_id = ${t} and q.owner_id is not null and ${inDays('q.period_start')} group by b`,
      stages: `
        select b, count(*) as entered, count(advanced_at) as advanced, count(exited_at) as stays,
          sum(epoch(exited_at) - epoch(created_at)) / 86400.0 as days
        from (
          select ${instantBucket('h.created_at')} as b, h.created_at, h.advanced_at, h.exited_at
          from stage_history h
          where h.tenant_id = ${t} and h.status = 'open' and ${inInstants('h.created_at')}
            and (h.previous_stage is null or h.previous_stage <> h.stage)
        ) group by b`,
      unrealistic: `
        with last as (select opportunity_id, max(coalesce(completed_at, created_at)) as last_activity from activities where tenant_id = ${t} group by opportunity_id)
        select o.id, o.name, o.owner_id, u.name as owner_name, o.stage, ${money('o')} as amount, o.close_date, o.next_step, l.last_activity,
          o.close_date < ${day(ranges.today)} as past_close, (o.next_step is null or trim(o.next_step) = '') as no_next_step,
          coalesce(l.last_activity, o.created_at) < ${instant(ranges.staleCutoff)} as stale,
          count(*) over () as total
        from opportunities o
          left join last l on l.opportunity_id = o.id
          left join users u on u.tenant_id = o.tenant_id and u.id = o.owner_id
        where o.tenant_id = ${t} and o.status = 'open'
          and (o.close_date < ${day(ranges.today)} or o.next_step is null or trim(o.next_step) = ''
            or coalesce(l.last_activity, o.created_at) < ${instant(ranges.staleCutoff)})
        order by o.close_date, o.id limit 100`,
      ownerClosed: `select o.owner_id as k, ${dayBucket('o.close_date')} as b, count_if(o.status = 'won') as won, count_if(o.status = 'lost') as lost from opportunities o where ${closed} group by k, b`,
      ownerOpen: `select o.owner_id as k, count(*) as n, sum(${money('o')}) as amount from opportunities o where o.tenant_id = ${t} and o.status = 'open' group by k`,
      ownerLabels: `select id as k, name from users where tenant_id = ${t}`,
      productClosed: `select o.main_product_id as k, ${dayBucket('o.close_date')} as b, count_if(o.status = 'won') as won, count_if(o.status = 'lost') as lost from opportunities o where ${closed} group by k, b`,
      productOpen: `select o.main_product_id as k, count(*) as n, sum(${money('o')}) as amount from opportunities o where o.tenant_id = ${t} and o.status = 'open' group by k`,
      productLabels: `select id as k, name from products where tenant_id = ${t}`,
    };
  }

  private async all(name: string): Promise<Row[]> {
    // This dialect computes the medians in the \`closed\` query.
    const asked =
      name === 'closed'
        ? this.asks('closed') || this.asks('medianDeal') || this.asks('medianCycle')
        : !isQuestion(name) || this.asks(name);
    if (!asked) return [];
    const reader = await this.connection.runAndReadAll(this.sqlOf[name]!);
    return reader.getRowObjectsJson() as Row[];
  }

  /** Runs every query and returns the measures. */
  async run(): Promise<DashboardMeasures> {
    const m = emptyMeasures();
    const [closed, open, closing, quota, stages, unrealistic] = await Promise.all(
      ['closed', 'open', 'closing', 'quota', 'stages', 'unrealistic'].map((name) => this.all(name)),
    );
    for (const row of closed!) {
      m.closed[bucketOf(row.b)] = {
        won: num(row.won),
        lost: num(row.lost),
        wonAmount: num(row.won_amount),
        cycleSum: num(row.cycle_sum),
        cycleN: num(row.cycle_n),
        medianDeal: numOrNull(row.median_deal),
        medianCycle: numOrNull(row.median_cycle),
      };
    }
    const o = open![0] ?? {};
    m.open = { count: num(o.n), amount: num(o.amount), weighted: num(o.weighted) };
    for (const row of closing!)
      m.closing[bucketOf(row.b)] = { count: num(row.n), amount: num(row.amount) };
    for (const row of quota!) m.quota[bucketOf(row.b)] = num(row.amount);
    for (const row of stages!) {
      const b = bucketOf(row.b);
      m.stageConversion[b] = { entered: num(row.entered), advanced: num(row.advanced) };
      m.timeInStage[b] = { stays: num(row.stays), days: num(row.days) };
    }
    // One page of the deals and how many in all, as Rapport lists them.
    m.unrealistic = Number(unrealistic![0]?.total ?? 0);
    await this.breakdown(m.byOwner, 'owner');
    await this.breakdown(m.byProduct, 'product');
    await this.leadsAftersales.run(m);
    return m;
  }

  private async breakdown(
    groups: Map<string | null, GroupMeasures>,
    dimension: 'owner' | 'product',
  ): Promise<void> {
    const labels = new Map(
      (await this.all(`${dimension}Labels`)).map((row) => [
        String(row.k),
        row.name === null ? null : String(row.name),
      ]),
    );
    const key = (value: unknown) => (value === null || value === undefined ? null : String(value));
    for (const row of await this.all(`${dimension}Closed`)) {
      const g = groupOf(groups, key(row.k), labels.get(String(row.k)) ?? null);
      g.won[bucketOf(row.b)] = num(row.won);
      g.lost[bucketOf(row.b)] = num(row.lost);
    }
    for (const row of await this.all(`${dimension}Open`)) {
      const g = groupOf(groups, key(row.k), labels.get(String(row.k)) ?? null);
      g.openCount = num(row.n);
      g.openAmount = num(row.amount);
    }
  }
}
