import type { KpiQueryContext, KpiRange } from '@rapport/core';
import { type RawBuilder, sql } from 'kysely';
import { accounts } from './aftersales-sources.js';
import { type CustomerDays, customerDays } from './customer-days.js';

/**
 * Recurring revenue of the accounts of one group of a breakdown (or the total), from their
 * contracts: the cohort of customers at the period's start and what became of it by its end, and
 * the state on its last day. A customer is an account with an active contract; MRR is the sum of
 * the monthly amounts of its active contracts, in minor units of the base currency.
 *
 * @example
 * const [total] = await customerRevenue(ctx);
 * if (total) total.churned / total.customersAtStart; // customer churn rate
 */
export interface CustomerRevenueFacts {
  /** The group's key (owner id, segment); null for the total or "none". */
  readonly key: string | null;
  /** A label for the key. */
  readonly label: string | null;
  /** The range these facts are for: the context's range, or its `previousRange` (`bothRanges`). */
  readonly range: KpiRange;
  /** The days looked at. */
  readonly days: CustomerDays;
  /** Accounts with an active contract on the period's first day. */
  readonly customersAtStart: number;
  /** Of them, the accounts with no active contract the day after the period. */
  readonly churned: number;
  /** MRR on the first day. */
  readonly mrrAtStart: number;
  /** The MRR at the start of the churned customers. */
  readonly churnedMrr: number;
  /** MRR decreases of customers at the start that stayed (start MRR - end MRR). */
  readonly contraction: number;
  /** MRR increases of customers at the start (end MRR - start MRR). */
  readonly expansion: number;
  /** Accounts with an active contract on the period's last day (today for `all`). */
  readonly customers: number;
  /** MRR on that day. */
  readonly mrr: number;
  /** Accounts with a contract started by the last day: customers, active or churned. */
  readonly lifetimeCustomers: number;
  /** Revenue of their contracts from start to end (or the last day): monthly amount x days x 12 / 365. */
  readonly lifetimeRevenue: number;
}

/** A contract is active on a day from its start date to its end date, both inclusive. */
function activeOn(day: string): RawBuilder<unknown> {
  return sql`${sql.ref('kc.startDate')} <= ${day} and (${sql.ref('kc.endDate')} is null or ${sql.ref('kc.endDate')} >= ${day})`;
}

function contractsOn(day: string | null): RawBuilder<unknown> {
  return day === null ? sql`0` : sql`count(case when ${activeOn(day)} then 1 end)`;
}

function mrrOn(monthly: RawBuilder<number>, day: string | null): RawBuilder<unknown> {
  return day === null
    ? sql`0`
    : sql`coalesce(sum(case when ${activeOn(day)} then ${monthly} end), 0)`;
}

/** One range of a call: its days and the prefix of its columns in the query. */
interface RangeDays {
  readonly range: KpiRange;
  readonly days: CustomerDays;
  readonly prefix: 'c' | 'p';
}

/** The ranges a call computes: the context's range, and its previous one when asked for both. */
function rangesOf(ctx: KpiQueryContext): readonly RangeDays[] {
  const current: RangeDays = {
    range: 'current',
    days: customerDays(ctx.range, ctx.today),
    prefix: 'c',
  };
  if (!ctx.previousRange) return [current];
  return [
    current,
    { range: 'previous', days: customerDays(ctx.previousRange, ctx.today), prefix: 'p' },
  ];
}

/** The per-account columns, in the order of {@link contractsByAccount}. */
const accountColumns = [
  'contractsAtStart',
  'mrrAtStart',
  'contractsAtEnd',
  'mrrAtEnd',
  'contractsOnLast',
  'mrrOnLast',
  'contractsEver',
  'revenueEver',
] as const;

/** A column of one range, e.g. `cMrrAtStart` for the current range's `mrrAtStart`. */
function columnOf(prefix: RangeDays['prefix'], column: string): string {
  return `${prefix}${column.charAt(0).toUpperCase()}${column.slice(1)}`;
}

/**
 * Per account, its counted contracts (every status but `Draft`) on the days of each range: how
 * many are active and their MRR, and their revenue up to the last day (monthly amount x inclusive
 * days x 12 / 365). One grouped scan of the contracts the viewer may see (through the scope: a
 * colleague's contract on a visible account is not counted) for all ranges, joined to the
 * accounts once.
 */
async function contractsByAccount(ctx: KpiQueryContext, ranges: readonly RangeDays[]) {
  const monthly = ctx.toBase(sql`${sql.ref('kc.monthlyAmount')}`, sql`${sql.ref('kc.currency')}`);
  const columns = ranges.flatMap(({ days, prefix }) => {
    const started = sql`${sql.ref('kc.startDate')} <= ${days.last}`;
    const until = sql`(case when ${sql.ref('kc.endDate')} is not null and ${sql.ref('kc.endDate')} < ${days.last} then ${sql.ref('kc.endDate')} else ${days.last} end)`;
    const revenue = sql`${monthly} * (${ctx.sql.daysBetween(sql.ref('kc.startDate'), until)} + 1) * 12.0 / 365`;
    const values = [
      contractsOn(days.start),
      mrrOn(monthly, days.start),
      contractsOn(days.end),
      mrrOn(monthly, days.end),
      contractsOn(days.last),
      mrrOn(monthly, days.last),
      sql`count(case when ${started} then 1 end)`,
      sql`coalesce(sum(case when ${started} then ${revenue} end), 0)`,
    ];
    return values.map((value, i) => value.as(columnOf(prefix, accountColumns[i] ?? '')));
  });
  return (await ctx.scoped('contract', 'kc'))
    .select(['kc.accountId', ...columns])
    .where('kc.status', '<>', 'Draft')
    .groupBy('kc.accountId')
    .as('kpiContracts');
}

/** The sums over the accounts of a group of one range, aliased by {@link columnOf}. */
function rangeFacts(prefix: RangeDays['prefix']) {
  const x = (column: string) => sql.ref(`x.${columnOf(prefix, column)}`);
  const as = (column: string) => columnOf(prefix, column);
  const atStart = sql`${x('contractsAtStart')} > 0`;
  const stayed = sql`${atStart} and ${x('contractsAtEnd')} > 0`;
  const churned = sql`${atStart} and ${x('contractsAtEnd')} = 0`;
  return [
    sql`sum(case when ${atStart} then 1 else 0 end)`.as(as('customersAtStart')),
    sql`sum(case when ${churned} then 1 else 0 end)`.as(as('churned')),
    sql`sum(${x('mrrAtStart')})`.as(as('mrrAtStart')),
    sql`sum(case when ${churned} then ${x('mrrAtStart')} else 0 end)`.as(as('churnedMrr')),
    sql`sum(case when ${stayed} and ${x('mrrAtEnd')} < ${x('mrrAtStart')} then ${x('mrrAtStart')} - ${x('mrrAtEnd')} else 0 end)`.as(
      as('contraction'),
    ),
    sql`sum(case when ${stayed} and ${x('mrrAtEnd')} > ${x('mrrAtStart')} then ${x('mrrAtEnd')} - ${x('mrrAtStart')} else 0 end)`.as(
      as('expansion'),
    ),
    sql`sum(case when ${x('contractsOnLast')} > 0 then 1 else 0 end)`.as(as('customers')),
    sql`sum(${x('mrrOnLast')})`.as(as('mrr')),
    sql`sum(case when ${x('contractsEver')} > 0 then 1 else 0 end)`.as(as('lifetimeCustomers')),
    sql`sum(${x('revenueEver')})`.as(as('lifetimeRevenue')),
  ];
}

function numberOf(value: unknown): number {
  return value === null || value === undefined ? 0 : Number(value);
}

function textOf(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** The facts of {@link customerRevenue}, computed by one query for every range of the call. */
async function computeCustomerRevenue(
  ctx: KpiQueryContext,
): Promise<readonly CustomerRevenueFacts[]> {
  const ranges = rangesOf(ctx);
  const group = ctx.group('account', 'a');
  const inner = (await ctx.source(accounts, 'a'))
    .leftJoin(await contractsByAccount(ctx, ranges), (join) =>
      join.onRef('kpiContracts.accountId', '=', 'a.id'),
    )
    .select([
      (group ? sql`${group.key}` : sql`null`).as('kpiKey'),
      (group ? sql`${group.label}` : sql`null`).as('kpiLabel'),
      ...ranges.flatMap(({ prefix }) =>
        accountColumns.map((column) =>
          sql`coalesce(${sql.ref(`kpiContracts.${columnOf(prefix, column)}`)}, 0)`.as(
            columnOf(prefix, column),
          ),
        ),
      ),
    ]);
  const x = (column: string) => sql.ref(`x.${column}`);
  let facts = ctx
    .selectFrom(inner.as('x'))
    .select(ranges.flatMap(({ prefix }) => rangeFacts(prefix)));
  // Without a breakdown there is no GROUP BY, so a tenant without accounts still yields its row.
  if (group) {
    facts = facts
      .select([x('kpiKey').as('kpiKey'), sql`max(${x('kpiLabel')})`.as('kpiLabel')])
      .groupBy(x('kpiKey'));
  }
  // Cast: a query over the erased scoped tables returns rows of unknown columns, read by name below.
  const rows = (await facts.execute()) as Record<string, unknown>[];
  return rows.flatMap((row) =>
    ranges.map(({ range, days, prefix }) => {
      const value = (column: string) => numberOf(row[columnOf(prefix, column)]);
      return {
        key: textOf(row.kpiKey),
        label: textOf(row.kpiLabel),
        range,
        days,
        customersAtStart: value('customersAtStart'),
        churned: value('churned'),
        mrrAtStart: value('mrrAtStart'),
        churnedMrr: value('churnedMrr'),
        contraction: value('contraction'),
        expansion: value('expansion'),
        customers: value('customers'),
        mrr: value('mrr'),
        lifetimeCustomers: value('lifetimeCustomers'),
        lifetimeRevenue: value('lifetimeRevenue'),
      };
    }),
  );
}

/**
 * The recurring-revenue facts of `ctx.range` (and of `ctx.previousRange` when the KPI computes
 * both ranges: rows with `range: 'previous'`) per group of `ctx.by` (one row per range with
 * `key: null` for the total), in one query over the accounts the viewer can see, joined to their
 * contracts. The
 * query runs once per evaluation, range and breakdown (`ctx.shared`): every customer KPI of one
 * `evaluate` call reads the same rows.
 *
 * @example
 * import type { KpiQueryContext } from '@rapport/core/plugin';
 *
 * async function mrr(ctx: KpiQueryContext) {
 *   return (await customerRevenue(ctx)).map((f) => ({ key: f.key, label: f.label, value: f.mrr, sampleSize: f.customers }));
 * }
 */
export function customerRevenue(ctx: KpiQueryContext): Promise<readonly CustomerRevenueFacts[]> {
  return ctx.shared('aftersales.customerRevenue', () => computeCustomerRevenue(ctx));
}
