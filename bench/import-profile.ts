/**
 * Where the engine's bulk import spends its time (issue 15): `upsertMany` of generated
 * opportunities, 1,000 per call, into a fresh SQLite file as `importBench` does, with rollups off
 * and on (the CLI's setting), against raw prepared inserts of the same rows and first stage
 * history row.
 *
 * Usage: node --expose-gc --import tsx bench/import-profile.ts [--rows 20000] [--rounds 3]
 *   [--sides raw,off,on] [--profile off|on] [--top 30]
 *
 * Without --profile: paired rounds (the order rotated per round as `runPaired` does), each side
 * on its own fresh copy of one prepared file; wall and CPU time (CPU includes V8's GC threads)
 * per side and the median of the per-round ratios to raw. With
 * --profile: one warm-up import, then one import under the V8 CPU profiler (the inspector's, so
 * only the import is profiled, not generating the rows) and with every SQLite statement timed;
 * prints the top self-time functions, the time per phase (the innermost engine function of each
 * sample's stack) and the SQL time per statement. The profile is written to bench/data.
 */
import { execSync } from 'node:child_process';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type AnyRapportPlugin, createCrm } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import type { GeneratedOpportunity } from '@rapport/testing';
import Database from 'better-sqlite3';
import { collectGarbage, median, now } from './bench-stats.js';
import { benchNow, benchTenant, migrateDataset, RawInserter } from './dataset.js';
import { engineInput, historyRow, prepareTarget } from './import-bench.js';
import { discoverPlugins } from './kpi-plugins.js';
import { type PairedSide, pairedRatio } from './paired-runs.js';
import { addInto, type StatementTimes, watchStatements } from './statement-watch.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
    sides: { type: 'string', default: 'raw,off,on' },
    profile: { type: 'string' },
    top: { type: 'string', default: '30' },
    seed: { type: 'string', default: '1' },
  },
});
const rowCount = Number(values.rows);
const batchSize = 1000;
const dataDir = 'bench/data';
const template = join(dataDir, 'import-profile-template.sqlite');
const target = join(dataDir, 'import-profile.sqlite');

const load = () =>
  execSync('uptime')
    .toString()
    .trim()
    .replace(/.*load/, 'load');

function removeDatabase(file: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
}

/** A fresh copy of the prepared file (users, accounts, campaigns; no opportunities). */
function freshTarget(): void {
  removeDatabase(target);
  copyFileSync(template, target);
}

/** Raw prepared inserts of the opportunities and their first history rows, in one transaction. */
function rawImport(rows: readonly GeneratedOpportunity[]): void {
  freshTarget();
  const raw = new Database(target);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  const inserter = new RawInserter(raw);
  raw.transaction(() => {
    for (const row of rows) {
      inserter.insert('opportunities', row);
      inserter.insert('stageHistory', historyRow(row));
    }
  })();
  raw.close();
}

/** SQL time per statement text, when the engine's connection is wrapped by {@link timeStatements}. */
const statementTimes: StatementTimes = new Map();

/** Wraps a connection's prepared statements so each run is timed by SQL text. */
function timeStatements(database: Database.Database): void {
  watchStatements(database, addInto(statementTimes));
}

/** The engine import: upsertMany by external id, `batchSize` rows per call (one transaction). */
async function engineImport(
  rows: readonly GeneratedOpportunity[],
  plugins: readonly AnyRapportPlugin[],
  rollups: boolean,
  timed = false,
): Promise<void> {
  freshTarget();
  const database = new Database(target);
  database.pragma('journal_mode = WAL');
  if (timed) timeStatements(database);
  const crm = createCrm({
    storage: sqliteStorage({ database, readers: 0 }),
    plugins,
    now: () => benchNow,
    rollups,
  });
  let events = 0;
  crm.events.on('record.created', () => {
    events++;
  });
  const scope = crm.tenant(benchTenant.id).system();
  for (let from = 0; from < rows.length; from += batchSize) {
    const batch = rows.slice(from, from + batchSize);
    // The generator's rows are valid opportunity inputs; the engine parses them as any caller's.
    await scope.opportunities.upsertMany(batch.map(engineInput) as never);
  }
  await crm.destroy();
  if (events < rows.length) throw new Error(`${events} created events for ${rows.length} rows`);
}

/** One node of a V8 CPU profile. */
interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly children?: number[];
}

/** The engine functions a sample is attributed to (innermost on its stack wins). */
const phases: Record<string, string> = {
  externalIdsOf: 'validation (external ids)',
  takeHistory: 'validation (history)',
  parseAll: 'validation (zod parse)',
  findManyByExternalId: 'id lookups (upsert)',
  prepareRecord: 'prepare (defaults, rules, checks)',
  prepare: 'prepare: opportunity rules',
  withDefaults: 'prepare: defaults',
  runBeforeCreate: 'prepare: before hooks',
  checkAccess: 'prepare: access check',
  checkCurrency: 'prepare: currency check',
  checkCustomFields: 'prepare: custom fields',
  checkMoney: 'prepare: money check',
  newRecord: 'prepare: new record',
  checkReferencesMany: 'reference checks',
  insertRows: 'insert statements',
  encodeInsertParameters: 'insert statements: encode',
  afterCreateMany: 'stage history (afterCreateMany)',
  keepStageExits: 'kept values',
  keepValues: 'kept values',
  inserted: 'rollup upkeep',
  addRecords: 'rollup upkeep',
  addRowRecords: 'rollup upkeep',
  addContributions: 'rollup upkeep',
  finishInsert: 'events, after hooks',
  runAfterCreate: 'events, after hooks',
  queueEvent: 'events, after hooks',
  emitQueued: 'events, after hooks',
  inTransaction: 'transaction (begin, commit, events)',
  upsertRecords: 'upsertMany (own code)',
  insertRecords: 'insertRecords (own code)',
};

/** Prints the top self-time functions and the time per phase of a profile. */
function summarize(profile: {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}): void {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<number, number>();
  const phaseMs = new Map<string, number>();
  let total = 0;
  for (const [i, id] of profile.samples.entries()) {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    let phase: string | undefined;
    let profiler = false;
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (!frame) break;
      // Serializing the profile itself (Profiler.stop) is not the import's time.
      if (frame.url === 'node:inspector') profiler = true;
      if (!phase && frame.url.includes('/packages/') && !frame.url.includes('node_modules'))
        phase = phases[frame.functionName];
    }
    if (profiler) continue;
    total += ms;
    self.set(id, (self.get(id) ?? 0) + ms);
    const top = byId.get(id)?.callFrame;
    // A statement's run resumes below kysely's awaits, not below the engine function that sent
    // it: the SQL time per statement (below) splits it.
    const native = top?.url === '' && ['run', 'all', 'get', 'iterate'].includes(top.functionName);
    const sqlite = native || top?.url.endsWith('import-profile.ts');
    const fallback = sqlite
      ? 'SQLite statements (by statement below)'
      : top?.functionName === '(garbage collector)'
        ? '(garbage collector)'
        : top?.functionName === '(idle)' || top?.functionName === '(program)'
          ? '(idle, program)'
          : top?.url.includes('kysely')
            ? 'other: kysely after an await'
            : 'other';
    const name = phase ?? fallback;
    phaseMs.set(name, (phaseMs.get(name) ?? 0) + ms);
  }
  const byFunction = new Map<string, number>();
  for (const [id, ms] of self) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const where = frame.url.replace(/.*\/(node_modules|packages)\//, '$1/');
    const key = `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
  }
  console.log(`\nprofile: ${total.toFixed(0)} ms sampled\ntop self time:`);
  for (const [key, ms] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top)))
    console.log(
      `${ms.toFixed(0).padStart(7)} ms ${((ms / total) * 100).toFixed(1).padStart(5)} %  ${key}`,
    );
  console.log('\nper phase (innermost engine function on the stack, inclusive of what it calls):');
  for (const [name, ms] of [...phaseMs].sort((a, b) => b[1] - a[1]))
    console.log(
      `${ms.toFixed(0).padStart(7)} ms ${((ms / total) * 100).toFixed(1).padStart(5)} %  ${name}`,
    );
}

/** Wall and CPU (user + system) times of one side's runs, in milliseconds. */
interface SideTimes {
  readonly wall: { ms: number; runs: number[] };
  readonly cpu: { ms: number; runs: number[] };
}

/**
 * One warm-up run per side, then `rounds` rounds with the order rotated as `runPaired` does;
 * also the process's CPU time per run, which a shared machine's load disturbs less than the
 * wall time (everything runs on this thread: no reader threads, no sampler).
 */
async function alternate(sides: readonly PairedSide<void>[], rounds: number): Promise<SideTimes[]> {
  for (const side of sides) await side.work();
  const wall = sides.map((): number[] => []);
  const cpu = sides.map((): number[] => []);
  for (let round = 0; round < rounds; round++) {
    for (let step = 0; step < sides.length; step++) {
      const index = (round + step) % sides.length;
      const side = sides[index];
      if (!side) continue;
      collectGarbage();
      const start = now();
      const startCpu = process.cpuUsage();
      await side.work();
      const used = process.cpuUsage(startCpu);
      wall[index]?.push(now() - start);
      cpu[index]?.push((used.user + used.system) / 1000);
    }
    console.log(
      `  round ${round + 1}: ${sides.map((side, i) => `${side.name} ${(wall[i]?.at(-1) ?? 0).toFixed(0)} ms (cpu ${(cpu[i]?.at(-1) ?? 0).toFixed(0)})`).join(', ')}; ${load()}`,
    );
  }
  return sides.map((_, i) => ({
    wall: { ms: median(wall[i] ?? []), runs: wall[i] ?? [] },
    cpu: { ms: median(cpu[i] ?? []), runs: cpu[i] ?? [] },
  }));
}

const { plugins } = await discoverPlugins();
console.log(`${new Date().toISOString()} ${load()}; preparing ${rowCount} rows`);
const rows = await prepareTarget(template, rowCount, Number(values.seed));
// The plugins' migrations (rollup tables and indexes) before anything is timed.
await migrateDataset(template, plugins);

if (values.profile) {
  const rollups = values.profile === 'on';
  await engineImport(rows.slice(0, 2000), plugins, rollups);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  const start = now();
  await engineImport(rows, plugins, rollups, true);
  const ms = now() - start;
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  const file = join(dataDir, `import-profile-${values.profile}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  console.log(
    `engine, rollups ${values.profile}: ${rowCount} rows in ${ms.toFixed(0)} ms (${((rowCount / ms) * 1000).toFixed(0)} rows/s, statements timed, profiled); ${load()}; ${file}`,
  );
  summarize(profile as unknown as Parameters<typeof summarize>[0]); // the inspector's Profile, typed loosely
  let sqlMs = 0;
  for (const { ms: statementMs } of statementTimes.values()) sqlMs += statementMs;
  console.log(`\nSQL: ${sqlMs.toFixed(0)} ms in SQLite; by statement:`);
  for (const [text, time] of [...statementTimes].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15))
    console.log(
      `${time.ms.toFixed(0).padStart(7)} ms ${String(time.runs).padStart(6)}x  ${text.replace(/\s+/g, ' ').slice(0, 160)}`,
    );
} else {
  const sides = values.sides.split(',').map(
    (side): PairedSide<void> => ({
      name: side,
      work: () => (side === 'raw' ? rawImport(rows) : engineImport(rows, plugins, side === 'on')),
    }),
  );
  const timings = await alternate(sides, Number(values.rounds));
  console.log(`${new Date().toISOString()} ${load()}`);
  const rawIndex = sides.findIndex((side) => side.name === 'raw');
  for (const [i, side] of sides.entries()) {
    const timing = timings[i];
    const rawTiming = timings[rawIndex];
    if (!timing || !rawTiming) continue;
    const ratio = (kind: 'wall' | 'cpu') =>
      i === rawIndex
        ? ''
        : `; engine/raw ${pairedRatio(rawTiming[kind], timing[kind], true).toFixed(3)}`;
    for (const kind of ['wall', 'cpu'] as const)
      console.log(
        `${side.name.padEnd(4)} ${kind} median ${timing[kind].ms.toFixed(0)} ms, ${((rowCount / timing[kind].ms) * 1000).toFixed(0)} rows/s; runs ${timing[kind].runs.map((ms) => ms.toFixed(0)).join(' / ')}${ratio(kind)}`,
      );
  }
}
removeDatabase(target);
removeDatabase(template);
