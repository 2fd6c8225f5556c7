/**
 * `npm run bench:rollups`: the dashboard answered from exact rollups against the same dashboard
 * scanned from the records, on one copy of the benchmark database per size, in paired
 * alternating rounds; a single create with rollup upkeep against one without and against a raw
 * kysely insert; a bulk import with and without upkeep; the time of a full rebuild. Every figure
 * of the two dashboards must be equal (no tolerance), and the rollups must equal a recompute
 * after the writes. Writes bench/rollups-results.md. Options: --sizes 10000,100000 --reps 7
 * --creates 300 --groups closing,pipeline --declared (only KPIs declared over sources: what rollups
 * answer) --skip-writes --out <file>.
 */
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type AnyRapportPlugin, type Crm, createCrm } from '@rapport/core';
import { unscopedDatabase } from '@rapport/core/storage';
import { sqliteStorage } from '@rapport/sqlite';
import { now } from './bench-stats.js';
import { compareFigures } from './dashboard-figures.js';
import { benchNow, benchTenant, ensureDataset, migrateDataset } from './dataset.js';
import { discoverPlugins, kpiIds } from './kpi-plugins.js';
import { type PairedSide, pairedRatio, runPaired } from './paired-runs.js';
import { defaultPeriod, rapportDashboard } from './rapport-dashboard.js';
import { machineInfo } from './report.js';
import { RssSampler } from './rss-sampler.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000' },
    reps: { type: 'string', default: '7' },
    creates: { type: 'string', default: '300' },
    seed: { type: 'string', default: '1' },
    // Only the KPIs of these groups (closing,pipeline: the ones whose sources are rolled up).
    groups: { type: 'string' },
    // Only the declared KPIs (measures over sources: what rollups answer), no query KPIs.
    declared: { type: 'boolean', default: false },
    'skip-writes': { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/rollups-results.md' },
  },
});
const groups = values.groups?.split(',');
const sizes = values.sizes.split(',').map(Number);
const reps = Number(values.reps);
const creates = Number(values.creates);
const seed = Number(values.seed);
const dataDir = 'bench/data';
const started = now();
const log = (line: string) =>
  console.log(`[${((now() - started) / 1000).toFixed(0).padStart(5)} s] ${line}`);

function engine(file: string, plugins: readonly AnyRapportPlugin[], rollups: boolean): Crm {
  return createCrm({
    storage: sqliteStorage({ filename: file }),
    plugins,
    now: () => benchNow,
    rollups,
  });
}

/** A new opportunity over references of the dataset (its first deal's account and owner). */
async function template(crm: Crm) {
  const page = await crm.tenant(benchTenant.id).system().opportunities.list({ limit: 1 });
  const first = page.items[0];
  if (!first) throw new Error('the dataset has no opportunity');
  return {
    name: 'bench create',
    accountId: first.accountId,
    ownerId: first.ownerId,
    stage: 'Closed Won',
    amount: 12_345_00,
    currency: first.currency,
    openDate: '2026-03-01',
    closeDate: '2026-11-20',
    leadSource: first.leadSource,
  };
}

interface SizeReport {
  readonly size: number;
  readonly load: string;
  readonly rebuildMs: number;
  readonly cells: number;
  readonly rows: readonly (readonly [string, number, number, number])[];
  readonly mismatches: number;
  readonly figures: number;
  /** Undefined with --skip-writes. */
  readonly differences: number | undefined;
}

const { plugins } = await discoverPlugins();
const declaredIds = new Set(
  plugins
    // Declared KPIs, and query KPIs whose facts are rolled up (`facts`: the stage history KPIs).
    .flatMap((plugin) =>
      (plugin.kpis ?? []).filter((kpi) => 'measures' in kpi || (kpi.facts?.length ?? 0) > 0),
    )
    .map((kpi) => kpi.id),
);
const ids = kpiIds(plugins).filter(
  (id) =>
    (!groups || groups.some((g) => id.startsWith(`${g}.`))) &&
    (!values.declared || declaredIds.has(id)),
);
const sampler = await RssSampler.start();
const machine = machineInfo();
log(`${machine.cpu}, ${machine.cores} cores, node ${machine.node}, load ${machine.loadAverage}`);
const reports: SizeReport[] = [];
for (const size of sizes) {
  const dataset = await ensureDataset(dataDir, size, seed, log);
  const file = join(dataDir, `rollups-${size}.sqlite`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  copyFileSync(dataset.file, file);
  await migrateDataset(file, plugins);
  const kept = engine(file, plugins, true);
  const scanned = engine(file, plugins, false);
  let start = now();
  const [rebuilt] = await kept.rebuildRollups({ tenantId: benchTenant.id });
  const rebuildMs = now() - start;
  log(`size ${size}: rebuilt ${rebuilt?.cells} cells in ${rebuildMs.toFixed(0)} ms`);

  const rows: [string, number, number, number][] = [];
  const pair = async (name: string, sides: readonly PairedSide<unknown>[], n = reps) => {
    const timings = await runPaired(sampler, n, sides);
    const [a, b] = timings;
    if (!a || !b) throw new Error('two sides');
    const ratio = pairedRatio(a, b, true);
    rows.push([name, a.ms, b.ms, ratio]);
    log(`  ${name}: ${a.ms.toFixed(2)} ms vs ${b.ms.toFixed(2)} ms (x${ratio.toFixed(3)})`);
    return timings;
  };
  const [withRollups, withScan] = await pair('full dashboard (totals, by owner, by product)', [
    { name: 'rollups', work: () => rapportDashboard(kept, ids, defaultPeriod) },
    { name: 'scan', work: () => rapportDashboard(scanned, ids, defaultPeriod) },
  ]);
  await pair('dashboard totals only', [
    { name: 'rollups', work: () => rapportDashboard(kept, ids, defaultPeriod, false) },
    { name: 'scan', work: () => rapportDashboard(scanned, ids, defaultPeriod, false) },
  ]);
  const expected = withScan?.result as Map<string, number | null>;
  const actual = withRollups?.result as Map<string, number | null>;
  // No tolerance: rollups must give the scan's figures to the last bit.
  const mismatches = compareFigures(expected, actual, () => true, 0);
  for (const mismatch of mismatches.slice(0, 5)) log(`  MISMATCH ${JSON.stringify(mismatch)}`);

  if (values['skip-writes']) {
    reports.push({
      size,
      load: machineInfo().loadAverage,
      rebuildMs,
      cells: rebuilt?.cells ?? 0,
      rows,
      mismatches: mismatches.length,
      figures: expected.size,
      differences: undefined,
    });
    await kept.destroy();
    await scanned.destroy();
    continue;
  }
  // Writes: with upkeep on `file`; without it (and raw inserts) on a copy, so that afterwards
  // the rollups of `file` must equal a recompute.
  const plainFile = join(dataDir, `rollups-${size}-plain.sqlite`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${plainFile}${suffix}`, { force: true });
  copyFileSync(file, plainFile);
  const plain = engine(plainFile, plugins, false);
  const input = await template(kept);
  const keptScope = kept.tenant(benchTenant.id).system();
  const plainScope = plain.tenant(benchTenant.id).system();
  const first = (await plainScope.opportunities.list({ limit: 1 })).items[0];
  if (!first) throw new Error('the dataset has no opportunity');
  const db = unscopedDatabase(plain);
  let rawCount = 0;
  // A raw kysely insert of the same opportunity and its first stage history row, the two rows
  // an engine create writes (as in the main bench's single create).
  const rawCreate = async () => {
    rawCount += 1;
    const id = `raw-${rawCount}`;
    const time = benchNow.toISOString();
    const meta = { tenantId: benchTenant.id, version: 1, createdAt: time, createdBy: 'system' };
    const { id: _id, externalId: _e, custom: _c, ...fields } = first;
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('opportunities')
        .values({
          ...fields,
          ...meta,
          id,
          externalId: id,
          custom: '{}',
          updatedAt: time,
          updatedBy: 'system',
        })
        .execute();
      await trx
        .insertInto('stageHistory')
        .values({
          ...meta,
          id: `${id}-h0`,
          updatedAt: time,
          updatedBy: 'system',
          externalId: null,
          custom: null,
          opportunityId: id,
          stage: first.stage,
          previousStage: null,
          status: first.status,
          amount: first.amount,
          previousAmount: null,
          currency: first.currency,
          probability: first.probability,
          previousProbability: null,
          forecastCategory: first.forecastCategory,
          closeDate: first.closeDate,
          previousCloseDate: null,
        })
        .execute();
    });
  };
  await pair(
    'single create: engine with rollup upkeep vs raw kysely insert',
    [
      { name: 'rollups', work: () => keptScope.opportunities.create(input) },
      { name: 'raw', work: rawCreate },
    ],
    creates,
  );
  await pair(
    'single create: engine with rollup upkeep vs engine without',
    [
      { name: 'rollups', work: () => keptScope.opportunities.create(input) },
      { name: 'none', work: () => plainScope.opportunities.create(input) },
    ],
    creates,
  );
  const batch = () => Array.from({ length: 1000 }, () => input);
  await pair(
    'bulk import of 1,000 (createMany): rollup upkeep vs none',
    [
      { name: 'rollups', work: () => keptScope.opportunities.createMany(batch()) },
      { name: 'none', work: () => plainScope.opportunities.createMany(batch()) },
    ],
    Math.max(3, Math.floor(reps / 2)),
  );
  start = now();
  const [check] = await kept.checkRollups({ tenantId: benchTenant.id });
  log(`  check: ${check?.differences.length} differing cells in ${(now() - start).toFixed(0)} ms`);
  await plain.destroy();
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${plainFile}${suffix}`, { force: true });
  reports.push({
    size,
    load: machineInfo().loadAverage,
    rebuildMs,
    cells: rebuilt?.cells ?? 0,
    rows,
    mismatches: mismatches.length,
    figures: expected.size,
    differences: check?.differences.length ?? 0,
  });
  await kept.destroy();
  await scanned.destroy();
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
}
await sampler.stop();

const lines = [
  '# Rollups bench',
  '',
  `KPIs: ${values.declared ? 'the declared KPIs (measures over sources, no query KPIs) of ' : ''}${groups ? `the ${groups.join(', ')} groups` : values.declared ? 'the installed plugins' : 'every KPI of the installed plugins'} (${ids.length}). ${machine.cpu}, ${machine.cores} cores, node ${machine.node}. Paired alternating rounds (bench/paired-runs.ts): the ratio is the median of per-round ratios. Generated by \`npm run bench:rollups\`.`,
  '',
  '| size | measurement | with rollups (ms, p50) | without (ms, p50) | ratio | load |',
  '| ---: | :--- | ---: | ---: | ---: | :--- |',
  ...reports.flatMap((report) =>
    report.rows.map(
      ([name, a, b, ratio]) =>
        `| ${report.size.toLocaleString('en')} | ${name} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${ratio.toFixed(3)} | ${report.load} |`,
    ),
  ),
  '',
  '| size | rebuild (ms) | cells | figures compared | mismatches (no tolerance) | cells differing from a recompute after the writes |',
  '| ---: | ---: | ---: | ---: | ---: | ---: |',
  ...reports.map(
    (report) =>
      `| ${report.size.toLocaleString('en')} | ${report.rebuildMs.toFixed(0)} | ${report.cells.toLocaleString('en')} | ${report.figures} | ${report.mismatches} | ${report.differences ?? 'writes skipped'} |`,
  ),
  '',
];
writeFileSync(values.out, `${lines.join('\n')}\n`);
log(`wrote ${values.out}`);
