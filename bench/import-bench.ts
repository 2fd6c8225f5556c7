import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyDatabase } from '@rapport/core';
import { createCrm } from '@rapport/core';
import { unscopedDatabase } from '@rapport/core/storage';
import { sqliteStorage } from '@rapport/sqlite';
import { type GeneratedOpportunity, generateCrmRows } from '@rapport/testing';
import Database from 'better-sqlite3';
import { CamelCasePlugin, Kysely } from 'kysely';
import { now, percentile } from './bench-stats.js';
import { benchNow, benchTenant, createSchema, generatorOptions, RawInserter } from './dataset.js';

/** A fresh database with the tenant's users, accounts, products and campaigns, and the opportunities to import. */
export async function prepareTarget(
  file: string,
  opportunities: number,
  seed: number,
): Promise<GeneratedOpportunity[]> {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  const pipelineId = await createSchema(file);
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  const inserter = new RawInserter(database);
  const rows: GeneratedOpportunity[] = [];
  const insert = database.transaction((table: string, batch: readonly object[]) => {
    for (const row of batch) inserter.insert(table, row);
  });
  for (const batch of generateCrmRows(generatorOptions(opportunities, pipelineId, seed))) {
    if (batch.table === 'opportunities') rows.push(...batch.rows);
    else if (['teams', 'users', 'accounts', 'products', 'campaigns'].includes(batch.table))
      insert(batch.table, batch.rows);
    else if (batch.table === 'leads') break;
  }
  database.pragma('wal_checkpoint(TRUNCATE)');
  database.close();
  return rows;
}

/** The first opportunity of a benchmark database, as the generator made it (camelCase). */
async function firstOpportunity(file: string): Promise<GeneratedOpportunity> {
  const db = new Kysely<AnyDatabase>({
    dialect: sqliteStorage({ filename: file }).dialect,
    plugins: [new CamelCasePlugin()],
  });
  try {
    const row = await db
      .selectFrom('opportunities')
      .selectAll()
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    if (!row) throw new Error(`${file} has no opportunity`);
    return row as GeneratedOpportunity; // a row the generator wrote, read back with its columns
  } finally {
    await db.destroy();
  }
}

/** What the engine receives for a generated opportunity: the fields a CSV import would carry. */
export function engineInput(row: GeneratedOpportunity) {
  return {
    externalId: row.id,
    name: row.name,
    accountId: row.accountId,
    ownerId: row.ownerId,
    pipelineId: row.pipelineId,
    stage: row.stage,
    amount: row.amount,
    currency: row.currency,
    openDate: row.openDate,
    closeDate: row.closeDate,
    type: row.type,
    leadSource: row.leadSource,
    campaignId: row.campaignId,
    nextStep: row.nextStep,
    lostReason: row.lostReason,
  };
}

/** The first stage history row the engine writes for a new opportunity, for the raw path. */
export function historyRow(row: GeneratedOpportunity): Record<string, unknown> {
  return {
    tenantId: row.tenantId,
    id: `${row.id}-h0`,
    version: 1,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    updatedAt: row.createdAt,
    updatedBy: row.createdBy,
    externalId: null,
    custom: null,
    opportunityId: row.id,
    stage: row.stage,
    previousStage: null,
    status: row.status,
    amount: row.amount,
    previousAmount: null,
    currency: row.currency,
    probability: row.probability,
    previousProbability: null,
    forecastCategory: row.forecastCategory,
    closeDate: row.closeDate,
    previousCloseDate: null,
  };
}

/** Import throughput (rows per second) of the engine path and of raw prepared inserts. */
export interface ImportResult {
  readonly engineRows: number;
  readonly engineMs: number;
  readonly engineRowsPerSecond: number;
  readonly rawRows: number;
  readonly rawMs: number;
  readonly rawRowsPerSecond: number;
  /** Raw inserts of the opportunities only (no history row). */
  readonly rawOpportunitiesOnlyMs: number;
  readonly rawOpportunitiesOnlyRowsPerSecond: number;
}

/**
 * Import: the engine's bulk path (`upsertMany` by external id, one transaction per `batchSize` rows, so validation,
 * reference checks, hooks, stage history and events all run) on `engineRows` opportunities,
 * against raw prepared inserts of `rawRows` opportunities with the same stage history row, in
 * one transaction. Each into a fresh database with the same users, accounts and campaigns.
 */
export async function importBench(
  dataDir: string,
  rawRows: number,
  engineRows: number,
  seed: number,
  batchSize = 1000,
): Promise<ImportResult> {
  const rawFile = join(dataDir, 'import-raw.sqlite');
  const engineFile = join(dataDir, 'import-engine.sqlite');
  const rows = await prepareTarget(rawFile, rawRows, seed);
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${engineFile}${suffix}`, { force: true });
  copyFileSync(rawFile, engineFile);
  const raw = new Database(rawFile);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  const inserter = new RawInserter(raw);
  let start = now();
  raw.transaction(() => {
    for (const row of rows) {
      inserter.insert('opportunities', row);
      inserter.insert('stageHistory', historyRow(row));
    }
  })();
  const rawMs = now() - start;
  raw.exec('delete from stage_history; delete from opportunities;');
  start = now();
  raw.transaction(() => {
    for (const row of rows) inserter.insert('opportunities', row);
  })();
  const rawOpportunitiesOnlyMs = now() - start;
  raw.close();

  const sample = rows.slice(0, engineRows);
  const crm = createCrm({ storage: sqliteStorage({ filename: engineFile }), now: () => benchNow });
  let events = 0;
  crm.events.on('record.created', () => {
    events++;
  });
  const scope = crm.tenant(benchTenant.id).system();
  start = now();
  for (let from = 0; from < sample.length; from += batchSize) {
    const batch = sample.slice(from, from + batchSize);
    // The bulk path: one transaction per batch, upsert by external id.
    await scope.opportunities.upsertMany(batch.map(engineInput) as never);
  }
  const engineMs = now() - start;
  await crm.destroy();
  if (events < sample.length)
    throw new Error(`import: ${events} created events for ${sample.length} rows`);
  for (const file of [rawFile, engineFile])
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  return {
    engineRows: sample.length,
    engineMs,
    engineRowsPerSecond: (sample.length / engineMs) * 1000,
    rawRows: rows.length,
    rawMs,
    rawRowsPerSecond: (rows.length / rawMs) * 1000,
    rawOpportunitiesOnlyMs,
    rawOpportunitiesOnlyRowsPerSecond: (rows.length / rawOpportunitiesOnlyMs) * 1000,
  };
}

/** Latency percentiles of single creates, in milliseconds. */
export interface CreateResult {
  readonly runs: number;
  readonly engineP50: number;
  readonly engineP99: number;
  readonly rawP50: number;
  readonly rawP99: number;
}

/**
 * A single create through the engine (`scope.opportunities.create`: its own transaction,
 * validation, history row, event) against a raw kysely insert of the same opportunity row, on a
 * database with the tenant's base data. Alternating, after a warm-up.
 */
export async function createBench(
  dataDir: string,
  runs: number,
  seed: number,
  baseFile?: string,
): Promise<CreateResult> {
  const file = join(dataDir, 'create.sqlite');
  let template: GeneratedOpportunity;
  if (baseFile) {
    // On a copy of the benchmark database: the indexes a create maintains are as large as they are
    // in use, not those of a nearly empty file.
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
    copyFileSync(baseFile, file);
    template = await firstOpportunity(file);
  } else {
    const [first] = await prepareTarget(file, 1000, seed);
    if (!first) throw new Error('the generator made no opportunity');
    template = first;
  }
  const storage = sqliteStorage({ filename: file });
  const crm = createCrm({ storage, now: () => benchNow });
  const scope = crm.tenant(benchTenant.id).system();
  // The engine's own connection: both sides write through the same handle.
  const db = unscopedDatabase(crm);
  const engine: number[] = [];
  const raw: number[] = [];
  const warmup = Math.min(200, runs);
  for (let i = 0; i < runs + warmup; i++) {
    let start = now();
    await scope.opportunities.create({ ...engineInput(template), externalId: `e-${i}` } as never);
    const engineMs = now() - start;
    start = now();
    // The same work as the engine's two statements: the opportunity and its first history row.
    const row = { ...template, id: `r-${i}`, externalId: `r-${i}` };
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('opportunities').values(row).execute();
      await trx.insertInto('stageHistory').values(historyRow(row)).execute();
    });
    const rawMs = now() - start;
    if (i >= warmup) {
      engine.push(engineMs);
      raw.push(rawMs);
    }
  }
  await crm.destroy();
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  return {
    runs,
    engineP50: percentile(engine, 50),
    engineP99: percentile(engine, 99),
    rawP50: percentile(raw, 50),
    rawP99: percentile(raw, 99),
  };
}
