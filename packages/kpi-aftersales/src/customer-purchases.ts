import type { KpiQueryContext } from '@rapport/core';
import { sql } from 'kysely';
import { accounts } from './aftersales-sources.js';
import { customerDays } from './customer-days.js';

/**
 * What the accounts of one group (or the total) have bought by the end of the period: won
 * opportunities closed before the period ends, and the product families on their line items.
 *
 * @example
 * const [total] = await customerPurchases(ctx);
 * total.repeatBuyers / total.buyers; // repeat purchase rate
 */
export interface CustomerPurchaseFacts {
  /** The group's key; null for the total or "none". */
  readonly key: string | null;
  /** A label for the key. */
  readonly label: string | null;
  /** Accounts with at least one won opportunity. */
  readonly buyers: number;
  /** Accounts with two or more won opportunities. */
  readonly repeatBuyers: number;
  /** Accounts whose won line items span two or more product families. */
  readonly crossBuyers: number;
}

/**
 * Per account, whether it has won opportunities closed before `end` (all without one), two or
 * more of them, and line items in two or more product families. Only those thresholds matter, so
 * MIN and MAX answer them without COUNT(DISTINCT): two distinct ids (or families) exist exactly
 * when the smallest is below the largest, and MIN/MAX skip nulls as COUNT(DISTINCT) does.
 *
 * The won deals are a MATERIALIZED CTE so that SQLite reads them through the (tenant, status,
 * close date) index, a third of the tenant's deals: inlined, it walks every deal of the tenant by
 * the account index to spare the GROUP BY a sort, and looks each row up (1.8x slower on the bench
 * data). Postgres (12+) and SQLite (3.35+) both accept `as materialized`. Deals without an
 * account need no filter here: the join to the accounts leaves them out.
 */
function purchasesByAccount(ctx: KpiQueryContext, end: string | null) {
  const before = end === null ? sql`` : sql` and ${sql.ref('ko.closeDate')} < ${end}`;
  const won = sql`select ${sql.ref('ko.accountId')} as ${sql.ref('accountId')}, ${sql.ref('ko.id')} as ${sql.ref('id')} from ${sql.table('opportunities')} as ${sql.ref('ko')} where ${sql.ref('ko.tenantId')} = ${ctx.tenant.id} and ${sql.ref('ko.status')} = ${'won'}${before}`;
  const twoOrMore = (column: string) =>
    sql`case when min(${sql.ref(column)}) < max(${sql.ref(column)}) then 1 else 0 end`;
  return sql`(with ${sql.ref('kw')} as materialized (${won}) select ${sql.ref('kw.accountId')} as ${sql.ref('accountId')}, ${twoOrMore('kw.id')} as ${sql.ref('repeatBuyer')}, ${twoOrMore('kp.family')} as ${sql.ref('crossBuyer')} from ${sql.ref('kw')} left join ${sql.table('opportunityLineItems')} as ${sql.ref('ki')} on ${sql.ref('ki.tenantId')} = ${ctx.tenant.id} and ${sql.ref('ki.opportunityId')} = ${sql.ref('kw.id')} left join ${sql.table('products')} as ${sql.ref('kp')} on ${sql.ref('kp.tenantId')} = ${sql.ref('ki.tenantId')} and ${sql.ref('kp.id')} = ${sql.ref('ki.productId')} group by ${sql.ref('kw.accountId')})`.as(
    'kpiBuys',
  );
}

function numberOf(value: unknown): number {
  return value === null || value === undefined ? 0 : Number(value);
}

function textOf(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** The facts of {@link customerPurchases}, computed by one query. */
async function computeCustomerPurchases(
  ctx: KpiQueryContext,
): Promise<readonly CustomerPurchaseFacts[]> {
  const { end } = customerDays(ctx.range, ctx.today);
  const group = ctx.group('account', 'a');
  const inner = (await ctx.source(accounts, 'a'))
    .leftJoin(purchasesByAccount(ctx, end), (join) => join.onRef('kpiBuys.accountId', '=', 'a.id'))
    .select([
      (group ? sql`${group.key}` : sql`null`).as('kpiKey'),
      (group ? sql`${group.label}` : sql`null`).as('kpiLabel'),
      sql`case when ${sql.ref('kpiBuys.accountId')} is null then 0 else 1 end`.as('buyer'),
      sql`coalesce(${sql.ref('kpiBuys.repeatBuyer')}, 0)`.as('repeatBuyer'),
      sql`coalesce(${sql.ref('kpiBuys.crossBuyer')}, 0)`.as('crossBuyer'),
    ]);
  const x = (column: string) => sql.ref(`x.${column}`);
  let facts = ctx
    .selectFrom(inner.as('x'))
    .select([
      sql`sum(${x('buyer')})`.as('buyers'),
      sql`sum(${x('repeatBuyer')})`.as('repeatBuyers'),
      sql`sum(${x('crossBuyer')})`.as('crossBuyers'),
    ]);
  if (group) {
    facts = facts
      .select([x('kpiKey').as('kpiKey'), sql`max(${x('kpiLabel')})`.as('kpiLabel')])
      .groupBy(x('kpiKey'));
  }
  const rows = (await facts.execute()) as Record<string, unknown>[];
  return rows.map((row) => ({
    key: textOf(row.kpiKey),
    label: textOf(row.kpiLabel),
    buyers: numberOf(row.buyers),
    repeatBuyers: numberOf(row.repeatBuyers),
    crossBuyers: numberOf(row.crossBuyers),
  }));
}

/**
 * The purchase facts as of the end of `ctx.range` per group of `ctx.by` (one row with `key: null`
 * for the total), in one query over the accounts the viewer can see. The query runs once per
 * evaluation, range and breakdown (`ctx.shared`): repeat purchase and cross-sell read the same rows.
 *
 * @example
 * async query(ctx) {
 *   return (await customerPurchases(ctx)).map((f) => ({ key: f.key, label: f.label, value: f.buyers, sampleSize: f.buyers }));
 * }
 */
export function customerPurchases(ctx: KpiQueryContext): Promise<readonly CustomerPurchaseFacts[]> {
  return ctx.shared('aftersales.customerPurchases', () => computeCustomerPurchases(ctx));
}
