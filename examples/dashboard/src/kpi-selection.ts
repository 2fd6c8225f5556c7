import type { KpiInfo } from './api-client.js';

function supports(kpi: KpiInfo, dimension: string): boolean {
  return kpi.dimensions.includes(dimension);
}

function prefer(kpis: readonly KpiInfo[], pattern: RegExp): KpiInfo | undefined {
  return kpis.find((kpi) => pattern.test(kpi.id)) ?? kpis[0];
}

/**
 * Which KPIs feed which chart, chosen from the catalogue by group, unit and dimension (with the
 * usual ids preferred), so a plugin that lands later shows up without a change here.
 */
export function chartKpis(catalog: readonly KpiInfo[]) {
  const inGroup = (group: string) => catalog.filter((kpi) => kpi.group === group);
  const leads = inGroup('leads').filter((kpi) => supports(kpi, 'leadSource'));
  const leadCount = prefer(
    leads.filter((kpi) => kpi.unit === 'count'),
    /leads?(BySource)?$|count/i,
  );
  const costPerLead = prefer(
    leads.filter((kpi) => kpi.unit === 'money'),
    /cost.*lead/i,
  );
  const pipelineMoney = inGroup('pipeline').filter(
    (kpi) => kpi.unit === 'money' && supports(kpi, 'stage'),
  );
  const weighted = pipelineMoney.find((kpi) => /weighted/i.test(kpi.id));
  const open = prefer(
    pipelineMoney.filter((kpi) => kpi !== weighted),
    /open|value|amount/i,
  );
  const closingRatios = inGroup('closing').filter((kpi) => kpi.unit === 'ratio');
  const winRate = prefer(closingRatios, /winRate$/);
  const aftersalesRatios = inGroup('aftersales').filter((kpi) => kpi.unit === 'ratio');
  const retention = [
    ...aftersalesRatios.filter((kpi) => /churn|retention/i.test(kpi.id)),
    ...aftersalesRatios.filter((kpi) => !/churn|retention/i.test(kpi.id)),
  ].slice(0, 4);
  return {
    leadCount,
    costPerLead,
    pipeline: [open, weighted].filter((kpi): kpi is KpiInfo => kpi !== undefined),
    winRate,
    retention,
  };
}

/** Whether a KPI id names the list of unrealistic deals (past close date, no next step, idle). */
export function isUnrealisticList(id: string): boolean {
  return /unrealistic|stale|overdue/i.test(id);
}
