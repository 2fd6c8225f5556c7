import {
  defineKpi,
  definePlugin,
  type KpiQueryContext,
  type KpiRow,
  kpiDivide,
  kpiSource,
  sql,
} from '@rapport/core';
import { z } from 'zod';

/**
 * Where a call or meeting took place: the custom field this plugin adds to activities.
 *
 * @example
 * await scope.activities.create({ type: 'meeting', subject: 'Demo', custom: { channel: 'onsite' } });
 */
export const activityChannels = ['onsite', 'video', 'phone'] as const;

/**
 * One of {@link activityChannels}.
 *
 * @example
 * const channel: ActivityChannel = 'video';
 */
export type ActivityChannel = (typeof activityChannels)[number];

/** Completed activities logged on an opportunity; the period is cut by the deal, not here. */
const dealActivities = kpiSource({
  object: 'activity',
  where: { completedAt: { isNull: false }, opportunityId: { isNull: false } },
});

const ref = (column: string) => sql.ref(column);

/**
 * The opportunities won in `ctx.range` with their amount in the base currency and their number of
 * completed activities. Both come through `ctx.scoped` (tenant and visibility, no evaluation
 * filters): a filter (`custom.channel: 'phone'`) picks activities but does not change what each
 * one is worth, while a viewer only ever counts deals and activities they may see.
 */
async function wonDeals(ctx: KpiQueryContext) {
  const perDeal = (await ctx.scoped('activity', 'n'))
    .where(ref('n.completedAt'), 'is not', null)
    .where(ref('n.opportunityId'), 'is not', null)
    .select([ref('n.opportunityId').as('opportunityId'), sql<number>`count(*)`.as('activities')])
    .groupBy(ref('n.opportunityId'));
  let deals = (await ctx.scoped('opportunity', 'd'))
    .innerJoin(perDeal.as('c'), (join) => join.onRef('c.opportunityId', '=', 'd.id'))
    .where(ref('d.status'), '=', 'won');
  if (ctx.range?.start)
    deals = deals
      .where(ref('d.closeDate'), '>=', ctx.range.start)
      .where(ref('d.closeDate'), '<', ctx.range.end);
  const revenue = ctx.toBase(ref('d.amount'), ref('d.currency'));
  return deals
    .select([ref('d.id').as('id'), revenue.as('revenue'), ref('c.activities').as('activities')])
    .as('deal');
}

/**
 * Revenue per activity, from `@acme/rapport-kpi-activity`: each opportunity won in the period
 * shares its amount (base currency) equally among the completed activities logged on it; the KPI
 * is the average share, i.e. won revenue / completed activities on the won opportunities. Broken
 * down by `custom.channel`, it says which kind of activity goes with the bigger deals; the shares
 * of the groups add up to the won revenue. Won opportunities without a completed activity are left
 * out (their revenue cannot be put on any activity). Tenant and visibility apply to the deals and
 * activities read, filters to the activities: a rep's figure is made of what the rep may see. A query KPI (the escape hatch), since
 * declared measures aggregate one object and this one joins activities to their opportunity.
 *
 * @example
 * const { 'acme.revenuePerActivity': kpi } = await scope.kpis.evaluate(['acme.revenuePerActivity'], {
 *   period: '2026-03',
 *   by: 'custom.channel',
 * });
 * kpi.value; // minor units of the base currency per activity, or null with kpi.reason
 */
export const revenuePerActivity = defineKpi({
  id: 'acme.revenuePerActivity',
  group: 'acme',
  title: { en: 'Revenue per activity', de: 'Umsatz je Aktivität' },
  description:
    'won revenue / completed activities, over the opportunities won in the period that have completed activities; each activity carries an equal share of its deal',
  unit: 'money',
  direction: 'higher',
  // Owner and custom fields are the activity's (the rep who did it, its channel).
  dimensions: ['owner', 'custom'],
  reference: 'linear (equal-share) multi-touch attribution of won revenue to activities',
  // `KpiRow[]` (items: never): not a list KPI, so its results carry no records.
  async query(ctx): Promise<KpiRow[]> {
    const group = ctx.group('activity', 'a');
    const shares = (await ctx.source(dealActivities, 'a'))
      .innerJoin(await wonDeals(ctx), (join) => join.onRef('deal.id', '=', 'a.opportunityId'))
      .select([
        // `* 1.0`: both sides are integers on SQLite and Postgres.
        sql<number>`${ref('deal.revenue')} * 1.0 / ${ref('deal.activities')}`.as('share'),
        (group ? sql`${group.key}` : sql`null`).as('key'),
        (group ? sql`${group.label}` : sql`null`).as('label'),
      ]);
    // One row per group; the total (no breakdown) is the single group `key: null`. Drivers
    // differ: Postgres returns count and sum as strings, SQLite as numbers.
    const rows = await ctx
      .selectFrom(shares.as('x'))
      .select([
        sql<string | null>`${ref('x.key')}`.as('key'),
        sql<string | null>`max(${ref('x.label')})`.as('label'),
        sql<number | string>`sum(${ref('x.share')})`.as('revenue'),
        sql<number | string>`count(*)`.as('activities'),
      ])
      .groupBy(ref('x.key'))
      .execute();
    const noValue = 'no completed activities on won opportunities';
    // A period without rows still gets its total, which says why there is no value.
    if (rows.length === 0 && !group)
      return [{ key: null, value: kpiDivide(null, 0, noValue), sampleSize: 0 }];
    return rows.map((row) => ({
      key: row.key,
      label: row.label,
      value: kpiDivide(Number(row.revenue), Number(row.activities), noValue),
      sampleSize: Number(row.activities),
    }));
  },
});

/**
 * The plugin as its author would publish it: the KPI and the custom field it is broken down by.
 * Custom fields are zod schemas, so `scope.activities.create({ custom: { channel } })` is typed
 * and validated.
 *
 * @example
 * const crm = createCrm({ storage: sqliteStorage(), plugins: [closingPlugin, activityKpiPlugin] });
 * await crm.tenant('acme').system().kpis.evaluate(['acme.revenuePerActivity', 'closing.winRate'], { period: '2026-Q1' });
 */
export const activityKpiPlugin = definePlugin({
  id: 'acme',
  kpis: [revenuePerActivity],
  fields: { activity: { channel: z.enum(activityChannels).optional() } },
});
