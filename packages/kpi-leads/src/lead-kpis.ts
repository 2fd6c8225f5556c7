import {
  defineKpi,
  type KpiQueryContext,
  type KpiRow,
  type KpiValue,
  kpiDivide,
  kpiRatio,
  measure,
} from '@rapport/core';
import { type LeadFacts, leadFacts } from './lead-facts.js';
import { newLeads } from './lead-sources.js';

/** What a lead KPI can be broken down and filtered by: fields of the lead. */
const leadDimensions = ['leadSource', 'campaign', 'owner', 'team', 'custom'] as const;

const leads = measure.count(newLeads);
const converted = measure.count(newLeads, { convertedOpportunityId: { isNull: false } });
/** Leads whose converted opportunity is won now (the status the engine keeps on the lead). */
const won = measure.count(newLeads, { convertedOpportunityStatus: 'won' });
/** Won amount of the converted opportunities (in their currency, converted at read time). */
const wonRevenue = measure.sum(
  newLeads,
  { money: 'convertedOpportunityAmount' },
  { convertedOpportunityStatus: 'won' },
);
/** What the lead-to-won rate and revenue per lead read from rollups. */
const wonMeasures = { leads, won, wonRevenue };

/**
 * Rows of a lead KPI from the measures of the converted deals' outcomes, from rollups where they
 * give the scan's figure, else from the lead facts. The kept outcome counts the converted deal
 * whoever may see it, the scan only when the actor may see it: equal for an actor who sees every
 * opportunity, so only then the rollups (which apply the lead's own visibility, by owner).
 */
async function fromOutcomes(
  ctx: KpiQueryContext,
  value: (m: { leads: number; won: number; wonRevenue: number }) => KpiValue,
  sampleSize: (m: { leads: number; won: number; wonRevenue: number }) => number,
): Promise<KpiRow[]> {
  // One read for both KPIs of an evaluation (same range and breakdown).
  const rolled = await ctx.shared('leads.rolledOutcomes', async () =>
    (await ctx.seesEvery('opportunity')) ? ctx.rolledUp(wonMeasures) : undefined,
  );
  if (!rolled)
    return fromFacts(
      ctx,
      (f) => value({ leads: f.leads, won: f.won, wonRevenue: f.wonRevenue }),
      (f) => sampleSize({ leads: f.leads, won: f.won, wonRevenue: f.wonRevenue }),
    );
  return rolled.map(({ range, key, label, values }) => {
    const m = {
      leads: values.leads ?? 0,
      won: values.won ?? 0,
      wonRevenue: values.wonRevenue ?? 0,
    };
    return { range, key, label, value: value(m), sampleSize: sampleSize(m) };
  });
}

/** Query rows from the lead facts: one value and sample size per group. */
async function fromFacts(
  ctx: KpiQueryContext,
  value: (facts: LeadFacts) => KpiValue,
  sampleSize: (facts: LeadFacts) => number,
): Promise<KpiRow[]> {
  return (await leadFacts(ctx)).map((facts) => ({
    range: facts.range,
    key: facts.key,
    label: facts.label,
    value: value(facts),
    sampleSize: sampleSize(facts),
  }));
}

/**
 * New leads: the leads created in the period. Break down by `leadSource` for leads by source.
 *
 * @example
 * const { 'leads.newLeads': n } = await scope.kpis.evaluate(['leads.newLeads'], { period: '2026-Q1', by: 'leadSource' });
 */
export const newLeadCount = defineKpi({
  id: 'leads.newLeads',
  group: 'leads',
  title: { en: 'New leads', de: 'Neue Leads' },
  description: 'count of leads created in the period (by createdAt in the tenant time zone)',
  unit: 'count',
  direction: 'higher',
  dimensions: leadDimensions,
  reference: 'Salesforce standard report "Leads by Source" (count of leads by Lead Source)',
  measures: { leads },
  value: (m) => m.leads,
  sampleSize: (m) => m.leads,
});

/**
 * Cost per lead: the campaigns' actual cost shared among their leads of the period, over the
 * leads with a campaign. Per campaign it is actual cost / leads of that campaign in the period.
 *
 * @example
 * const { 'leads.costPerLead': cpl } = await scope.kpis.evaluate(['leads.costPerLead'], { by: 'campaign' });
 */
export const costPerLead = defineKpi({
  id: 'leads.costPerLead',
  group: 'leads',
  title: { en: 'Cost per lead', de: 'Kosten pro Lead' },
  description:
    'sum over leads with a campaign created in the period of (campaign actual cost in the base currency / leads of that campaign created in the period) / number of those leads',
  unit: 'money',
  direction: 'lower',
  dimensions: leadDimensions,
  sources: [newLeads],
  reference:
    'HubSpot, "Cost per lead" (marketing spend / new leads); Salesforce Campaign ROI Analysis report (campaign Actual Cost per response)',
  // The period and its previous one in one facts query, shared by the lead KPIs.
  bothRanges: true,
  query: (ctx) =>
    fromFacts(
      ctx,
      (f) => kpiDivide(f.cost, f.campaignLeads, 'no leads with a campaign'),
      (f) => f.campaignLeads,
    ),
});

/**
 * Lead-to-opportunity rate: of the leads created in the period, the share converted with an
 * opportunity (how likely a contact becomes a deal). Comes with a 95% Wilson interval.
 *
 * @example
 * const { 'leads.leadToOpportunityRate': r } = await scope.kpis.evaluate(['leads.leadToOpportunityRate'], { by: 'leadSource' });
 */
export const leadToOpportunityRate = defineKpi({
  id: 'leads.leadToOpportunityRate',
  group: 'leads',
  title: { en: 'Lead-to-opportunity rate', de: 'Lead-zu-Verkaufschancen-Quote' },
  description:
    'leads created in the period that were converted with an opportunity / leads created in the period',
  unit: 'ratio',
  direction: 'higher',
  dimensions: leadDimensions,
  reference:
    'Salesforce, "Lead conversion rate" (converted leads / all leads); HubSpot, "Lead-to-opportunity conversion rate"',
  measures: { leads, converted },
  value: (m) => kpiRatio(m.converted, m.leads, 'no leads created in the period'),
  sampleSize: (m) => m.leads,
});

/**
 * Lead-to-won rate: of the leads created in the period, the share whose converted opportunity is
 * won (as of now). Comes with a 95% Wilson interval.
 *
 * @example
 * const { 'leads.leadToWonRate': r } = await scope.kpis.evaluate(['leads.leadToWonRate'], { by: 'leadSource' });
 */
export const leadToWonRate = defineKpi({
  id: 'leads.leadToWonRate',
  group: 'leads',
  title: { en: 'Lead-to-customer rate', de: 'Lead-zu-Kunden-Quote' },
  description:
    'leads created in the period whose converted opportunity is won / leads created in the period',
  unit: 'ratio',
  direction: 'higher',
  dimensions: leadDimensions,
  sources: [newLeads],
  reference: 'HubSpot, "Lead-to-customer conversion rate" (new customers / new leads)',
  // The period and its previous one in one facts query, shared by the lead KPIs.
  bothRanges: true,
  rollupMeasures: wonMeasures,
  query: (ctx) =>
    fromOutcomes(
      ctx,
      (m) => kpiRatio(m.won, m.leads, 'no leads created in the period'),
      (m) => m.leads,
    ),
});

/**
 * Average time to first activity: mean days from a lead's creation to its first completed
 * activity, over the leads of the period that have one (lead response time).
 *
 * @example
 * const { 'leads.timeToFirstActivity': t } = await scope.kpis.evaluate(['leads.timeToFirstActivity'], { by: 'owner' });
 */
export const timeToFirstActivity = defineKpi({
  id: 'leads.timeToFirstActivity',
  group: 'leads',
  title: {
    en: 'Average time to first activity',
    de: 'Durchschnittliche Zeit bis zur ersten Aktivität',
  },
  description:
    'mean over leads created in the period with a completed activity of (earliest activity completedAt - lead createdAt), in days',
  unit: 'duration',
  direction: 'lower',
  dimensions: leadDimensions,
  sources: [newLeads],
  reference:
    'Oldroyd, McElheran & Elkington, "The Short Life of Online Sales Leads", Harvard Business Review 2011 (lead response time); HubSpot, "Lead response time"',
  // The period and its previous one in one facts query, shared by the lead KPIs.
  bothRanges: true,
  query: (ctx) =>
    fromFacts(
      ctx,
      (f) => kpiDivide(f.daysToFirstActivity, f.contacted, 'no lead with a completed activity'),
      (f) => f.contacted,
    ),
});

/**
 * Cost per won customer: the campaign cost carried by the leads of the period (as in cost per
 * lead) / those campaign leads whose converted opportunity is won.
 *
 * @example
 * const { 'leads.costPerWonCustomer': cac } = await scope.kpis.evaluate(['leads.costPerWonCustomer'], { by: 'leadSource' });
 */
export const costPerWonCustomer = defineKpi({
  id: 'leads.costPerWonCustomer',
  group: 'leads',
  title: { en: 'Cost per won customer', de: 'Kosten pro gewonnenem Kunden' },
  description:
    'campaign cost shared among the leads with a campaign created in the period (as in cost per lead) / those leads whose converted opportunity is won',
  unit: 'money',
  direction: 'lower',
  dimensions: leadDimensions,
  sources: [newLeads],
  reference:
    'Salesforce Campaign ROI Analysis report, "Average Cost per Won Opportunity"; HubSpot, "Customer acquisition cost" (cost / new customers), restricted to campaign cost',
  // The period and its previous one in one facts query, shared by the lead KPIs.
  bothRanges: true,
  query: (ctx) =>
    fromFacts(
      ctx,
      (f) => kpiDivide(f.cost, f.campaignWon, 'no won customer from a campaign lead'),
      (f) => f.campaignLeads,
    ),
});

/**
 * Revenue per lead: won amount of the opportunities converted from the leads of the period /
 * those leads.
 *
 * @example
 * const { 'leads.revenuePerLead': rpl } = await scope.kpis.evaluate(['leads.revenuePerLead'], { by: 'leadSource' });
 */
export const revenuePerLead = defineKpi({
  id: 'leads.revenuePerLead',
  group: 'leads',
  title: { en: 'Revenue per lead', de: 'Umsatz pro Lead' },
  description:
    'sum of the amounts (base currency) of won opportunities converted from leads created in the period / leads created in the period',
  unit: 'money',
  direction: 'higher',
  dimensions: leadDimensions,
  sources: [newLeads],
  reference: 'HubSpot, "Revenue per lead" (revenue from converted leads / number of leads)',
  // The period and its previous one in one facts query, shared by the lead KPIs.
  bothRanges: true,
  rollupMeasures: wonMeasures,
  query: (ctx) =>
    fromOutcomes(
      ctx,
      (m) => kpiDivide(m.wonRevenue, m.leads, 'no leads created in the period'),
      (m) => m.leads,
    ),
});

/**
 * Every lead KPI, in dashboard order.
 *
 * @example
 * const ids = leadKpis.map((kpi) => kpi.id);
 */
export const leadKpis = [
  newLeadCount,
  costPerLead,
  leadToOpportunityRate,
  leadToWonRate,
  timeToFirstActivity,
  costPerWonCustomer,
  revenuePerLead,
] as const;
