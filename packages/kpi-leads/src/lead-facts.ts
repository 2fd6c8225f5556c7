import type { KpiQueryContext, KpiRange, Period } from '@rapport/core';
import { type RawBuilder, sql } from 'kysely';
import { newLeads } from './lead-sources.js';

/**
 * What the leads created in the period add up to, for one group of a breakdown (or the total):
 * the counts and sums every lead KPI is a quotient of.
 *
 * @example
 * const [total] = await leadFacts(ctx);
 * if (total) total.converted / total.leads; // lead-to-opportunity rate
 */
export interface LeadFacts {
  /** The range the facts are for: the period, or the previous one it is compared with. */
  readonly range: KpiRange;
  /** The group's key (lead source, campaign id, owner id); null for the total or "none". */
  readonly key: string | null;
  /** A label for the key (campaign or owner name). */
  readonly label: string | null;
  /** Leads created in the period. */
  readonly leads: number;
  /** Of them, the leads with a campaign: the ones that carry campaign cost. */
  readonly campaignLeads: number;
  /** Their share of campaign actual cost, in minor units of the base currency. */
  readonly cost: number;
  /** Leads converted with an opportunity. */
  readonly converted: number;
  /** Leads whose converted opportunity is won (now). */
  readonly won: number;
  /** Campaign leads whose converted opportunity is won. */
  readonly campaignWon: number;
  /** Won amount of the converted opportunities, minor units of the base currency. */
  readonly wonRevenue: number;
  /** Leads with at least one completed activity. */
  readonly contacted: number;
  /** Sum over those leads of the days from creation to the first completed activity. */
  readonly daysToFirstActivity: number;
}

function ref(column: string): RawBuilder<unknown> {
  return sql`${sql.ref(column)}`;
}

function numberOf(value: unknown): number {
  return value === null || value === undefined ? 0 : Number(value);
}

function textOf(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** `createdAt` in the range (its instants); no condition for a range without a start (`all`). */
function createdIn(range: Period | null): RawBuilder<unknown> | null {
  return range?.startInstant
    ? sql`${sql.ref('kpiPeer.createdAt')} >= ${range.startInstant} and ${sql.ref('kpiPeer.createdAt')} < ${range.endInstant}`
    : null;
}

/**
 * Leads per campaign created in each range, as a table to join once on range and campaign (not a
 * count per lead). A lead's share of its campaign's cost divides by all the leads the viewer may
 * see, not only the ones a filter lets through, so a filter on one source does not pin the whole
 * campaign cost on that source; leads the viewer may not see are not counted (a count of them
 * would tell a rep how many leads the others have).
 */
async function campaignLeadCounts(ctx: KpiQueryContext) {
  const current = createdIn(ctx.range);
  const previous = createdIn(ctx.previousRange);
  const inRanges = current && previous ? sql<boolean>`((${current}) or (${previous}))` : current;
  const range = ctx.rangeOf(newLeads, 'kpiPeer');
  // The range is named in a subquery and grouped by name: Postgres does not match a GROUP BY
  // expression with bound parameters to the same expression in the select list.
  const peers = (await ctx.scoped('lead', 'kpiPeer'))
    .select([range.as('kpiRange'), 'kpiPeer.campaignId'])
    .where('kpiPeer.campaignId', 'is not', null)
    .$if(inRanges !== null, (query) => query.where(sql<boolean>`${inRanges}`));
  return sql`(select ${sql.ref('p.kpiRange')}, ${sql.ref('p.campaignId')}, count(*) as ${sql.ref('leads')} from ${peers} as ${sql.ref('p')} group by ${sql.ref('p.kpiRange')}, ${sql.ref('p.campaignId')})`.as(
    'kpiPeers',
  );
}

/**
 * The first completed activity (of those the viewer may see) of every lead, as a table to join
 * once on the lead id (one grouped pass over the activities, not one lookup per lead). Leads
 * without a completed activity have no row. Only for a viewer who may not see every activity:
 * for the others the lead's kept `firstActivityAt` is the same value, without the pass.
 */
async function firstActivities(ctx: KpiQueryContext) {
  return (await ctx.scoped('activity', 'a'))
    .select(['a.leadId', sql`min(${sql.ref('a.completedAt')})`.as('firstAt')])
    .where('a.leadId', 'is not', null)
    .where('a.completedAt', 'is not', null)
    .groupBy('a.leadId')
    .as('kpiFirst');
}

/** The lead's share of its campaign's actual cost (null without a campaign). */
function costShare(ctx: KpiQueryContext): RawBuilder<number> {
  const cost = ctx.toBase(ref('kpiCampaign.actualCost'), ref('kpiCampaign.currency'));
  // `* 1.0` keeps the division exact: both sides are integers on SQLite and Postgres.
  return sql<number>`${cost} * 1.0 / ${sql.ref('kpiPeers.leads')}`;
}

/** The won revenue of grouped rows `x`: their won amounts summed per currency, converted once. */
function wonRevenue(ctx: KpiQueryContext): RawBuilder<number> {
  // Per currency and then converted, as the rollups sum `convertedOpportunityAmount`: both give
  // the same figure to the last bit (amounts converted one by one could differ in the last bits).
  // A won deal without an amount, or in a currency without a rate, adds nothing.
  return ctx.toBaseSum(
    (code) =>
      sql`sum(case when ${sql.ref('x.wonCurrency')} = ${code} then ${sql.ref('x.wonAmount')} end)`,
  );
}

/**
 * The facts of the lead cohorts of `ctx.range` and (for a KPI with `bothRanges`)
 * `ctx.previousRange`, per range and group of `ctx.by` (`key: null` for the total, which has a
 * row per range even without leads), in one query over the scoped leads: tenant, visibility,
 * filters and the ranges apply to the leads; their campaign, won converted opportunity, campaign
 * peers and first completed activity are joined (each a table lookup or one grouped pass, none a
 * subquery per lead). The lead KPIs of one evaluation share it (`ctx.shared`): it runs once per
 * breakdown, whichever and however many of them are asked for.
 *
 * @example
 * import type { KpiQueryContext } from '@rapport/core/plugin';
 *
 * // In a query KPI with `bothRanges: true`: one call gives the period's and the previous one's rows.
 * async function leads(ctx: KpiQueryContext) {
 *   return (await leadFacts(ctx)).map((f) => ({ range: f.range, key: f.key, label: f.label, value: f.leads, sampleSize: f.leads }));
 * }
 */
export function leadFacts(ctx: KpiQueryContext): Promise<LeadFacts[]> {
  // Every lead is in one group of a breakdown: the total adds the groups up.
  return ctx.sharedFacts('leads.leadFacts', queryLeadFacts, (groups) => totalOfGroups(ctx, groups));
}

/** The total facts of each range the call computes (a row even without leads), from its groups. */
function totalOfGroups(ctx: KpiQueryContext, groups: readonly LeadFacts[]): LeadFacts[] {
  const ranges: KpiRange[] = ctx.previousRange ? ['current', 'previous'] : ['current'];
  return ranges.map((range) =>
    groups.filter((group) => group.range === range).reduce(addFacts, noLeads(range)),
  );
}

/** Two facts of one range added up (the key and label of the first). */
function addFacts(sum: LeadFacts, group: LeadFacts): LeadFacts {
  return {
    ...sum,
    leads: sum.leads + group.leads,
    campaignLeads: sum.campaignLeads + group.campaignLeads,
    cost: sum.cost + group.cost,
    converted: sum.converted + group.converted,
    won: sum.won + group.won,
    campaignWon: sum.campaignWon + group.campaignWon,
    wonRevenue: sum.wonRevenue + group.wonRevenue,
    contacted: sum.contacted + group.contacted,
    daysToFirstActivity: sum.daysToFirstActivity + group.daysToFirstActivity,
  };
}

async function queryLeadFacts(ctx: KpiQueryContext): Promise<LeadFacts[]> {
  const group = ctx.group('lead', 'l');
  const range = ctx.rangeOf(newLeads, 'l');
  // The campaigns and won deals the viewer may see, through the scope (tenant and visibility).
  const campaigns = (await ctx.scoped('campaign', 'c')).select([
    'c.id',
    'c.actualCost',
    'c.currency',
  ]);
  const wonDeals = (await ctx.scoped('opportunity', 'o'))
    .select(['o.id', 'o.amount', 'o.currency'])
    .where('o.status', '=', 'won');
  // Kept at write time over all of the lead's activities: what this viewer would find when they
  // see them all; otherwise the first of the activities they may see, joined.
  const keptFirst = await ctx.seesEvery('activity');
  const firstAt = keptFirst ? ref('l.firstActivityAt') : ref('kpiFirst.firstAt');
  const visibleFirst = keptFirst ? undefined : await firstActivities(ctx);
  const inner = (await ctx.source(newLeads, 'l'))
    .leftJoin(await campaignLeadCounts(ctx), (join) =>
      join
        .onRef('kpiPeers.campaignId', '=', 'l.campaignId')
        .on(sql<boolean>`${sql.ref('kpiPeers.kpiRange')} = ${range}`),
    )
    .leftJoin(campaigns.as('kpiCampaign'), (join) =>
      join.onRef('kpiCampaign.id', '=', 'l.campaignId'),
    )
    .leftJoin(wonDeals.as('kpiWon'), (join) =>
      join.onRef('kpiWon.id', '=', 'l.convertedOpportunityId'),
    )
    .$if(visibleFirst !== undefined, (query) =>
      visibleFirst
        ? query.leftJoin(visibleFirst, (join) => join.onRef('kpiFirst.leadId', '=', 'l.id'))
        : query,
    )
    .select([
      range.as('kpiRange'),
      (group ? sql`${group.key}` : sql`null`).as('kpiKey'),
      sql`case when ${sql.ref('l.campaignId')} is not null then 1 else 0 end`.as('hasCampaign'),
      costShare(ctx).as('costShare'),
      sql`case when ${sql.ref('l.convertedOpportunityId')} is not null then 1 else 0 end`.as(
        'converted',
      ),
      // The join only finds the opportunity when it is won: its id tells won from not won.
      sql`case when ${sql.ref('kpiWon.id')} is not null then 1 else 0 end`.as('isWon'),
      ref('kpiWon.amount').as('wonAmount'),
      ref('kpiWon.currency').as('wonCurrency'),
      ctx.sql.daysBetween(ref('l.createdAt'), firstAt).as('firstActivityDays'),
    ]);
  const x = (column: string) => sql.ref(`x.${column}`);
  const isWon = sql`${x('isWon')} = 1`;
  const grouped = ctx
    .selectFrom(inner.as('x'))
    .select([
      x('kpiRange').as('kpiRange'),
      x('kpiKey').as('kpiKey'),
      sql`count(*)`.as('leads'),
      sql`sum(${x('hasCampaign')})`.as('campaignLeads'),
      sql`sum(${x('costShare')})`.as('cost'),
      sql`sum(${x('converted')})`.as('converted'),
      sql`sum(case when ${isWon} then 1 else 0 end)`.as('won'),
      sql`sum(case when ${isWon} and ${x('hasCampaign')} = 1 then 1 else 0 end)`.as('campaignWon'),
      wonRevenue(ctx).as('wonRevenue'),
      sql`count(${x('firstActivityDays')})`.as('contacted'),
      sql`sum(${x('firstActivityDays')})`.as('daysToFirstActivity'),
    ])
    .groupBy([x('kpiRange'), x('kpiKey')]);
  // Labels once per group, after the GROUP BY, not once per lead.
  const label = group ? (group.labelOf?.(sql.ref('g.kpiKey')) ?? sql.ref('g.kpiKey')) : sql`null`;
  const rows = (await ctx
    .selectFrom(grouped.as('g'))
    .selectAll('g')
    .select(sql`${label}`.as('kpiLabel'))
    .execute()) as Record<string, unknown>[];
  const facts: LeadFacts[] = rows.map((row) => ({
    range: row.kpiRange === 'previous' ? 'previous' : 'current',
    key: textOf(row.kpiKey),
    label: textOf(row.kpiLabel),
    leads: numberOf(row.leads),
    campaignLeads: numberOf(row.campaignLeads),
    cost: numberOf(row.cost),
    converted: numberOf(row.converted),
    won: numberOf(row.won),
    campaignWon: numberOf(row.campaignWon),
    wonRevenue: numberOf(row.wonRevenue),
    contacted: numberOf(row.contacted),
    daysToFirstActivity: numberOf(row.daysToFirstActivity),
  }));
  // The total has a row per range even for a range without leads (0 leads), so the KPIs can say
  // why they have no value there; a breakdown lists only the groups that have leads.
  if (!group) {
    const ranges: KpiRange[] = ctx.previousRange ? ['current', 'previous'] : ['current'];
    for (const range of ranges)
      if (!facts.some((f) => f.range === range)) facts.push(noLeads(range));
  }
  return facts;
}

/** The facts of a range without leads. */
function noLeads(range: KpiRange): LeadFacts {
  return {
    range,
    key: null,
    label: null,
    leads: 0,
    campaignLeads: 0,
    cost: 0,
    converted: 0,
    won: 0,
    campaignWon: 0,
    wonRevenue: 0,
    contacted: 0,
    daysToFirstActivity: 0,
  };
}
