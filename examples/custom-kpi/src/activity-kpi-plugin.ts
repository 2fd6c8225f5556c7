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
 * completed activities. Read over the whole tenant on purpose (not through `ctx.source`, which
 * would apply the evaluation's filters to deals too): a deal's revenue is shared among all its
 * activities, so a filter (`custom.channel: 'phone'`) or the viewer's visibility picks activities
 * but does not change what each one is worth.
 */
function wonDeals(ctx: KpiQueryContext) {
  const closed = ctx.range?.start
    ? sql` and ${ref('d.closeDate')} >= ${ctx.range.start} and ${ref('d.closeDate')} < ${ctx.range.end}`
    : sql``;
  const activities = sql`(select count(*) from ${sql.table('activities')} as ${ref('n')} where ${ref('n.tenantId')} = ${ref('d.tenantId')} and ${ref('n.opportunityId')} = ${ref('d.id')} and ${ref('n.completedAt')} is not null)`;
  const revenue = ctx.toBase(ref('d.amount'), ref('d.currency'));
  return sql`(select ${ref('d.id')}, ${revenue} as ${ref('revenue')}, ${activities} as ${ref('activities')} from ${sql.table('opportunities')} as ${ref('d')} where ${ref('d.tenantId')} = ${ctx.tenant.id} and ${ref('d.status')} = ${'won'}${closed})`.as(
    'deal',
  );
}

/**
 * Revenue per activity, from `@acme/rapport-kpi-activity`: each opportunity won in the period
 * shares its amount (base currency) equally among the completed activities logged on it; the KPI
 * is the average share, i.e. won revenue / completed activities on the won opportunities. Broken
 * down by `custom.channel`, it says which kind of activity goes with the bigger deals; the shares
 * of the groups add up to the won revenue. Won opportunities without a completed activity are left
 * out (their revenue cannot be put on any activity). Tenant, visibility and filters apply to the
 * activities: a rep sees the shares of his own activities. A query KPI (the escape hatch), since
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
      .innerJoin(wonDeals(ctx), (join) => join.onRef('deal.id', '=', 'a.opportunityId'))
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
