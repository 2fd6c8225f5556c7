import type { AnyRapportPlugin } from '@rapport/core';

/** The KPI plugin packages of the dashboard, in dashboard order. */
export const kpiPackages = [
  '@rapport/kpi-leads',
  '@rapport/kpi-pipeline',
  '@rapport/kpi-closing',
  '@rapport/kpi-aftersales',
] as const;

function isPlugin(value: unknown): value is AnyRapportPlugin {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { id?: unknown; kpis?: unknown };
  return typeof candidate.id === 'string' && Array.isArray(candidate.kpis);
}

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
  const plugins: AnyRapportPlugin[] = [];
  const missing: Record<string, string> = {};
  const seen = new Set<string>();
  for (const name of kpiPackages) {
    try {
      const module = (await import(name)) as Record<string, unknown>;
      const found = Object.values(module).filter(isPlugin);
      for (const plugin of found) {
        if (seen.has(plugin.id) || (plugin.kpis?.length ?? 0) === 0) continue;
        seen.add(plugin.id);
        plugins.push(plugin);
      }
      if (found.length === 0) missing[name] = 'exports no plugin yet';
    } catch (error) {
      missing[name] =
        `failed to load: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
    }
  }
  return { plugins, missing };
}

/** Every KPI id of the plugins, in plugin order. */
export function kpiIds(plugins: readonly AnyRapportPlugin[]): string[] {
  return plugins.flatMap((plugin) => (plugin.kpis ?? []).map((kpi) => kpi.id));
}
