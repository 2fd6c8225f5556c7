/**
 * `@rapport/kpi-leads`: lead generation and lead quality KPIs (leads by source, cost per lead,
 * lead-to-opportunity and lead-to-won rates, time to first activity, cost per won customer,
 * revenue per lead), as a Rapport plugin.
 *
 * @packageDocumentation
 */
export { type LeadFacts, leadFacts } from './lead-facts.js';
export {
  costPerLead,
  costPerWonCustomer,
  leadKpis,
  leadToOpportunityRate,
  leadToWonRate,
  newLeadCount,
  revenuePerLead,
  timeToFirstActivity,
} from './lead-kpis.js';
export { leadsPlugin } from './lead-plugin.js';
export { newLeads } from './lead-sources.js';
