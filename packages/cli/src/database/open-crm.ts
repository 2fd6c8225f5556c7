import { existsSync } from 'node:fs';
import { auditPlugin } from '@rapport/audit';
import { type AnyRapportPlugin, type Crm, createCrm } from '@rapport/core';
import { type AnyDatabase, type RapportStorage, unscopedDatabase } from '@rapport/core/storage';
import { httpPlugin } from '@rapport/http';
import { postgresStorage } from '@rapport/postgres';
import { sqliteStorage } from '@rapport/sqlite';
import type { Kysely } from 'kysely';
import { customFieldSchemas } from '../config/custom-field-schemas.js';
import type { LoadedConfig } from '../config/load-config.js';
import { InputError } from '../errors/cli-errors.js';
import { isPostgresUrl } from './database-location.js';
import { loadConfiguredPlugins, loadKpiPlugins } from './kpi-plugins.js';

/** Options of {@link openCrm}. */
export interface OpenCrmOptions {
  /** Fail with a clear message when a SQLite file does not exist yet (reading commands). */
  readonly mustExist?: boolean;
  /** Run pending migrations first (writing commands). */
  readonly migrate?: boolean;
  /** The project configuration: its custom fields and its plugins (after the built-in ones). */
  readonly config?: LoadedConfig | undefined;
}

/**
 * An open engine with the installed KPI plugins, and what tools beside the engine need.
 *
 * @example
 * const opened = await openCrm('rapport-demo.sqlite', { migrate: true });
 * try {
 *   await opened.crm.tenant('demo').system().opportunities.count();
 * } finally {
 *   await opened.close();
 * }
 */
export interface OpenedCrm {
  readonly crm: Crm<readonly AnyRapportPlugin[]>;
  readonly storage: RapportStorage;
  readonly location: string;
  /**
   * The engine's own kysely instance, unscoped, for raw batched inserts of generated data (the
   * demo's generator); the same connection as the engine, not a second driver on the file.
   */
  rawDatabase(): Kysely<AnyDatabase>;
  close(): Promise<void>;
}

/**
 * Opens the engine on a SQLite file or a PostgreSQL URL, with every installed KPI plugin.
 *
 * @example
 * const { crm, close } = await openCrm(databaseLocation(options.db));
 */
export async function openCrm(location: string, options: OpenCrmOptions = {}): Promise<OpenedCrm> {
  if (
    !isPostgresUrl(location) &&
    options.mustExist &&
    location !== ':memory:' &&
    !existsSync(location)
  ) {
    throw new InputError(
      `database ${location} not found (run \`rapport demo\` or \`rapport migrate --db ${location}\`)`,
    );
  }
  const storage = openStorage(location);
  // Plugins are passed as found at run time; the CLI reads KPIs through a checked view.
  // The http plugin too: a database `rapport serve` has migrated knows its migration, and every
  // command must open it. The audit plugin always: every write of every command (imports,
  // history imports, lead conversions) leaves its trail, labelled `cli`.
  const crm = createCrm({
    storage,
    plugins: withAudit([httpPlugin, ...(await projectPlugins(options.config))], 'cli'),
    fields: customFieldSchemas(options.config?.config.fields),
    rollups: options.config?.config.rollups ?? true,
  });
  if (options.migrate) await crm.migrate();
  return {
    crm,
    storage,
    location,
    rawDatabase: () => unscopedDatabase(crm),
    close: () => crm.destroy(),
  };
}

/**
 * The plugins with the audit plugin (writes labelled `source`), unless one is there already (a
 * project config may configure its own).
 *
 * @example
 * createCrm({ storage, plugins: withAudit([httpPlugin, ...kpiPlugins], 'api') });
 */
export function withAudit(plugins: AnyRapportPlugin[], source: string): AnyRapportPlugin[] {
  return plugins.some((plugin) => plugin.id === 'audit')
    ? plugins
    : [...plugins, auditPlugin({ source })];
}

/**
 * The storage at a location: a `postgres://` URL (an optional `schema` query parameter selects
 * the schema, created when missing) or a SQLite file.
 *
 * @example
 * openStorage('postgres://postgres@127.0.0.1:5432/test?schema=crm');
 */
export function openStorage(location: string): RapportStorage {
  if (!isPostgresUrl(location)) return sqliteStorage({ filename: location });
  const url = new URL(location);
  const schema = url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  return postgresStorage({
    connectionString: url.toString(),
    max: 4,
    ...(schema === undefined ? {} : { schema }),
  });
}

/**
 * The KPI plugins of a command: the installed built-in packages, then the config's plugins (a
 * plugin id already loaded is not loaded twice, so a config may name a built-in package).
 *
 * @example
 * const plugins = await projectPlugins(loaded);
 */
export async function projectPlugins(
  config: LoadedConfig | undefined,
): Promise<AnyRapportPlugin[]> {
  const plugins = await loadKpiPlugins();
  const entries = config?.config.plugins ?? [];
  if (!config || entries.length === 0) return plugins;
  const ids = new Set(plugins.map((p) => p.id));
  for (const plugin of await loadConfiguredPlugins(entries, config.file)) {
    if (!ids.has(plugin.id)) {
      ids.add(plugin.id);
      plugins.push(plugin);
    }
  }
  return plugins;
}
