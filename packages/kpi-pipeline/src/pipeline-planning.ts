import { defineKpi, type KpiRow, resolvePeriod, sql } from '@rapport/core';

import { dealDimensions } from './pipeline-kpis.js';
import { openDeals } from './pipeline-sources.js';

/**
 * Why a deal's planning is unrealistic.
 *
 * @example
 * const issue: PlanningIssue = 'pastCloseDate';
 */
export type PlanningIssue = 'pastCloseDate' | 'noNextStep' | 'noRecentActivity';

/**
 * An open opportunity whose planning is unrealistic, with the reasons.
 *
 * @example
 * for (const deal of result.items) console.log(deal.name, deal.issues.join(', '));
 */
export interface UnrealisticDeal {
  readonly id: string;
  readonly name: string;
  readonly ownerId: string;
  readonly ownerName: string | null;
  readonly stage: string;
  /** Amount in minor units of the base currency (null without an amount or a rate). */
  readonly amount: number | null;
  readonly closeDate: string;
  readonly nextStep: string | null;
  /** The latest activity on the deal (completed, else created), ISO-8601 UTC; null if none. */
  readonly lastActivityAt: string | null;
  readonly issues: readonly PlanningIssue[];
}

/**
 * Options of {@link unrealisticPlanningKpi}.
 *
 * @example
 * const options: UnrealisticPlanningOptions = { staleAfterDays: 14 };
 */
export interface UnrealisticPlanningOptions {
  /** A deal with no activity for this many days is stale (default 30). */
  readonly staleAfterDays?: number;
}

function iso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}

function day(value: unknown): string {
  return value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
}

/**
 * The list behind "unrealistic planning": open opportunities with a close date in the past, no
 * next step, or no activity for `staleAfterDays` days (a deal without activities counts from its
 * creation). The value is how many; `items` are the deals with their issues, oldest close date
 * first: one page of them (`items: { limit, offset }` of the evaluation, 100 by default), with
 * `itemCount` how many in all, so the result does not grow with the tenant.
 *
 * @example
 * const kpi = unrealisticPlanningKpi({ staleAfterDays: 14 });
 */
export function unrealisticPlanningKpi(options: UnrealisticPlanningOptions = {}) {
  const staleAfterDays = options.staleAfterDays ?? 30;
  return defineKpi({
    id: 'pipeline.unrealisticPlanning',
    group: 'pipeline',
    title: { en: 'Unrealistic planning', de: 'Unrealistische Planung' },
    description: `open opportunities with a past close date, no next step, or no activity for ${staleAfterDays} days; the deals are listed`,
    unit: 'count',
    direction: 'lower',
    dimensions: dealDimensions,
    sources: [openDeals],
    reference:
      'Pipeline hygiene checks (Salesforce "Opportunities with past close dates", "stale opportunities")',
    snapshot: true,
    async query(ctx): Promise<KpiRow<UnrealisticDeal>[]> {
      // Cast: today is always YYYY-MM-DD, three numbers.
      const [year, month, date] = ctx.today.split('-').map(Number) as [number, number, number];
      // Calendar arithmetic on a UTC date (no DST), then local midnight of that day as an instant.
      const cutoffDay = new Date(Date.UTC(year, month - 1, date - staleAfterDays))
        .toISOString()
        .slice(0, 10);
      const cutoff = resolvePeriod(
        { from: cutoffDay, to: cutoffDay },
        { timeZone: ctx.tenant.timeZone, fiscalYearStartMonth: 1, today: ctx.today },
      ).startInstant;
      // The deal's activities and owner as the actor may see them (through the scope).
      const lastActivity = (await ctx.scoped('activity', 'a'))
        .whereRef('a.opportunityId', '=', 'o.id')
        .select(
          sql`max(coalesce(${sql.ref('a.completedAt')}, ${sql.ref('a.createdAt')}))`.as('at'),
        );
      const ownerName = (await ctx.scoped('user', 'u'))
        .whereRef('u.id', '=', 'o.ownerId')
        .select('u.name');
      const group = ctx.group('opportunity', 'o');
      const inner = (await ctx.source(openDeals, 'o')).select([
        'o.id',
        'o.name',
        'o.ownerId',
        'o.stage',
        'o.closeDate',
        'o.nextStep',
        'o.createdAt',
        sql`${ownerName}`.as('ownerName'),
        ctx.toBase(sql.ref('o.amount'), sql.ref('o.currency')).as('amountInBase'),
        sql`${lastActivity}`.as('lastActivityAt'),
        (group ? sql`${group.key}` : sql`null`).as('kpiKey'),
      ]);
      const pastClose = sql<boolean>`${sql.ref('x.closeDate')} < ${ctx.today}`;
      const noNextStep = sql<boolean>`(${sql.ref('x.nextStep')} is null or trim(${sql.ref('x.nextStep')}) = '')`;
      const stale = sql<boolean>`coalesce(${sql.ref('x.lastActivityAt')}, ${sql.ref('x.createdAt')}) < ${cutoff}`;
      const unrealistic = ctx
        .selectFrom(inner.as('x'))
        .where(sql<boolean>`(${pastClose} or ${noNextStep} or ${stale})`);
      if (group) {
        // A breakdown counts per group; the listed deals are the total's.
        const counted = unrealistic
          .select([sql.ref('x.kpiKey').as('kpiKey'), sql`count(*)`.as('deals')])
          .groupBy('x.kpiKey');
        const label = group.labelOf?.(sql.ref('g.kpiKey')) ?? sql.ref('g.kpiKey');
        const rows = await ctx
          .selectFrom(counted.as('g'))
          .selectAll('g')
          .select(sql`${label}`.as('kpiLabel'))
          .execute();
        return rows.map((row) => ({
          key: row.kpiKey === null ? null : String(row.kpiKey),
          label: row.kpiLabel === null ? null : String(row.kpiLabel),
          value: Number(row.deals),
          sampleSize: Number(row.deals),
        }));
      }
      // One page of the deals, oldest close date first, and how many there are in all.
      const rows = await unrealistic
        .selectAll('x')
        .select([
          sql`case when ${pastClose} then 1 else 0 end`.as('pastClose'),
          sql`case when ${noNextStep} then 1 else 0 end`.as('noNextStep'),
          sql`case when ${stale} then 1 else 0 end`.as('stale'),
          sql`count(*) over ()`.as('kpiCount'),
        ])
        .orderBy('x.closeDate')
        .orderBy('x.id')
        .limit(ctx.items.limit)
        .offset(ctx.items.offset)
        .execute();
      const items = rows.map((row): UnrealisticDeal => {
        const issues: PlanningIssue[] = [];
        if (Number(row.pastClose) === 1) issues.push('pastCloseDate');
        if (Number(row.noNextStep) === 1) issues.push('noNextStep');
        if (Number(row.stale) === 1) issues.push('noRecentActivity');
        return {
          id: String(row.id),
          name: String(row.name),
          ownerId: String(row.ownerId),
          ownerName: row.ownerName === null ? null : String(row.ownerName),
          stage: String(row.stage),
          amount: row.amountInBase === null ? null : Number(row.amountInBase),
          closeDate: day(row.closeDate),
          nextStep: row.nextStep === null ? null : String(row.nextStep),
          lastActivityAt: iso(row.lastActivityAt),
          issues,
        };
      });
      // A page past the last deal has no row to carry the count: count them apart then.
      const count =
        rows.length > 0
          ? Number(rows[0]?.kpiCount)
          : ctx.items.offset === 0
            ? 0
            : Number(
                (
                  await ctx
                    .selectFrom(unrealistic.select(sql`count(*)`.as('deals')).as('c'))
                    .selectAll('c')
                    .executeTakeFirst()
                )?.deals ?? 0,
              );
      return [{ key: null, value: count, sampleSize: count, items, itemCount: count }];
    },
  });
}

/**
 * The unrealistic planning KPI with the default of 30 days without activity.
 *
 * @example
 * const { 'pipeline.unrealisticPlanning': planning } = await scope.kpis.evaluate(['pipeline.unrealisticPlanning']);
 * planning.items[0]?.issues; // ['pastCloseDate', 'noRecentActivity']
 */
export const unrealisticPlanning = unrealisticPlanningKpi();
