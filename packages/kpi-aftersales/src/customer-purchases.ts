import type { KpiQueryContext, KpiRange } from '@rapport/core';
import { sql } from 'kysely';
import { accounts } from './aftersales-sources.js';
import { customerDays } from './customer-days.js';

/**
 * What the accounts of one group (or the total) have bought by the end of the period: won
 * opportunities closed before the period ends, and the product families on their line items.
 *
 * @example
 * const [total] = await customerPurchases(ctx);
 * if (total) total.repeatBuyers / total.buyers; // repeat purchase rate
 */
export interface CustomerPurchaseFacts {
  /** The group's key; null for the total or "none". */
  readonly key: string | null;
  /** A label for the key. */
  readonly label: string | null;
  /** The range these facts are for: the context's range, or its `previousRange` (`bothRanges`). */
  readonly range: KpiRange;
  /** Accounts with at least one won opportunity. */
  readonly buyers: number;
  /** Accounts with two or more won opportunities. */
  readonly repeatBuyers: number;
  /** Accounts whose won line items span two or more product families. */
  readonly crossBuyers: number;
}

/** One range of a call: the end of its purchases and the prefix of its columns. */
interface RangeEnd {
  readonly range: KpiRange;
  /** Won deals closed before it count; null (`all`) counts every won deal. */
  readonly end: string | null;
  readonly prefix: 'c' | 'p';
}

/** The ranges a call computes: the context's range, and its previous one when asked for both. */
function rangesOf(ctx: KpiQueryContext): readonly RangeEnd[] {
  const current: RangeEnd = {
    range: 'current',
    end: customerDays(ctx.range, ctx.today).end,
    prefix: 'c',
  };
  if (!ctx.previousRange) return [current];
  return [
    current,
    { range: 'previous', end: customerDays(ctx.previousRange, ctx.today).end, prefix: 'p' },
  ];
}

/** The latest end of the ranges, null when one has none (`all`): what the scan must read. */
function latestEnd(ranges: readonly RangeEnd[]): string | null {
  let latest = '';
  for (const { end } of ranges) {
    if (end === null) return null;
    if (end > latest) latest = end;
  }
  return latest;
}

/** A column of one range, e.g. `cRepeatBuyer`. */
function columnOf(prefix: RangeEnd['prefix'], column: string): string {
  return `${prefix}${column.charAt(0).toUpperCase()}${column.slice(1)}`;
}

/**
 * Per account and range, whether it has won opportunities closed before the range's end (all
 * without one), two or more of them, and line items in two or more product families. Only those
 * thresholds matter, so MIN and MAX answer them without COUNT(DISTINCT): two distinct ids (or
 * families) exist exactly when the smallest is below the largest, and MIN/MAX skip nulls as
 * COUNT(DISTINCT) does (a deal or family outside the range is a null). The ranges share one scan
 * of the won deals up to the latest end.
 *
 * The won deals are a MATERIALIZED CTE so that SQLite reads them through the (tenant, status,
 * close date) index, a third of the tenant's deals: inlined, it walks every deal of the tenant by
 * the account index to spare the GROUP BY a sort, and looks each row up (1.8x slower on the bench
 * data). Postgres (12+) and SQLite (3.35+) both accept `as materialized`. Deals without an
 * account need no filter here: the join to the accounts leaves them out.
 */
async function purchasesByAccount(ctx: KpiQueryContext, ranges: readonly RangeEnd[]) {
  const latest = latestEnd(ranges);
  // The won deals, line items and products the viewer may see, through the scope: a colleague's
  // deal on a visible account is not counted.
  const won = (await ctx.scoped('opportunity', 'ko'))
    .select(['ko.accountId', 'ko.id', 'ko.closeDate'])
    .where('ko.status', '=', 'won')
    .$if(latest !== null, (query) => query.where('ko.closeDate', '<', latest));
  const lineItems = (await ctx.scoped('lineItem', 'ki')).select([
    'ki.opportunityId',
    'ki.productId',
  ]);
  const products = (await ctx.scoped('product', 'kp')).select(['kp.id', 'kp.family']);
  const columns = ranges.flatMap(({ end, prefix }) => {
    const inRange = (column: string) =>
      end === null || end === latest
        ? sql.ref(column)
        : sql`case when ${sql.ref('kw.closeDate')} < ${end} then ${sql.ref(column)} end`;
    const twoOrMore = (column: string) =>
      sql`case when min(${inRange(column)}) < max(${inRange(column)}) then 1 else 0 end`;
    return [
      sql`case when count(${inRange('kw.id')}) > 0 then 1 else 0 end as ${sql.ref(columnOf(prefix, 'buyer'))}`,
      sql`${twoOrMore('kw.id')} as ${sql.ref(columnOf(prefix, 'repeatBuyer'))}`,
      sql`${twoOrMore('kp.family')} as ${sql.ref(columnOf(prefix, 'crossBuyer'))}`,
    ];
  });
  return sql`(with ${sql.ref('kw')} as materialized ${won} select ${sql.ref('kw.accountId')} as ${sql.ref('accountId')}, ${sql.join(columns)} from ${sql.ref('kw')} left join ${lineItems} as ${sql.ref('ki')} on ${sql.ref('ki.opportunityId')} = ${sql.ref('kw.id')} left join ${products} as ${sql.ref('kp')} on ${sql.ref('kp.id')} = ${sql.ref('ki.productId')} group by ${sql.ref('kw.accountId')})`.as(
    'kpiBuys',
  );
}

function numberOf(value: unknown): number {
  return value === null || value === undefined ? 0 : Number(value);
}

function textOf(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** The facts of {@link customerPurchases}, computed by one query for every range of the call. */
async function computeCustomerPurchases(
  ctx: KpiQueryContext,
): Promise<readonly CustomerPurchaseFacts[]> {
  const ranges = rangesOf(ctx);
  const group = ctx.group('account', 'a');
  const perAccount = ['buyer', 'repeatBuyer', 'crossBuyer'] as const;
  const inner = (await ctx.source(accounts, 'a'))
    .leftJoin(await purchasesByAccount(ctx, ranges), (join) =>
      join.onRef('kpiBuys.accountId', '=', 'a.id'),
    )
    .select([
      (group ? sql`${group.key}` : sql`null`).as('kpiKey'),
      (group ? sql`${group.label}` : sql`null`).as('kpiLabel'),
      ...ranges.flatMap(({ prefix }) =>
        perAccount.map((column) =>
          sql`coalesce(${sql.ref(`kpiBuys.${columnOf(prefix, column)}`)}, 0)`.as(
            columnOf(prefix, column),
          ),
        ),
      ),
    ]);
  const x = (column: string) => sql.ref(`x.${column}`);
  let facts = ctx
    .selectFrom(inner.as('x'))
    .select(
      ranges.flatMap(({ prefix }) =>
        perAccount.map((column) =>
          sql`sum(${x(columnOf(prefix, column))})`.as(columnOf(prefix, `${column}s`)),
        ),
      ),
    );
  if (group) {
    facts = facts
      .select([x('kpiKey').as('kpiKey'), sql`max(${x('kpiLabel')})`.as('kpiLabel')])
      .groupBy(x('kpiKey'));
  }
  // Cast: a query over the erased scoped tables returns rows of unknown columns, read by name below.
  const rows = (await facts.execute()) as Record<string, unknown>[];
  return rows.flatMap((row) =>
    ranges.map(({ range, prefix }) => ({
      key: textOf(row.kpiKey),
      label: textOf(row.kpiLabel),
      range,
      buyers: numberOf(row[columnOf(prefix, 'buyers')]),
      repeatBuyers: numberOf(row[columnOf(prefix, 'repeatBuyers')]),
      crossBuyers: numberOf(row[columnOf(prefix, 'crossBuyers')]),
    })),
  );
}

/**
 * The purchase facts as of the end of `ctx.range` (and of `ctx.previousRange` when the KPI computes
 * both ranges: rows with `range: 'previous'`) per group of `ctx.by` (one row per range with
 * `key: null` for the total), in one query over the accounts the viewer can see. The query runs once per
 * evaluation, range and breakdown (`ctx.shared`): repeat purchase and cross-sell read the same rows.
 *
 * @example
 * import type { KpiQueryContext } from '@rapport/core/plugin';
 *
 * async function buyers(ctx: KpiQueryContext) {
 *   return (await customerPurchases(ctx)).map((f) => ({ key: f.key, label: f.label, value: f.buyers, sampleSize: f.buyers }));
 * }
 */
export function customerPurchases(ctx: KpiQueryContext): Promise<readonly CustomerPurchaseFacts[]> {
  return ctx.shared('aftersales.customerPurchases', () => computeCustomerPurchases(ctx));
}
