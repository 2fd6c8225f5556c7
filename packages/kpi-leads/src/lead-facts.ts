import type { KpiQueryContext } from '@rapport/core';
import { type RawBuilder, sql } from 'kysely';
import { newLeads } from './lead-sources.js';

/**
 * What the leads created in the period add up to, for one group of a breakdown (or the total):
 * the counts and sums every lead KPI is a quotient of.
 *
 * @example
 * const [total] = await leadFacts(ctx);
 * total.converted / total.leads; // lead-to-opportunity rate
 */
export interface LeadFacts {
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

/**
 * Leads per campaign created in the range, over the whole tenant, as a table to join once (not a
 * count per lead). A lead's share of its campaign's cost divides by all of them, not only the
 * ones a filter or the viewer's visibility lets through, so a filter on one source does not pin
 * the whole campaign cost on that source.
 */
function campaignLeadCounts(ctx: KpiQueryContext) {
  const range = ctx.range?.startInstant
    ? sql` and ${sql.ref('createdAt')} >= ${ctx.range.startInstant} and ${sql.ref('createdAt')} < ${ctx.range.endInstant}`
    : sql``;
  return sql`(select ${sql.ref('campaignId')}, count(*) as ${sql.ref('leads')} from ${sql.table('leads')} where ${sql.ref('tenantId')} = ${ctx.tenant.id} and ${sql.ref('campaignId')} is not null${range} group by ${sql.ref('campaignId')})`.as(
    'kpiPeers',
  );
}

/**
 * The first completed activity of every lead of the tenant, as a table to join once on the lead
 * id (one grouped pass over the activities, not one lookup per lead). Leads without a completed
 * activity have no row.
 */
function firstActivities(ctx: KpiQueryContext) {
  return sql`(select ${sql.ref('leadId')}, min(${sql.ref('completedAt')}) as ${sql.ref('firstAt')} from ${sql.table('activities')} where ${sql.ref('tenantId')} = ${ctx.tenant.id} and ${sql.ref('leadId')} is not null and ${sql.ref('completedAt')} is not null group by ${sql.ref('leadId')})`.as(
    'kpiFirst',
  );
}

/** The lead's share of its campaign's actual cost (null without a campaign). */
function costShare(ctx: KpiQueryContext): RawBuilder<number> {
  const cost = ctx.toBase(ref('kpiCampaign.actualCost'), ref('kpiCampaign.currency'));
  // `* 1.0` keeps the division exact: both sides are integers on SQLite and Postgres.
  return sql<number>`${cost} * 1.0 / ${sql.ref('kpiPeers.leads')}`;
}

/** The won amount (base currency) of the lead's converted opportunity; null unless it is won. */
function wonAmount(ctx: KpiQueryContext): RawBuilder<number> {
  const amount = ctx.toBase(ref('kpiWon.amount'), ref('kpiWon.currency'));
  // The join only finds the opportunity when it is won: its id tells won from not won, and a won
  // deal without an amount (or in a currency without a rate) still counts, with 0.
  return sql<number>`case when ${sql.ref('kpiWon.id')} is not null then coalesce(${amount}, 0) end`;
}

/**
 * The facts of the lead cohort of `ctx.range`, per group of `ctx.by` (one row with `key: null`
 * for the total), in one query over the scoped leads: tenant, visibility, filters and the period
 * apply to the leads; their campaign, won converted opportunity, campaign peers and first
 * completed activity are joined (each a table lookup or one grouped pass, none a subquery per
 * lead). The lead KPIs of one evaluation share it: it runs once per range and breakdown
 * (`ctx.shared`), whichever and however many of them are asked for.
 *
 * @example
 * async query(ctx) {
 *   return (await leadFacts(ctx)).map((f) => ({ key: f.key, label: f.label, value: f.leads, sampleSize: f.leads }));
 * }
 */
export function leadFacts(ctx: KpiQueryContext): Promise<LeadFacts[]> {
  return ctx.shared('leads.leadFacts', () => queryLeadFacts(ctx));
}

async function queryLeadFacts(ctx: KpiQueryContext): Promise<LeadFacts[]> {
  const group = ctx.group('lead', 'l');
  const won = wonAmount(ctx);
  const inner = (await ctx.source(newLeads, 'l'))
    .leftJoin(campaignLeadCounts(ctx), (join) =>
      join.onRef('kpiPeers.campaignId', '=', 'l.campaignId'),
    )
    .leftJoin('campaigns as kpiCampaign', (join) =>
      join
        .onRef('kpiCampaign.tenantId', '=', 'l.tenantId')
        .onRef('kpiCampaign.id', '=', 'l.campaignId'),
    )
    .leftJoin('opportunities as kpiWon', (join) =>
      join
        .onRef('kpiWon.tenantId', '=', 'l.tenantId')
        .onRef('kpiWon.id', '=', 'l.convertedOpportunityId')
        .on('kpiWon.status', '=', 'won'),
    )
    .leftJoin(firstActivities(ctx), (join) => join.onRef('kpiFirst.leadId', '=', 'l.id'))
    .select([
      (group ? sql`${group.key}` : sql`null`).as('kpiKey'),
      (group ? sql`${group.label}` : sql`null`).as('kpiLabel'),
      sql`case when ${sql.ref('l.campaignId')} is not null then 1 else 0 end`.as('hasCampaign'),
      costShare(ctx).as('costShare'),
      sql`case when ${sql.ref('l.convertedOpportunityId')} is not null then 1 else 0 end`.as(
        'converted',
      ),
      won.as('wonAmount'),
      ctx.sql.daysBetween(ref('l.createdAt'), ref('kpiFirst.firstAt')).as('firstActivityDays'),
    ]);
  const x = (column: string) => sql.ref(`x.${column}`);
  const isWon = sql`${x('wonAmount')} is not null`;
  let facts = ctx
    .selectFrom(inner.as('x'))
    .select([
      sql`count(*)`.as('leads'),
      sql`sum(${x('hasCampaign')})`.as('campaignLeads'),
      sql`sum(${x('costShare')})`.as('cost'),
      sql`sum(${x('converted')})`.as('converted'),
      sql`sum(case when ${isWon} then 1 else 0 end)`.as('won'),
      sql`sum(case when ${isWon} and ${x('hasCampaign')} = 1 then 1 else 0 end)`.as('campaignWon'),
      sql`sum(${x('wonAmount')})`.as('wonRevenue'),
      sql`count(${x('firstActivityDays')})`.as('contacted'),
      sql`sum(${x('firstActivityDays')})`.as('daysToFirstActivity'),
    ]);
  // Without a breakdown the aggregate has no GROUP BY, so an empty period still yields its row
  // (0 leads) and the KPIs can say why they have no value.
  if (group) {
    facts = facts
      .select([x('kpiKey').as('kpiKey'), sql`max(${x('kpiLabel')})`.as('kpiLabel')])
      .groupBy(x('kpiKey'));
  }
  const rows = (await facts.execute()) as Record<string, unknown>[];
  return rows.map((row) => ({
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
}
