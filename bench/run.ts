/**
 * `npm run bench`: Rapport's KPI dashboard, import and single create, side by side with the
 * floor (hand-written SQL on the same SQLite file), the ceiling (DuckDB over the same rows) and
 * the naive way (rows into JavaScript), at two sizes; prints a table and writes bench/results.md.
 * See bench/README.md.
 */
import { writeFileSync } from 'node:fs';
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
  type Mismatch,
} from './dashboard-figures.js';
import { ensureDataset, migrateDataset } from './dataset.js';
import { DuckDbDashboard, loadDuckDb } from './duckdb-dashboard.js';
import { type HttpResult, httpBench, httpLines } from './http-bench.js';
import { type CreateResult, createBench, type ImportResult, importBench } from './import-bench.js';
import { discoverPlugins, kpiIds } from './kpi-plugins.js';
import { naiveDashboard } from './naive-dashboard.js';
import { runPaired } from './paired-runs.js';
import { openRapport, rapportDashboard } from './rapport-dashboard.js';
import {
  type BenchReport,
  machineInfo,
  printTable,
  type SizeResult,
  type Timing,
  writeReport,
} from './report.js';
import { RssSampler } from './rss-sampler.js';
import { SqliteDashboard } from './sqlite-dashboard.js';

const options = parseBenchOptions(process.argv.slice(2));
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
  log('  DuckDB: load');
  const loadStart = now();
  const duck = await loadDuckDb(dataset.file, options.dataDir);
  const duckLoadMs = now() - loadStart;
  const ceiling = new DuckDbDashboard(duck.connection, ranges, factors, coveredIds);
  log(`    loaded in ${(duckLoadMs / 1000).toFixed(1)} s`);
  // The sides run alternately, round by round, so a change in load reaches them alike.
  const full = dashboardIds.length !== coveredIds.length;
  log(
    `  warm, alternating: Rapport (hand-written set${full ? ', full dashboard' : ''}), hand-written SQL, DuckDB`,
  );
  const paired = await runPaired<Figures>(
    sampler,
    options.reps,
    [
      { name: 'Rapport', work: () => rapportDashboard(crm, coveredIds, options.period) },
      { name: 'SQL', work: () => figuresFromMeasures(floor.run()) },
      { name: 'DuckDB', work: async () => figuresFromMeasures(await ceiling.run()) },
      ...(full
        ? [
            {
              name: 'Rapport full',
              work: () => rapportDashboard(crm, dashboardIds, options.period),
            },
          ]
        : []),
    ],
    log,
  );
  const [rapportCovered, handWritten, duckdb, fullRun] = paired;
  if (!rapportCovered || !handWritten || !duckdb) throw new Error('a paired side did not run');
  const rapportFull = fullRun ?? rapportCovered;
  await crm.destroy();
  duck.connection.closeSync();
  duck.instance.closeSync();

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
  if (size <= options.naiveMax) {
    log('  naive: rows into JavaScript, reduce');
    naive = await warm(sampler, options.reps - 1, () =>
      figuresFromMeasures(naiveDashboard(database, ranges, factors, coveredIds)),
    );
    log(`    ${naive.ms.toFixed(0)} ms`);
  } else log(`  naive: not run above ${options.naiveMax.toLocaleString('en')} opportunities`);
  database.close();

  log('  HTTP: GET /opportunities?limit=50 idle, then while 4 dashboards are in flight');
  const http: HttpResult = await httpBench(dataset.file, plugins, options.period, {
    requests: 20,
    dashboards: 4,
    rounds: 3,
    postgresUrl: process.env.RAPPORT_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    postgresSchema: process.env.RAPPORT_BENCH_PG_SCHEMA ?? `rapport_bench_http_${size}`,
    // Copying 1,000,000 opportunities and their rows into Postgres would take longer than the rest.
    ...(size > 100_000 ? { skipPostgres: 'above 100,000 opportunities (the copy)' } : {}),
  });
  for (const line of httpLines(http)) log(`    ${line}`);

  const covered = (key: string) =>
    handIds.has(kpiIdOfKey(key)) && coveredIds.includes(kpiIdOfKey(key));
  const check = (name: string, figures: Figures): { name: string; mismatches: Mismatch[] } => ({
    name,
    mismatches: compareFigures(rapportCovered.result, figures, covered),
  });
  const checks = [
    check('hand-written SQL', handWritten.result),
    check('DuckDB', duckdb.result),
    ...(naive ? [check('naive JS', naive.result)] : []),
  ];
  for (const { name, mismatches } of checks)
    log(
      `  ${name} vs Rapport: ${mismatches.length === 0 ? 'same figures' : `${mismatches.length} figures differ`}`,
    );
  sizes.push({
    size,
    dataset,
    probe: outcomes,
    excluded,
    dashboardIds,
    coveredIds,
    figures: rapportCovered.result.size,
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
