import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AnyRapportPlugin, createCrm } from '@rapport/core';
import { refreshKeptValues, unscopedDatabase } from '@rapport/core/storage';
import { sqliteStorage } from '@rapport/sqlite';
import {
  type GeneratedBatch,
  type GeneratedOpportunity,
  type GeneratorOptions,
  generateCrmRows,
} from '@rapport/testing';
import Database from 'better-sqlite3';

/** The tenant every benchmark row belongs to. */
export const benchTenant = { id: 'bench', name: 'Bench GmbH', timeZone: 'Europe/Berlin' } as const;

/** The generator's history ends on 2026-12-31: the engine's clock is pinned to that day. */
export const benchNow = new Date('2026-12-31T12:00:00.000Z');

// Bump when the generated rows or the loading change, so cached databases are rebuilt.
const datasetVersion = 2;

/** A generated database file with what it holds and what it took to make. */
export interface Dataset {
  readonly file: string;
  readonly opportunities: number;
  readonly rows: Readonly<Record<string, number>>;
  readonly generateAndLoadMs: number;
  readonly bytes: number;
  readonly reused: boolean;
}

/** `stageHistory` -> `stage_history`, as kysely's CamelCasePlugin maps names. */
export function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Creates a database with core's schema and the bench tenant; returns its default pipeline id. */
export async function createSchema(file: string): Promise<string> {
  const crm = createCrm({ storage: sqliteStorage({ filename: file }), now: () => benchNow });
  await crm.migrate();
  const tenant = await crm.ensureTenant(benchTenant);
  await crm.destroy();
  if (!tenant.defaultPipelineId) throw new Error('the bench tenant has no default pipeline');
  return tenant.defaultPipelineId;
}

/** What bringing a cached database up to date did. */
export interface MigratedDataset {
  /** Migrations applied now (empty when the file was up to date). */
  readonly applied: readonly string[];
  /** Indexes that had no planner statistics and were analyzed. */
  readonly analyzed: readonly string[];
}

/**
 * Applies core's and the plugins' pending migrations to a (cached) benchmark database, once,
 * before anything is timed: the hand-written SQL reads the same file, so it sees the same
 * indexes as Rapport. Indexes a migration added have no statistics yet (the generated file was
 * analyzed when it was built), so they are analyzed, as on a freshly generated database.
 */
export async function migrateDataset(
  file: string,
  plugins: readonly AnyRapportPlugin[],
): Promise<MigratedDataset> {
  const crm = createCrm({
    storage: sqliteStorage({ filename: file }),
    plugins,
    now: () => benchNow,
  });
  const { applied } = await crm.migrate();
  await crm.destroy();
  if (applied.length === 0) return { applied, analyzed: [] };
  const database = new Database(file);
  try {
    const hasStats = database
      .prepare("select 1 from sqlite_master where type = 'table' and name = 'sqlite_stat1'")
      .get();
    const indexes = database
      .prepare(
        `select name from sqlite_master where type = 'index' and sql is not null and tbl_name not like 'kysely%'${
          hasStats ? ' and name not in (select idx from sqlite_stat1 where idx is not null)' : ''
        }`,
      )
      .pluck()
      .all() as string[];
    for (const name of indexes) database.exec(`analyze "${name}"`);
    database.pragma('wal_checkpoint(TRUNCATE)');
    return { applied, analyzed: indexes };
  } finally {
    database.close();
  }
}

type Row = Readonly<Record<string, unknown>>;

/**
 * Raw prepared inserts on better-sqlite3, one statement per table (columns from the first row).
 * What "raw" means in this benchmark: no validation, hooks, events or history.
 */
export class RawInserter {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly database: Database.Database) {}

  insert(table: string, row: object): void {
    let statement = this.statements.get(table);
    if (!statement) {
      const columns = Object.keys(row);
      statement = this.database.prepare(
        `insert into ${snake(table)} (${columns.map(snake).join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`,
      );
      this.statements.set(table, statement);
    }
    statement.run(row);
  }
}

/** One line item per opportunity (its product, the whole amount), so "by product" has data. */
function lineItemOf(
  opportunity: GeneratedOpportunity,
  productIds: ReadonlyMap<string, string>,
): Row | undefined {
  const { amount, name } = opportunity;
  // The generator names a deal "<company> - <product>".
  const productId = productIds.get(name.slice(name.lastIndexOf(' - ') + 3));
  if (amount === null || !productId) return undefined;
  return {
    tenantId: opportunity.tenantId,
    id: `${opportunity.id}-li0`,
    version: 1,
    createdAt: opportunity.createdAt,
    createdBy: opportunity.createdBy,
    updatedAt: opportunity.createdAt,
    updatedBy: opportunity.createdBy,
    externalId: `${opportunity.id}-li0`,
    custom: null,
    opportunityId: opportunity.id,
    productId,
    quantity: 1,
    unitPrice: amount,
    discount: 0,
    totalPrice: amount,
    currency: opportunity.currency,
  };
}

/**
 * The values the engine keeps at write time (stage exits, first activities, main products),
 * computed once for rows loaded below it, as its own writes would have: Rapport and the
 * hand-written sides read the same kept columns.
 */
async function keepValues(file: string): Promise<void> {
  const crm = createCrm({ storage: sqliteStorage({ filename: file }), now: () => benchNow });
  try {
    await unscopedDatabase(crm)
      .transaction()
      .execute((trx) => refreshKeptValues(trx, { tenantId: benchTenant.id }));
  } finally {
    await crm.destroy();
  }
}

/** Generator options of a benchmark size: 2 leads per opportunity (the generator's default). */
export function generatorOptions(
  opportunities: number,
  pipelineId: string,
  seed: number,
): GeneratorOptions {
  return { tenantId: benchTenant.id, pipelineId, seed, opportunities, batchSize: 2000 };
}

/**
 * The benchmark database of a size: generated with the seeded generator and loaded with raw
 * prepared inserts (foreign keys off while loading: the generator's rows reference earlier rows
 * only), plus one line item per opportunity. Cached in bench/data by size, seed and version.
 */
export async function ensureDataset(
  dataDir: string,
  opportunities: number,
  seed: number,
  log: (line: string) => void,
  fresh = false,
): Promise<Dataset> {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, `crm-${opportunities}-s${seed}-v${datasetVersion}.sqlite`);
  const marker = `${file}.json`;
  if (!fresh && existsSync(file) && existsSync(marker)) {
    const saved = JSON.parse(readFileSync(marker, 'utf8')) as Omit<Dataset, 'reused'>;
    return { ...saved, reused: true };
  }
  for (const suffix of ['', '-wal', '-shm', '.json']) rmSync(`${file}${suffix}`, { force: true });
  const start = performance.now();
  const pipelineId = await createSchema(file);
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = OFF');
  database.pragma('foreign_keys = OFF');
  database.pragma('cache_size = -262144');
  // Secondary indexes are built once after loading: maintaining a dozen B-trees row by row is
  // most of the load time at 1,000,000 opportunities. Their DDL is kept and replayed unchanged.
  const indexes = database
    .prepare(
      "select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name not like 'kysely%'",
    )
    .all() as { name: string; sql: string }[];
  for (const index of indexes) database.exec(`drop index "${index.name}"`);
  const inserter = new RawInserter(database);
  const rows: Record<string, number> = {};
  const productIds = new Map<string, string>();
  const insertBatch = database.transaction((batch: GeneratedBatch) => {
    for (const row of batch.rows) inserter.insert(batch.table, row);
    rows[batch.table] = (rows[batch.table] ?? 0) + batch.rows.length;
    if (batch.table === 'products') for (const p of batch.rows) productIds.set(p.name, p.id);
    if (batch.table === 'opportunities') {
      for (const opportunity of batch.rows) {
        const item = lineItemOf(opportunity, productIds);
        if (!item) continue;
        inserter.insert('opportunityLineItems', item);
        rows.opportunityLineItems = (rows.opportunityLineItems ?? 0) + 1;
      }
    }
  });
  let nextLog = performance.now() + 15_000;
  for (const batch of generateCrmRows(generatorOptions(opportunities, pipelineId, seed))) {
    insertBatch(batch);
    if (performance.now() > nextLog) {
      nextLog += 15_000;
      log(`  loading ${opportunities}: ${JSON.stringify(rows)}`);
    }
  }
  log(`  loading ${opportunities}: rows in; building ${indexes.length} indexes`);
  for (const index of indexes) database.exec(index.sql);
  database.exec('analyze');
  database.pragma('wal_checkpoint(TRUNCATE)');
  database.close();
  log(`  loading ${opportunities}: computing the values the engine keeps at write time`);
  await keepValues(file);
  const generateAndLoadMs = performance.now() - start;
  const bytes = statSync(file).size;
  const dataset = { file, opportunities, rows, generateAndLoadMs, bytes };
  writeFileSync(marker, JSON.stringify(dataset, null, 2));
  return { ...dataset, reused: false };
}
