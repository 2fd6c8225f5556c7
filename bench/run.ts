/**
 * `npm run bench`: Rapport's KPI dashboard, import and single create, side by side with the
 * floor (hand-written SQL on the same SQLite file), the ceiling (DuckDB over the same rows) and
 * the naive way (rows into JavaScript), at two sizes; prints a table and writes bench/results.md.
 * See bench/README.md.
 */
import { writeFileSync } from 'node:fs';
import { type Crm, createCrm } from '@rapport/core';
import { httpPlugin } from '@rapport/http';
import Database from 'better-sqlite3';
import { parseBenchOptions } from './bench-options.js';
import { benchRanges, moneyFactors } from './bench-period.js';
import { collectGarbage, median, now } from './bench-stats.js';
import { coldRun, type ProbeOutcome, probeKpis } from './child-process.js';
import type { ColdResult } from './child-runs.js';
import {
  compareFigures,
  type Figures,
  figuresFromMeasures,
  handWrittenKpiIds,
  kpiIdOfKey,
} from './dashboard-figures.js';
import { benchNow, ensureDataset, migrateDataset } from './dataset.js';
import { DuckDbDashboard, loadDuckDb } from './duckdb-dashboard.js';
import {
  type HttpResult,
  httpBench,
  httpLines,
  postgresCopy,
  postgresReachable,
} from './http-bench.js';
import { type CreateResult, createBench, type ImportResult, importBench } from './import-bench.js';
import { discoverPlugins, kpiIds } from './kpi-plugins.js';
import { naiveDashboard } from './naive-dashboard.js';
import { type PairedSide, runPaired } from './paired-runs.js';
import { openRapport, rapportDashboard } from './rapport-dashboard.js';
import {
  ensureRollups,
  type KpiTiming,
  kpiTimesWithRollups,
  plannedRollupIds,
  type RollupsBuild,
} from './rapport-rollups-side.js';
import {
  type BenchReport,
  type FigureCheck,
  machineInfo,
  printTable,
  type SizeResult,
  type Timing,
  writeReport,
} from './report.js';
import { pgRollupsCheckName, rollupsCheckName } from './rollups-report.js';
import { RssSampler } from './rss-sampler.js';
import { SqliteDashboard } from './sqlite-dashboard.js';

const options = parseBenchOptions(process.argv.slice(2));
const { sides } = options;
/** The Postgres server and schema of the copy (the HTTP phase and the rollups side share it). */
const postgres = {
  url: process.env.RAPPORT_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  schema: (size: number) => process.env.RAPPORT_BENCH_PG_SCHEMA ?? `rapport_bench_http_${size}`,
};
/** Which warm side a paired timing is. */
type WarmKey = 'rapport' | 'full' | 'sql' | 'duckdb' | 'rollups' | 'pgRollups';
/** `rebuilt in 6.2 s (252,699 rows, 15 rollups)` or `reused (...)`. */
function buildLine(build: RollupsBuild): string {
  const made =
    build.rebuildMs === undefined
      ? 'rebuild time unknown'
      : `${build.reused ? 'built earlier' : 'rebuilt'} in ${(build.rebuildMs / 1000).toFixed(1)} s${build.load ? ` at load ${build.load}` : ''}`;
  return `${build.reused ? 'reused from the dataset, ' : ''}${made} (${build.cells?.toLocaleString('en') ?? '?'} rows, ${build.rollups} rollups)`;
}
const started = now();
const log = (line: string) =>
  console.log(`[${((now() - started) / 1000).toFixed(0).padStart(5)} s] ${line}`);

/** Warm timing: one warm-up run, then `reps` runs; median time and the peak RSS above rest. */
async function warm<T>(
  sampler: RssSampler,
  reps: number,
  work: () => Promise<T> | T,
): Promise<Timing & { result: T }> {
  collectGarbage();
  const rest = sampler.mark();
  let result = await work();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = now();
    result = await work();
    times.push(now() - start);
  }
  const memory = sampler.read(rest);
  return {
    ms: median(times),
    runs: times,
    peakAboveRestMb: memory.peakAboveRestMb,
    restMb: memory.restMb,
    result,
  };
}

const { plugins, missing } = await discoverPlugins();
const discoveredIds = kpiIds(plugins);
const allIds = options.handOnly
  ? discoveredIds.filter((id) => (handWrittenKpiIds as readonly string[]).includes(id))
  : discoveredIds;
const handIds = new Set<string>(handWrittenKpiIds.filter((id) => allIds.includes(id)));
const machine = machineInfo();
log(
  `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, node ${machine.node}, load ${machine.loadAverage}`,
);
log(
  `KPIs: ${allIds.length} from ${plugins.map((p) => p.id).join(', ')}; hand-written: ${handIds.size}`,
);
for (const [name, why] of Object.entries(missing)) log(`  ${name}: ${why}`);

const sampler = await RssSampler.start();
const sizes: SizeResult[] = [];
const excludedBefore = new Map<string, string>();
let previousProbe: { size: number; outcomes: Map<string, ProbeOutcome> } | undefined;

for (const size of options.sizes) {
  log(`size ${size.toLocaleString('en')}: dataset`);
  const dataset = await ensureDataset(options.dataDir, size, options.seed, log, options.fresh);
  log(
    `  ${dataset.reused ? 'reused' : 'generated and loaded'} ${dataset.file} (${(dataset.bytes / 2 ** 20).toFixed(0)} MB, made in ${(dataset.generateAndLoadMs / 1000).toFixed(0)} s)`,
  );
  // Before anything is timed (cold children and the probe do not migrate): migrations teammates
  // add (indexes) reach the cached file, and the hand-written SQL reads the same file.
  // The HTTP measurement serves this file, so its API keys table is one of those migrations.
  const migrated = await migrateDataset(dataset.file, [httpPlugin, ...plugins]);
  log(
    migrated.applied.length === 0
      ? '  migrations: none pending'
      : `  migrations applied: ${migrated.applied.join(', ')}; analyzed ${migrated.analyzed.length} new indexes`,
  );
  const ranges = benchRanges(options.period);
  const budgetMs = options.kpiBudgetSeconds * 1000;

  // Probe every KPI alone; leave out the ones that do not finish in the budget (or would not, by
  // linear extrapolation from the previous size).
  const toProbe: string[] = [];
  const excluded = new Map<string, string>(excludedBefore);
  for (const id of allIds) {
    if (excluded.has(id)) continue;
    const before = previousProbe?.outcomes.get(id);
    if (previousProbe && before && 'ms' in before) {
      const predicted = (before.ms * size) / previousProbe.size;
      if (predicted > budgetMs) {
        excluded.set(
          id,
          `predicted ${(predicted / 1000).toFixed(0)} s alone (linear from ${(before.ms / 1000).toFixed(1)} s at ${previousProbe.size.toLocaleString('en')})`,
        );
        continue;
      }
    }
    toProbe.push(id);
  }
  log(`  probing ${toProbe.length} KPIs alone (budget ${options.kpiBudgetSeconds} s each)`);
  const outcomes = options.handOnly
    ? new Map<string, ProbeOutcome>()
    : await probeKpis(dataset.file, options.period, toProbe, budgetMs, log);
  for (const [id, outcome] of outcomes)
    if ('excluded' in outcome) excluded.set(id, outcome.excluded);
  for (const [id, why] of excluded) excludedBefore.set(id, why);
  previousProbe = { size, outcomes };
  const dashboardIds = allIds.filter((id) => !excluded.has(id));
  const coveredIds = dashboardIds.filter((id) => handIds.has(id));
  log(
    `  dashboard: ${dashboardIds.length} KPIs (${excluded.size} left out), ${coveredIds.length} with hand-written SQL`,
  );

  const crm = openRapport(dataset.file, plugins);
  const database = new Database(dataset.file, { readonly: true });
  const factors = moneyFactors(database);
  const floor = new SqliteDashboard(database, ranges, factors, coveredIds);

  // Rollups: the dataset was loaded with raw inserts, so they are built once here (or found from
  // an earlier run, when they match the plan), before anything is timed.
  let rollupsCrm: Crm | undefined;
  let rollupsBuild: RollupsBuild | undefined;
  let pgRollupsCrm: Crm | undefined;
  let pgRollupsBuild: RollupsBuild | undefined;
  let postgresSkipped: string | undefined;
  const planned =
    sides.has('rollups') || sides.has('pg-rollups') ? await plannedRollupIds(plugins) : [];
  if (sides.has('rollups')) {
    rollupsCrm = openRapport(dataset.file, plugins, true);
    // A migration may have changed what the records hold: the rollups follow it.
    rollupsBuild = await ensureRollups(
      rollupsCrm,
      'sqlite',
      planned,
      `${dataset.file}.rollups.json`,
      options.rebuildRollups || migrated.applied.length > 0,
    );
    log(`  rollups, SQLite: ${buildLine(rollupsBuild)}`);
  }
  if (sides.has('pg-rollups')) {
    postgresSkipped =
      size > options.postgresMax
        ? `above --pg-max ${options.postgresMax.toLocaleString('en')} opportunities (the copy)`
        : await postgresReachable(postgres.url);
    if (postgresSkipped === undefined) {
      const schema = postgres.schema(size);
      log(`  rollups, Postgres: the dataset in schema ${schema} (copied when it changed)`);
      const copyStart = now();
      const storage = await postgresCopy(dataset.file, plugins, postgres.url, schema, undefined);
      log(`    copy ready in ${((now() - copyStart) / 1000).toFixed(0)} s`);
      pgRollupsCrm = createCrm({ storage, plugins, now: () => benchNow, rollups: true });
      await pgRollupsCrm.migrate();
      pgRollupsBuild = await ensureRollups(
        pgRollupsCrm,
        'postgres',
        planned,
        `${dataset.file}.rollups-pg-${schema}.json`,
        options.rebuildRollups,
      );
      log(`    ${buildLine(pgRollupsBuild)}`);
    } else log(`  rollups, Postgres: not run (${postgresSkipped})`);
  }

  let duck: Awaited<ReturnType<typeof loadDuckDb>> | undefined;
  let duckLoadMs: number | undefined;
  if (sides.has('duckdb')) {
    log('  DuckDB: load');
    const loadStart = now();
    duck = await loadDuckDb(dataset.file, options.dataDir);
    duckLoadMs = now() - loadStart;
    log(`    loaded in ${(duckLoadMs / 1000).toFixed(1)} s`);
  }
  const ceiling = duck
    ? new DuckDbDashboard(duck.connection, ranges, factors, coveredIds)
    : undefined;
  // The sides run alternately, round by round, so a change in load reaches them alike.
  const full = dashboardIds.length !== coveredIds.length;
  const warmSides: (PairedSide<Figures> & { key: WarmKey })[] = [];
  if (sides.has('rapport')) {
    warmSides.push({
      key: 'rapport',
      name: 'Rapport',
      work: () => rapportDashboard(crm, coveredIds, options.period),
    });
    if (full)
      warmSides.push({
        key: 'full',
        name: 'Rapport full',
        work: () => rapportDashboard(crm, dashboardIds, options.period),
      });
  }
  if (sides.has('sql'))
    warmSides.push({ key: 'sql', name: 'SQL', work: () => figuresFromMeasures(floor.run()) });
  if (ceiling)
    warmSides.push({
      key: 'duckdb',
      name: 'DuckDB',
      work: async () => figuresFromMeasures(await ceiling.run()),
    });
  if (rollupsCrm) {
    const engine = rollupsCrm;
    warmSides.push({
      key: 'rollups',
      name: 'Rapport rollups',
      work: () => rapportDashboard(engine, coveredIds, options.period),
    });
  }
  if (pgRollupsCrm) {
    const engine = pgRollupsCrm;
    warmSides.push({
      key: 'pgRollups',
      name: 'Rapport rollups Postgres',
      work: () => rapportDashboard(engine, coveredIds, options.period),
    });
  }
  log(`  warm, alternating: ${warmSides.map((side) => side.name).join(', ') || 'no side picked'}`);
  const paired = await runPaired<Figures>(sampler, options.reps, warmSides, log);
  const warmOf = (key: WarmKey) => paired[warmSides.findIndex((side) => side.key === key)];
  const rapportCovered = warmOf('rapport');
  const rapportFull = warmOf('full') ?? rapportCovered;
  const handWritten = warmOf('sql');
  const duckdb = warmOf('duckdb');
  const rollups = warmOf('rollups');
  const pgRollups = warmOf('pgRollups');
  // Every other side is compared with Rapport's figures without rollups: measured above, or
  // computed once here (untimed) when that side was not picked.
  const reference =
    rapportCovered?.result ?? (await rapportDashboard(crm, coveredIds, options.period));

  let kpiTimes: KpiTiming[] | undefined;
  if (sides.has('rollups') && sides.has('per-kpi')) {
    log('  rollups, SQLite: each KPI alone and each breakdown call, one connection');
    kpiTimes = await kpiTimesWithRollups(
      dataset.file,
      plugins,
      coveredIds,
      options.period,
      options.reps,
    );
    const scanning = kpiTimes.filter((timing) => timing.scanned.length > 0);
    log(
      `    ${kpiTimes.length - scanning.length} of ${kpiTimes.length} calls read no record table; scanning: ${scanning.map((timing) => `${timing.name} ${timing.ms.toFixed(0)} ms`).join(', ')}`,
    );
  }
  await crm.destroy();
  await rollupsCrm?.destroy();
  await pgRollupsCrm?.destroy();
  duck?.connection.closeSync();
  duck?.instance.closeSync();

  let coldRapport: Timing | undefined;
  let coldSql: Timing | undefined;
  if (!options.skipCold && size > options.coldMax)
    log(`  cold runs: not made above ${options.coldMax.toLocaleString('en')} opportunities`);
  else if (!options.skipCold) {
    log('  cold runs (fresh process and connection, file evicted from the page cache)');
    const coldRapportRuns: ColdResult[] = [];
    const coldSqlRuns: ColdResult[] = [];
    for (let i = 0; i < options.reps; i++) {
      coldRapportRuns.push(
        await coldRun({
          kind: 'cold-rapport',
          file: dataset.file,
          period: options.period,
          ids: coveredIds,
        }),
      );
      coldSqlRuns.push(
        await coldRun({
          kind: 'cold-sql',
          file: dataset.file,
          period: options.period,
          ids: coveredIds,
        }),
      );
    }
    const summarize = (runs: typeof coldRapportRuns): Timing => ({
      ms: median(runs.map((r) => r.ms)),
      runs: runs.map((r) => r.ms),
      peakAboveRestMb: Math.max(...runs.map((r) => r.peakAboveRestMb)),
      restMb: 0,
    });
    coldRapport = summarize(coldRapportRuns);
    coldSql = summarize(coldSqlRuns);
    log(
      `    Rapport ${coldRapport.ms.toFixed(0)} ms, hand-written SQL ${coldSql.ms.toFixed(0)} ms`,
    );
  }

  let naive: (Timing & { result: Figures }) | undefined;
  if (!sides.has('naive')) log('  naive: not picked (--sides)');
  else if (size <= options.naiveMax) {
    log('  naive: rows into JavaScript, reduce');
    naive = await warm(sampler, options.reps - 1, () =>
      figuresFromMeasures(naiveDashboard(database, ranges, factors, coveredIds)),
    );
    log(`    ${naive.ms.toFixed(0)} ms`);
  } else log(`  naive: not run above ${options.naiveMax.toLocaleString('en')} opportunities`);
  database.close();

  let http: HttpResult | undefined;
  if (sides.has('http')) {
    log('  HTTP: GET /opportunities?limit=50 idle, then while 4 dashboards are in flight');
    http = await httpBench(dataset.file, plugins, options.period, {
      requests: 20,
      dashboards: 4,
      rounds: 3,
      postgresUrl: postgres.url,
      postgresSchema: postgres.schema(size),
      // Copying 1,000,000 opportunities and their rows into Postgres would take longer than the rest.
      ...(size > options.postgresMax
        ? {
            skipPostgres: `above --pg-max ${options.postgresMax.toLocaleString('en')} opportunities (the copy)`,
          }
        : {}),
    });
    for (const line of httpLines(http)) log(`    ${line}`);
  } else log('  HTTP: not picked (--sides)');

  const covered = (key: string) =>
    handIds.has(kpiIdOfKey(key)) && coveredIds.includes(kpiIdOfKey(key));
  const check = (name: string, figures: Figures, tolerance?: number): FigureCheck => ({
    name,
    mismatches: compareFigures(reference, figures, covered, tolerance),
  });
  const checks = [
    ...(handWritten ? [check('hand-written SQL', handWritten.result)] : []),
    ...(duckdb ? [check('DuckDB', duckdb.result)] : []),
    ...(naive ? [check('naive JS', naive.result)] : []),
    // The same engine on the same file: rollups must give the scan's figures to the last bit.
    ...(rollups ? [check(rollupsCheckName, rollups.result, 0)] : []),
    ...(pgRollups ? [check(pgRollupsCheckName, pgRollups.result)] : []),
  ];
  for (const { name, mismatches } of checks)
    log(
      `  ${name} vs Rapport: ${mismatches.length === 0 ? `same figures (${reference.size})` : `${mismatches.length} figures differ, first ${JSON.stringify(mismatches.slice(0, 3))}`}`,
    );
  sizes.push({
    size,
    dataset,
    probe: outcomes,
    excluded,
    dashboardIds,
    coveredIds,
    figures: reference.size,
    paired: true,
    http,
    rapportCovered,
    rapportFull,
    handWritten,
    coldRapport,
    coldSql,
    duckdb,
    duckLoadMs,
    naive,
    checks,
    rollups,
    pgRollups,
    rollupsBuild,
    pgRollupsBuild,
    postgresSkipped,
    kpiTimes,
  });
}

let importResult: ImportResult | undefined;
let importMemory: { peakAboveRestMb: number } | undefined;
let createResult: CreateResult | undefined;
let createMemory: { peakAboveRestMb: number } | undefined;
if (!options.skipImport) {
  log(
    `import: raw ${options.importRawRows.toLocaleString('en')} rows, engine ${options.importEngineRows.toLocaleString('en')} rows`,
  );
  collectGarbage();
  let rest = sampler.mark();
  importResult = await importBench(
    options.dataDir,
    options.importRawRows,
    options.importEngineRows,
    options.seed,
  );
  importMemory = sampler.read(rest);
  log(
    `  engine ${importResult.engineRowsPerSecond.toFixed(0)} rows/s, raw ${importResult.rawRowsPerSecond.toFixed(0)} rows/s`,
  );
  log(`single create: ${options.createRuns} runs each`);
  collectGarbage();
  rest = sampler.mark();
  // On a copy of the largest benchmark database, both sides writing the opportunity and its history row.
  createResult = await createBench(
    options.dataDir,
    options.createRuns,
    options.seed,
    sizes.at(-1)?.dataset.file,
  );
  createMemory = sampler.read(rest);
  log(
    `  engine p50 ${createResult.engineP50.toFixed(3)} ms, raw kysely p50 ${createResult.rawP50.toFixed(3)} ms`,
  );
}
await sampler.stop();

const report: BenchReport = {
  options,
  machine,
  loadAverageAtEnd: machineInfo().loadAverage,
  date: new Date().toISOString(),
  totalSeconds: (now() - started) / 1000,
  kpiCount: allIds.length,
  plugins: plugins.map((p) => p.id),
  missing,
  sizes,
  importResult,
  importMemory,
  createResult,
  createMemory,
};
printTable(report);
writeFileSync(options.out, writeReport(report));
log(`wrote ${options.out}`);
process.exit(0);
