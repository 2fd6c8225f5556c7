import { type AnyRapportPlugin, type Crm, createCrm } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { breakdownKpiIds, type Figures, figuresFromResults } from './dashboard-figures.js';
import { benchNow, benchTenant } from './dataset.js';

/** The period of the dashboard and of every comparison (its previous period comes with it). */
export const defaultPeriod = '2026';

/** The bench's view of the KPI service: ids are discovered at run time, so they are strings. */
export interface UntypedKpis {
  evaluate(
    ids: readonly string[],
    options: { readonly period: string; readonly by?: string },
  ): Promise<Record<string, Parameters<typeof figuresFromResults>[0][string]>>;
}

/**
 * Rapport over a SQLite file with the discovered plugins, clock pinned to the data's today;
 * `rollups` answers the declared KPIs from rollups (built once with `crm.rebuildRollups()`).
 */
export function openRapport(
  file: string,
  plugins: readonly AnyRapportPlugin[],
  rollups = false,
): Crm {
  return createCrm({
    storage: sqliteStorage({ filename: file }),
    plugins,
    now: () => benchNow,
    rollups,
  });
}

/**
 * The full dashboard through Rapport, as an app would serve it per request (a fresh scope, so
 * the tenant is loaded again): every KPI of the discovered plugins for the period, then win rate
 * and open pipeline by owner and by product. Returns the figures.
 */
export async function rapportDashboard(
  crm: Crm,
  ids: readonly string[],
  period: string,
  withBreakdowns = true,
): Promise<Figures> {
  // The ids come from the plugins at run time; the typed `evaluate` needs literal ids, so the
  // service is seen through its untyped shape (same function, same checks at run time).
  const kpis = crm.tenant(benchTenant.id).system().kpis as unknown as UntypedKpis;
  const figures = figuresFromResults(await kpis.evaluate(ids, { period }));
  if (withBreakdowns) {
    const [byOwner, byProduct] = await Promise.all([
      kpis.evaluate(breakdownKpiIds, { period, by: 'owner' }),
      kpis.evaluate(breakdownKpiIds, { period, by: 'product' }),
    ]);
    figuresFromResults(byOwner, 'owner', figures);
    figuresFromResults(byProduct, 'product', figures);
  }
  return figures;
}
