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
 * Per account, its won opportunities closed before `end` (all without one) and the distinct
 * product families of their line items: one grouped scan of the tenant's won deals, joined to the
 * accounts once (a correlated subquery per account makes SQLite pick the status index and crawl).
 */
function purchasesByAccount(ctx: KpiQueryContext, end: string | null) {
  const before = end === null ? sql`` : sql` and ${sql.ref('ko.closeDate')} < ${end}`;
  return sql`(select ${sql.ref('ko.accountId')} as ${sql.ref('accountId')}, count(distinct ${sql.ref('ko.id')}) as ${sql.ref('wins')}, count(distinct ${sql.ref('kp.family')}) as ${sql.ref('families')} from ${sql.table('opportunities')} as ${sql.ref('ko')} left join ${sql.table('opportunityLineItems')} as ${sql.ref('ki')} on ${sql.ref('ki.tenantId')} = ${sql.ref('ko.tenantId')} and ${sql.ref('ki.opportunityId')} = ${sql.ref('ko.id')} left join ${sql.table('products')} as ${sql.ref('kp')} on ${sql.ref('kp.tenantId')} = ${sql.ref('ki.tenantId')} and ${sql.ref('kp.id')} = ${sql.ref('ki.productId')} where ${sql.ref('ko.tenantId')} = ${ctx.tenant.id} and ${sql.ref('ko.status')} = ${'won'} and ${sql.ref('ko.accountId')} is not null${before} group by ${sql.ref('ko.accountId')})`.as(
    'kpiBuys',
  );
}

function numberOf(value: unknown): number {
  return value === null || value === undefined ? 0 : Number(value);
}

function textOf(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/**
 * The purchase facts as of the end of `ctx.range` per group of `ctx.by` (one row with `key: null`
 * for the total), in one query over the accounts the viewer can see.
 *
 * @example
 * async query(ctx) {
 *   return (await customerPurchases(ctx)).map((f) => ({ key: f.key, label: f.label, value: f.buyers, sampleSize: f.buyers }));
 * }
 */
export async function customerPurchases(ctx: KpiQueryContext): Promise<CustomerPurchaseFacts[]> {
  const { end } = customerDays(ctx.range, ctx.today);
  const group = ctx.group('account', 'a');
  const inner = (await ctx.source(accounts, 'a'))
    .leftJoin(purchasesByAccount(ctx, end), (join) => join.onRef('kpiBuys.accountId', '=', 'a.id'))
    .select([
      (group ? sql`${group.key}` : sql`null`).as('kpiKey'),
      (group ? sql`${group.label}` : sql`null`).as('kpiLabel'),
      sql`coalesce(${sql.ref('kpiBuys.wins')}, 0)`.as('wins'),
      sql`coalesce(${sql.ref('kpiBuys.families')}, 0)`.as('families'),
    ]);
  const x = (column: string) => sql.ref(`x.${column}`);
  let facts = ctx
    .selectFrom(inner.as('x'))
    .select([
      sql`sum(case when ${x('wins')} >= 1 then 1 else 0 end)`.as('buyers'),
      sql`sum(case when ${x('wins')} >= 2 then 1 else 0 end)`.as('repeatBuyers'),
      sql`sum(case when ${x('families')} >= 2 then 1 else 0 end)`.as('crossBuyers'),
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
