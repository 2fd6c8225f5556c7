import type { AnyRapportPlugin } from '@rapport/core';

/** The KPI plugins `rapport` loads when they are installed, in report order. */
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

/**
 * The plugins exported by the installed KPI packages. A package that is missing or exports no
 * plugin is skipped (and passed to `onSkip` with the reason), so a new KPI package shows up in
 * `rapport demo` and `rapport kpi` without a change here beyond its name above.
 *
 * @example
 * const crm = createCrm({ storage, plugins: await loadKpiPlugins() });
 */
export async function loadKpiPlugins(
  packages: readonly string[] = kpiPackages,
  onSkip?: (packageName: string, reason: string) => void,
): Promise<AnyRapportPlugin[]> {
  const plugins: AnyRapportPlugin[] = [];
  const seen = new Set<string>();
  for (const name of packages) {
    let module: Record<string, unknown>;
    try {
      module = (await import(name)) as Record<string, unknown>;
    } catch (error) {
      const firstLine = error instanceof Error ? error.message.split('\n')[0] : String(error);
      onSkip?.(name, `failed to load: ${firstLine}`);
      continue;
    }
    const found = Object.values(module).filter(isPlugin);
    if (found.length === 0) onSkip?.(name, 'exports no plugin');
    for (const plugin of found) {
      if (!seen.has(plugin.id)) {
        seen.add(plugin.id);
        plugins.push(plugin);
      }
    }
  }
  return plugins;
}
