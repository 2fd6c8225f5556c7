import { existsSync } from 'node:fs';
import {
  type AnyDatabase,
  type AnyRapportPlugin,
  type Crm,
  createCrm,
  type RapportStorage,
} from '@rapport/core';
import { httpPlugin } from '@rapport/http';
import { postgresStorage } from '@rapport/postgres';
import { sqliteStorage } from '@rapport/sqlite';
import { CamelCasePlugin, Kysely } from 'kysely';
import { InputError } from '../errors/cli-errors.js';
import { isPostgresUrl } from './database-location.js';
import { loadKpiPlugins } from './kpi-plugins.js';

/** Options of {@link openCrm}. */
export interface OpenCrmOptions {
  /** Fail with a clear message when a SQLite file does not exist yet (reading commands). */
  readonly mustExist?: boolean;
  /** Run pending migrations first (writing commands). */
  readonly migrate?: boolean;
}

/**
 * An open engine with the installed KPI plugins, and what tools beside the engine need.
 *
 * @example
 * const opened = await openCrm('rapport-demo.sqlite', { migrate: true });
 * try { ... } finally { await opened.close(); }
 */
export interface OpenedCrm {
  readonly crm: Crm<readonly AnyRapportPlugin[]>;
  readonly storage: RapportStorage;
  readonly location: string;
  /** A kysely instance over the same storage, for raw batched inserts (the generator). */
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
  // command must open it.
  const crm = createCrm({ storage, plugins: [httpPlugin, ...(await loadKpiPlugins())] });
  if (options.migrate) await crm.migrate();
  let raw: Kysely<AnyDatabase> | undefined;
  return {
    crm,
    storage,
    location,
    rawDatabase: () => {
      raw ??= new Kysely<AnyDatabase>({
        dialect: storage.dialect,
        plugins: [new CamelCasePlugin()],
      });
      return raw;
    },
    close: () => crm.destroy(),
  };
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
