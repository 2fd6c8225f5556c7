import { kpiPackages, loadKpiPlugins } from '@rapport/cli';
import type { AnyRapportPlugin } from '@rapport/core';

/** What the discovery found. */
export interface DiscoveredPlugins {
  readonly plugins: readonly AnyRapportPlugin[];
  /** Package -> why it gave no plugin (not written yet, or failed to load). */
  readonly missing: Readonly<Record<string, string>>;
}

/**
 * The plugins the KPI packages export right now: every exported object with an `id` and a `kpis`
 * array, so KPIs that teammates add join the dashboard without a change here. A package that
 * fails to load (work in progress) is reported, not fatal.
 */
export async function discoverPlugins(): Promise<DiscoveredPlugins> {
  const missing: Record<string, string> = {};
  const all = await loadKpiPlugins(kpiPackages, (name, reason) => {
    missing[name] = reason;
  });
  // A plugin without KPIs adds nothing to a dashboard.
  return { plugins: all.filter((plugin) => (plugin.kpis?.length ?? 0) > 0), missing };
}

/** Every KPI id of the plugins, in plugin order. */
export function kpiIds(plugins: readonly AnyRapportPlugin[]): string[] {
  return plugins.flatMap((plugin) => (plugin.kpis ?? []).map((kpi) => kpi.id));
}
