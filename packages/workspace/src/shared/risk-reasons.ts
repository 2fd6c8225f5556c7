import { call, type WorkspaceClient } from '../api/api-client.js';

/** An open deal the planning check flags, with its reasons (`noNextStep`, `pastCloseDate`, ...). */
export interface AtRiskDeal {
  readonly id: string;
  readonly name: string;
  readonly ownerName: string | null;
  readonly stage: string;
  /** In the tenant's base currency, minor units. */
  readonly amount: number | null;
  readonly closeDate: string;
  readonly issues: readonly string[];
}

/** The KPI whose items are the deals at risk. */
export const atRiskKpi = 'pipeline.unrealisticPlanning';

/**
 * One item of the at-risk KPI, checked field by field (the API documents items as unknown);
 * null for anything else.
 */
export function atRiskDealOf(item: unknown): AtRiskDeal | null {
  if (typeof item !== 'object' || item === null) return null;
  const record: Record<string, unknown> = { ...item };
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  const id = text(record.id);
  if (id === null) return null;
  return {
    id,
    name: text(record.name) ?? id,
    ownerName: text(record.ownerName),
    stage: text(record.stage) ?? '',
    amount: typeof record.amount === 'number' ? record.amount : null,
    closeDate: text(record.closeDate)?.slice(0, 10) ?? '',
    issues: Array.isArray(record.issues)
      ? record.issues.filter((issue): issue is string => typeof issue === 'string')
      : [],
  };
}

/**
 * The deals at risk, from the planning KPI (a snapshot: the period does not change it); empty
 * when the pipeline KPIs are not installed.
 */
export async function loadAtRiskDeals(
  api: WorkspaceClient,
  filters: Record<string, string[]> = {},
): Promise<AtRiskDeal[]> {
  const catalog = await call(api.GET('/kpis'));
  if (!catalog.kpis?.some((kpi) => kpi.id === atRiskKpi)) return [];
  const evaluated = await call(
    api.POST('/kpis/evaluate', {
      body: { ids: [atRiskKpi], period: 'thisMonth', compare: false, filters },
    }),
  );
  const items = evaluated.results[atRiskKpi]?.items ?? [];
  return items.map(atRiskDealOf).filter((deal): deal is AtRiskDeal => deal !== null);
}

/** The reasons per deal id, for risk marks on cards. */
export async function loadRiskReasons(
  api: WorkspaceClient,
): Promise<Map<string, readonly string[]>> {
  const deals = await loadAtRiskDeals(api);
  return new Map(deals.map((deal) => [deal.id, deal.issues]));
}
