import type { KpiQueryContext } from '@rapport/core';
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
 * total.churned / total.customersAtStart; // customer churn rate
 */
export interface CustomerRevenueFacts {
  /** The group's key (owner id, segment); null for the total or "none". */
  readonly key: string | null;
  /** A label for the key. */
  readonly label: string | null;
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

/**
 * Per account, its counted contracts (every status but `Draft`) on the days looked at: how many
 * are active and their MRR, and their revenue up to the last day (monthly amount x inclusive
 * days x 12 / 365). One grouped scan of the tenant's contracts, joined to the accounts once.
 */
function contractsByAccount(ctx: KpiQueryContext, days: CustomerDays) {
  const monthly = ctx.toBase(sql`${sql.ref('kc.monthlyAmount')}`, sql`${sql.ref('kc.currency')}`);
  const started = sql`${sql.ref('kc.startDate')} <= ${days.last}`;
  const until = sql`(case when ${sql.ref('kc.endDate')} is not null and ${sql.ref('kc.endDate')} < ${days.last} then ${sql.ref('kc.endDate')} else ${days.last} end)`;
  const revenue = sql`${monthly} * (${ctx.sql.daysBetween(sql.ref('kc.startDate'), until)} + 1) * 12.0 / 365`;
  const columns = [
    sql`${contractsOn(days.start)} as ${sql.ref('contractsAtStart')}`,
    sql`${mrrOn(monthly, days.start)} as ${sql.ref('mrrAtStart')}`,
    sql`${contractsOn(days.end)} as ${sql.ref('contractsAtEnd')}`,
    sql`${mrrOn(monthly, days.end)} as ${sql.ref('mrrAtEnd')}`,
    sql`${contractsOn(days.last)} as ${sql.ref('contractsOnLast')}`,
    sql`${mrrOn(monthly, days.last)} as ${sql.ref('mrrOnLast')}`,
    sql`count(case when ${started} then 1 end) as ${sql.ref('contractsEver')}`,
    sql`coalesce(sum(case when ${started} then ${revenue} end), 0) as ${sql.ref('revenueEver')}`,
  ];
  return sql`(select ${sql.ref('kc.accountId')} as ${sql.ref('accountId')}, ${sql.join(columns)} from ${sql.table('contracts')} as ${sql.ref('kc')} where ${sql.ref('kc.tenantId')} = ${ctx.tenant.id} and ${sql.ref('kc.status')} <> ${'Draft'} group by ${sql.ref('kc.accountId')})`.as(
    'kpiContracts',
  );
}

function numberOf(value: unknown): number {
  return value === null || value === undefined ? 0 : Number(value);
}

function textOf(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** The facts of {@link customerRevenue}, computed by one query. */
async function computeCustomerRevenue(
  ctx: KpiQueryContext,
): Promise<readonly CustomerRevenueFacts[]> {
  const days = customerDays(ctx.range, ctx.today);
  const group = ctx.group('account', 'a');
  const inner = (await ctx.source(accounts, 'a'))
    .leftJoin(contractsByAccount(ctx, days), (join) =>
      join.onRef('kpiContracts.accountId', '=', 'a.id'),
    )
    .select([
      (group ? sql`${group.key}` : sql`null`).as('kpiKey'),
      (group ? sql`${group.label}` : sql`null`).as('kpiLabel'),
      sql`coalesce(${sql.ref('kpiContracts.contractsAtStart')}, 0)`.as('contractsAtStart'),
      sql`coalesce(${sql.ref('kpiContracts.mrrAtStart')}, 0)`.as('mrrAtStart'),
      sql`coalesce(${sql.ref('kpiContracts.contractsAtEnd')}, 0)`.as('contractsAtEnd'),
      sql`coalesce(${sql.ref('kpiContracts.mrrAtEnd')}, 0)`.as('mrrAtEnd'),
      sql`coalesce(${sql.ref('kpiContracts.contractsOnLast')}, 0)`.as('contractsOnLast'),
      sql`coalesce(${sql.ref('kpiContracts.mrrOnLast')}, 0)`.as('mrrOnLast'),
      sql`coalesce(${sql.ref('kpiContracts.contractsEver')}, 0)`.as('contractsEver'),
      sql`coalesce(${sql.ref('kpiContracts.revenueEver')}, 0)`.as('revenueEver'),
    ]);
  const x = (column: string) => sql.ref(`x.${column}`);
  const atStart = sql`${x('contractsAtStart')} > 0`;
  const stayed = sql`${atStart} and ${x('contractsAtEnd')} > 0`;
  const churned = sql`${atStart} and ${x('contractsAtEnd')} = 0`;
  let facts = ctx
    .selectFrom(inner.as('x'))
    .select([
      sql`sum(case when ${atStart} then 1 else 0 end)`.as('customersAtStart'),
      sql`sum(case when ${churned} then 1 else 0 end)`.as('churned'),
      sql`sum(${x('mrrAtStart')})`.as('mrrAtStart'),
      sql`sum(case when ${churned} then ${x('mrrAtStart')} else 0 end)`.as('churnedMrr'),
      sql`sum(case when ${stayed} and ${x('mrrAtEnd')} < ${x('mrrAtStart')} then ${x('mrrAtStart')} - ${x('mrrAtEnd')} else 0 end)`.as(
        'contraction',
      ),
      sql`sum(case when ${stayed} and ${x('mrrAtEnd')} > ${x('mrrAtStart')} then ${x('mrrAtEnd')} - ${x('mrrAtStart')} else 0 end)`.as(
        'expansion',
      ),
      sql`sum(case when ${x('contractsOnLast')} > 0 then 1 else 0 end)`.as('customers'),
      sql`sum(${x('mrrOnLast')})`.as('mrr'),
      sql`sum(case when ${x('contractsEver')} > 0 then 1 else 0 end)`.as('lifetimeCustomers'),
      sql`sum(${x('revenueEver')})`.as('lifetimeRevenue'),
    ]);
  // Without a breakdown there is no GROUP BY, so a tenant without accounts still yields its row.
  if (group) {
    facts = facts
      .select([x('kpiKey').as('kpiKey'), sql`max(${x('kpiLabel')})`.as('kpiLabel')])
      .groupBy(x('kpiKey'));
  }
  const rows = (await facts.execute()) as Record<string, unknown>[];
  return rows.map((row) => ({
    key: textOf(row.kpiKey),
    label: textOf(row.kpiLabel),
    days,
    customersAtStart: numberOf(row.customersAtStart),
    churned: numberOf(row.churned),
    mrrAtStart: numberOf(row.mrrAtStart),
    churnedMrr: numberOf(row.churnedMrr),
    contraction: numberOf(row.contraction),
    expansion: numberOf(row.expansion),
    customers: numberOf(row.customers),
    mrr: numberOf(row.mrr),
    lifetimeCustomers: numberOf(row.lifetimeCustomers),
    lifetimeRevenue: numberOf(row.lifetimeRevenue),
  }));
}

/**
 * The recurring-revenue facts of `ctx.range` per group of `ctx.by` (one row with `key: null` for
 * the total), in one query over the accounts the viewer can see, joined to their contracts. The
 * query runs once per evaluation, range and breakdown (`ctx.shared`): every customer KPI of one
 * `evaluate` call reads the same rows.
 *
 * @example
 * async query(ctx) {
 *   return (await customerRevenue(ctx)).map((f) => ({ key: f.key, label: f.label, value: f.mrr, sampleSize: f.customers }));
 * }
 */
export function customerRevenue(ctx: KpiQueryContext): Promise<readonly CustomerRevenueFacts[]> {
  return ctx.shared('aftersales.customerRevenue', () => computeCustomerRevenue(ctx));
}
