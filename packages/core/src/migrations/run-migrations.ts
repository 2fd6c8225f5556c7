import { type Kysely, type Migration, type MigrationResult, Migrator } from 'kysely';
import type {
  AnyDatabase,
  MigrationContext,
  RapportMigration,
} from '../storage/migration-context.js';
import type { RapportStorage } from '../storage/storage-adapter.js';
import { coreMigrations } from './core-migrations.js';

/** @internal What migrations need of a plugin (structural, so storage code need not know plugins). */
export interface MigratingPlugin {
  readonly id: string;
  readonly migrations?: Readonly<Record<string, RapportMigration>>;
}

/**
 * What `crm.migrate()` did.
 *
 * @example
 * const { applied } = await crm.migrate(); // ['core:0001-init', 'plugin:acme-nps:0001-nps']
 */
export interface MigrationReport {
  /** Names of the migrations this call applied, in order. */
  readonly applied: readonly string[];
}

/** @internal Runs core's and every plugin's pending migrations with kysely's Migrator. */
export async function runMigrations(
  db: Kysely<AnyDatabase>,
  storage: RapportStorage,
  plugins: readonly MigratingPlugin[],
): Promise<MigrationReport> {
  const context: MigrationContext = {
    types: storage.types,
    sql: storage.sql,
    dialect: storage.name,
  };
  const migrations: Record<string, Migration> = {};
  for (const [name, migration] of Object.entries(coreMigrations)) {
    migrations[`core:${name}`] = { up: (inner) => migration.up(inner, context) };
  }
  for (const plugin of plugins) {
    for (const [name, migration] of Object.entries(plugin.migrations ?? {})) {
      const down = migration.down;
      migrations[`plugin:${plugin.id}:${name}`] = {
        up: (inner) => migration.up(inner, context),
        ...(down
          ? { down: (inner: Kysely<AnyDatabase>) => down.call(migration, inner, context) }
          : {}),
      };
    }
  }
  // Migrations a database ran for plugins this engine does not load (a tool that opens it with
  // fewer plugins, a plugin removed) stay recorded; kysely would call them missing and refuse to
  // run anything, so they are listed as already done.
  for (const name of await executedMigrations(db)) {
    migrations[name] ??= { up: async () => {} };
  }
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    // Plugins added later bring migrations that sort before ones already run.
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return {
    applied: (results ?? [])
      .filter((r: MigrationResult) => r.status === 'Success')
      .map((r) => r.migrationName),
  };
}

/** The names of the migrations the database has run; none before the first migration. */
async function executedMigrations(db: Kysely<AnyDatabase>): Promise<string[]> {
  try {
    const rows = await db.selectFrom('kysely_migration').select('name').execute();
    return rows.map((row) => String(row.name));
  } catch {
    // No migration table yet: a new database.
    return [];
  }
}
