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
 * plugin is skipped, so a new KPI package shows up in `rapport demo` and `rapport kpi` without a
 * change here beyond its name above.
 *
 * @example
 * const crm = createCrm({ storage, plugins: await loadKpiPlugins() });
 */
export async function loadKpiPlugins(
  packages: readonly string[] = kpiPackages,
): Promise<AnyRapportPlugin[]> {
  const plugins: AnyRapportPlugin[] = [];
  const seen = new Set<string>();
  for (const name of packages) {
    let module: Record<string, unknown>;
    try {
      module = (await import(name)) as Record<string, unknown>;
    } catch {
      continue;
    }
    for (const value of Object.values(module)) {
      if (isPlugin(value) && !seen.has(value.id)) {
        seen.add(value.id);
        plugins.push(value);
      }
    }
  }
  return plugins;
}
