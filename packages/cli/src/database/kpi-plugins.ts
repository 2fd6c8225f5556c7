import { pathToFileURL } from 'node:url';
import type { AnyRapportPlugin } from '@rapport/core';
import { createJiti } from 'jiti';
import { pluginSpecifier } from '../config/load-config.js';
import { InputError } from '../errors/cli-errors.js';

/** The KPI plugins `rapport` loads when they are installed, in report order. */
export const kpiPackages = [
  '@rapport/kpi-leads',
  '@rapport/kpi-pipeline',
  '@rapport/kpi-closing',
  '@rapport/kpi-aftersales',
  // Lead scores and their KPIs; its migration adds the model and score tables.
  '@rapport/predict',
] as const;

function isPlugin(value: unknown): value is AnyRapportPlugin {
  if (typeof value !== 'object' || value === null) return false;
  // Cast: a module export of unknown shape, narrowed field by field below.
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
      // Cast: a dynamically imported module is a record of unknown exports.
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

/**
 * The plugins a project configuration names (`plugins: ['@acme/kpis', './kpis/nps.ts']`): package
 * names resolve from the config's directory (the project's node_modules), paths from the config
 * file, TypeScript through jiti. Unlike the built-in packages, a configured plugin that fails to
 * load or exports no plugin is an input error naming the entry: the user asked for it.
 *
 * @example
 * const plugins = await loadConfiguredPlugins(['./kpis.ts'], '/app/rapport.config.ts');
 */
export async function loadConfiguredPlugins(
  entries: readonly string[],
  configFile: string,
): Promise<AnyRapportPlugin[]> {
  const jiti = createJiti(pathToFileURL(configFile).href, { moduleCache: false });
  const directory = configFile.slice(0, Math.max(configFile.lastIndexOf('/'), 0)) || '.';
  const plugins: AnyRapportPlugin[] = [];
  for (const entry of entries) {
    let module: unknown;
    try {
      module = await jiti.import(pluginSpecifier(entry, directory));
    } catch (error) {
      const firstLine = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new InputError(`${configFile}: plugins: ${entry} failed to load: ${firstLine}`);
    }
    const values = typeof module === 'object' && module !== null ? Object.values(module) : [module];
    const found = values.filter(isPlugin);
    if (found.length === 0) {
      throw new InputError(`${configFile}: plugins: ${entry} exports no plugin (definePlugin)`);
    }
    plugins.push(...found);
  }
  return plugins;
}
