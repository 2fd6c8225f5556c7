import type { KpiQueryContext } from '@rapport/core';
import { type RawBuilder, sql } from 'kysely';
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

/** Won opportunities of the account `a` that closed before `end` (all of them without one). */
function wonDealsOf(alias: string, end: string | null): RawBuilder<unknown> {
  const before = end === null ? sql`` : sql` and ${sql.ref(`${alias}.closeDate`)} < ${end}`;
  return sql`${sql.ref(`${alias}.tenantId`)} = ${sql.ref('a.tenantId')} and ${sql.ref(`${alias}.accountId`)} = ${sql.ref('a.id')} and ${sql.ref(`${alias}.status`)} = ${'won'}${before}`;
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
  const wins = sql`(select count(*) from ${sql.table('opportunities')} as ${sql.ref('kw')} where ${wonDealsOf('kw', end)})`;
  const families = sql`(select count(distinct ${sql.ref('kp.family')}) from ${sql.table('opportunityLineItems')} as ${sql.ref('ki')} join ${sql.table('opportunities')} as ${sql.ref('ko')} on ${sql.ref('ko.tenantId')} = ${sql.ref('ki.tenantId')} and ${sql.ref('ko.id')} = ${sql.ref('ki.opportunityId')} join ${sql.table('products')} as ${sql.ref('kp')} on ${sql.ref('kp.tenantId')} = ${sql.ref('ki.tenantId')} and ${sql.ref('kp.id')} = ${sql.ref('ki.productId')} where ${wonDealsOf('ko', end)} and ${sql.ref('kp.family')} is not null)`;
  const inner = (await ctx.source(accounts, 'a')).select([
    (group ? sql`${group.key}` : sql`null`).as('kpiKey'),
    (group ? sql`${group.label}` : sql`null`).as('kpiLabel'),
    wins.as('wins'),
    families.as('families'),
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
