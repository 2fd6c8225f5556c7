import {
  CamelCasePlugin,
  type Expression,
  Kysely,
  type SqlBool,
  sql,
  type Transaction,
} from 'kysely';
import { RapportError } from '../errors/rapport-error.js';
import { runMigrations } from '../migrations/run-migrations.js';
import type { AnyDatabase } from '../storage/migration-context.js';
import type { RapportStorage } from '../storage/storage-adapter.js';

/**
 * One table that {@link copyStorage} copies: its name as in TypeScript (camelCase), its primary
 * key (the order rows are read in), its JSON columns and the columns that reference rows of the
 * same table.
 *
 * @example
 * const npsScores: CopiedTable = { table: 'npsScores', key: ['tenantId', 'id'], json: ['custom'] };
 */
export interface CopiedTable {
  /** The table, camelCase like every table name in Rapport's TypeScript. */
  readonly table: string;
  /** The primary key columns. */
  readonly key: readonly string[];
  /** JSON columns: read with the source's `parseJson`, written with the target's `jsonParameter`. */
  readonly json?: readonly string[];
  /**
   * Columns that reference the same table (a user's manager, a parent account). They are
   * written as null first and set once every row of the table is in, so row order never matters.
   */
  readonly selfReferences?: readonly string[];
}

const record = (table: string, selfReferences: readonly string[] = []): CopiedTable => ({
  table,
  key: ['tenantId', 'id'],
  json: table === 'pipelines' ? ['custom', 'stages'] : ['custom'],
  selfReferences,
});

/**
 * Core's tables in foreign-key order: every table comes after the tables it references.
 *
 * @example
 * coreTables.map((t) => t.table); // ['tenants', 'exchangeRates', 'teams', 'users', ...]
 */
export const coreTables: readonly CopiedTable[] = [
  { table: 'tenants', key: ['id'] },
  { table: 'exchangeRates', key: ['tenantId', 'currency'] },
  record('teams'),
  record('users', ['managerId']),
  record('accounts', ['parentId']),
  record('contacts'),
  record('campaigns'),
  record('products'),
  record('pipelines'),
  record('opportunities'),
  record('opportunityLineItems'),
  record('leads'),
  record('activities'),
  record('stageHistory'),
  record('quotas'),
  record('contracts', ['renewalOfId']),
  { table: 'sharingSettings', key: ['tenantId'] },
  // Rollups are derived, but exact: copied as they are, a copy reads them as the source does.
  {
    table: 'rollupCells',
    key: ['tenantId', 'rollup', 'bucket', 'ownerId', 'currency', 'groupKey'],
  },
  { table: 'rollupBuilds', key: ['tenantId', 'rollup'] },
];

/**
 * A storage, or an engine over one (its plugins' migrations then run on the target too).
 *
 * @example
 * const from: CopyEndpoint = sqliteStorage({ filename: 'crm.sqlite' });
 * const to: CopyEndpoint = createCrm({ storage: postgresStorage({ connectionString }), plugins });
 */
export type CopyEndpoint =
  | RapportStorage
  | { readonly storage: RapportStorage; migrate(): Promise<unknown> };

/**
 * Options of {@link copyStorage}.
 *
 * @example
 * const options: CopyStorageOptions = { batchSize: 1000, onProgress: (p) => console.log(p) };
 */
export interface CopyStorageOptions {
  /** Rows per read and per INSERT (default 500; fewer when a table has many columns). */
  readonly batchSize?: number;
  /**
   * Copy into a target that has rows: they are deleted first, in the same transaction as the
   * copy. Without it, a non-empty target is refused with CONFLICT and left as it was.
   */
  readonly replace?: boolean;
  /** Plugin tables to copy after core's, in foreign-key order. */
  readonly extraTables?: readonly CopiedTable[];
  /** Called after each batch with the table and the rows copied into it so far. */
  readonly onProgress?: (progress: { readonly table: string; readonly rows: number }) => void;
}

/**
 * What {@link copyStorage} copied.
 *
 * @example
 * const report: CopyStorageReport = { tables: [{ table: 'tenants', rows: 1 }], rows: 1 };
 */
export interface CopyStorageReport {
  /** Rows per table, in the order they were copied. */
  readonly tables: readonly { readonly table: string; readonly rows: number }[];
  /** All rows. */
  readonly rows: number;
}

// One INSERT binds at most this many values: under SQLite's 32,766 and Postgres' 65,535.
const maxParameters = 30_000;

function storageOf(endpoint: CopyEndpoint): RapportStorage {
  return 'migrate' in endpoint ? endpoint.storage : endpoint;
}

/**
 * A kysely instance over a storage that may be shared with a live engine. It is never
 * destroyed here: that would close the engine's connection or pool, which belongs to the caller.
 */
function databaseOf(storage: RapportStorage): Kysely<AnyDatabase> {
  return new Kysely<AnyDatabase>({ dialect: storage.dialect, plugins: [new CamelCasePlugin()] });
}

/** Rows strictly after `last` in key order: (k1 > v1) or (k1 = v1 and k2 > v2) or ... */
function afterKey(
  key: readonly string[],
  last: Readonly<Record<string, unknown>>,
): Expression<SqlBool> {
  const alternatives = key.map((column, index) => {
    const equal = key
      .slice(0, index)
      .map((previous) => sql`${sql.ref(previous)} = ${last[previous]}`);
    return sql.join([...equal, sql`${sql.ref(column)} > ${last[column]}`], sql` and `);
  });
  return sql<SqlBool>`(${sql.join(
    alternatives.map((alternative) => sql`(${alternative})`),
    sql` or `,
  )})`;
}

async function copyTable(
  source: Transaction<AnyDatabase>,
  target: Transaction<AnyDatabase>,
  spec: CopiedTable,
  storages: { readonly source: RapportStorage; readonly target: RapportStorage },
  options: CopyStorageOptions,
): Promise<number> {
  const json = new Set(spec.json ?? []);
  const selfReferences = spec.selfReferences ?? [];
  const deferred: Record<string, unknown>[] = [];
  const batchSize = Math.max(1, options.batchSize ?? 500);
  let copied = 0;
  let last: Record<string, unknown> | undefined;
  for (;;) {
    let query = source.selectFrom(spec.table).selectAll();
    if (last) query = query.where(afterKey(spec.key, last));
    for (const column of spec.key) query = query.orderBy(column);
    const rows: Record<string, unknown>[] = await query.limit(batchSize).execute();
    if (rows.length === 0) break;
    last = rows[rows.length - 1];
    const values = rows.map((row) => {
      const value: Record<string, unknown> = {};
      for (const [column, cell] of Object.entries(row)) {
        value[column] =
          json.has(column) && cell != null
            ? storages.target.sql.jsonParameter(storages.source.sql.parseJson(cell))
            : cell;
      }
      const pending = selfReferences.filter((column) => value[column] != null);
      if (pending.length > 0) {
        const keyAndReferences: Record<string, unknown> = {};
        for (const column of [...spec.key, ...pending]) keyAndReferences[column] = value[column];
        deferred.push(keyAndReferences);
        for (const column of pending) value[column] = null;
      }
      return value;
    });
    const columns = Object.keys(values[0] ?? {}).length || 1;
    const perInsert = Math.max(1, Math.min(batchSize, Math.floor(maxParameters / columns)));
    for (let start = 0; start < values.length; start += perInsert) {
      await target
        .insertInto(spec.table)
        .values(values.slice(start, start + perInsert))
        .execute();
    }
    copied += rows.length;
    options.onProgress?.({ table: spec.table, rows: copied });
    if (rows.length < batchSize) break;
  }
  for (const row of deferred) {
    const references: Record<string, unknown> = {};
    for (const column of selfReferences) if (column in row) references[column] = row[column];
    let update = target.updateTable(spec.table).set(references);
    for (const column of spec.key) update = update.where(column, '=', row[column]);
    await update.execute();
  }
  return copied;
}

/**
 * Copies every row of a Rapport database into another storage, for instance from the SQLite
 * file a team started with into PostgreSQL: tenants, exchange rates and every record table in
 * foreign-key order, with ids, versions and timestamps as they are. The target is migrated
 * first, and the copy runs in one target transaction: it lands whole or not at all. The source
 * is read in one transaction too, so it should not be written while the copy runs.
 *
 * Storages passed in stay open; close them (or the engines over them) afterwards.
 *
 * @example
 * import { copyStorage, createCrm } from '@rapport/core';
 * import { postgresStorage } from '@rapport/postgres';
 * import { sqliteStorage } from '@rapport/sqlite';
 *
 * const from = createCrm({ storage: sqliteStorage({ filename: 'crm.sqlite' }) });
 * const to = createCrm({ storage: postgresStorage({ connectionString: process.env.DATABASE_URL }) });
 * const report = await copyStorage(from, to);
 * console.log(`${report.rows} rows copied`);
 * await Promise.all([from.destroy(), to.destroy()]);
 */
export async function copyStorage(
  source: CopyEndpoint,
  target: CopyEndpoint,
  options: CopyStorageOptions = {},
): Promise<CopyStorageReport> {
  const storages = { source: storageOf(source), target: storageOf(target) };
  if (storages.source === storages.target || storages.source.dialect === storages.target.dialect) {
    throw new RapportError('UNSUPPORTED', 'copyStorage needs two different storages');
  }
  const tables = [...coreTables, ...(options.extraTables ?? [])];
  const sourceDb = databaseOf(storages.source);
  const targetDb = databaseOf(storages.target);
  if ('migrate' in target) {
    await target.migrate();
  } else {
    // Core's migrations, as an engine without plugins would run them.
    await storages.target.onOpen?.();
    await runMigrations(targetDb, storages.target, []);
  }

  return targetDb.transaction().execute(async (targetTx) => {
    const occupied: string[] = [];
    for (const { table } of tables) {
      if (await targetTx.selectFrom(table).select(sql`1`.as('one')).limit(1).executeTakeFirst()) {
        occupied.push(table);
      }
    }
    if (occupied.length > 0 && !options.replace) {
      throw new RapportError(
        'CONFLICT',
        `the target is not empty (${occupied.join(', ')} have rows); pass replace: true to overwrite it`,
      );
    }
    for (const { table } of [...tables].reverse()) {
      if (occupied.includes(table)) await targetTx.deleteFrom(table).execute();
    }
    const copied: { table: string; rows: number }[] = [];
    await sourceDb
      .transaction()
      // A snapshot where the dialect has one (Postgres); SQLite's read transaction is one.
      .setIsolationLevel('repeatable read')
      .execute(async (sourceTx) => {
        for (const spec of tables) {
          const rows = await copyTable(sourceTx, targetTx, spec, storages, options);
          copied.push({ table: spec.table, rows });
        }
      });
    return { tables: copied, rows: copied.reduce((sum, table) => sum + table.rows, 0) };
  });
}
