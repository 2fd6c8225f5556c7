import { existsSync, readFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import type { BenchOptions } from './bench-options.js';
import type { ProbeOutcome } from './child-process.js';
import { handWrittenKpiIds, type Mismatch } from './dashboard-figures.js';
import type { Dataset } from './dataset.js';
import type { HttpResult } from './http-bench.js';
import type { CreateResult, ImportResult } from './import-bench.js';
import { pairedRatio } from './paired-runs.js';
import type { KpiTiming, RollupsBuild } from './rapport-rollups-side.js';
import { count, fixed, mb, ms, verdict } from './report-format.js';
import { kpiTable, readsOf, rollupsSections } from './rollups-report.js';

/** A measured phase: median milliseconds of the runs, and the peak RSS above the process at rest. */
export interface Timing {
  readonly ms: number;
  readonly runs: readonly number[];
  readonly peakAboveRestMb: number;
  readonly restMb: number;
}

/** Another side's figures compared with Rapport's (without rollups). */
export interface FigureCheck {
  readonly name: string;
  readonly mismatches: readonly Mismatch[];
}

/** Everything measured at one size; a side not picked (`--sides`) is undefined. */
export interface SizeResult {
  readonly size: number;
  readonly dataset: Dataset;
  readonly probe: ReadonlyMap<string, ProbeOutcome>;
  readonly excluded: ReadonlyMap<string, string>;
  readonly dashboardIds: readonly string[];
  readonly coveredIds: readonly string[];
  readonly figures: number;
  /** Whether the warm sides ran alternately in the same rounds (ratios are per round). */
  readonly paired: boolean;
  /** A list request over HTTP, idle and during dashboards. */
  readonly http?: HttpResult;
  readonly rapportCovered: Timing | undefined;
  readonly rapportFull: Timing | undefined;
  readonly handWritten: Timing | undefined;
  readonly coldRapport: Timing | undefined;
  readonly coldSql: Timing | undefined;
  readonly duckdb: Timing | undefined;
  readonly duckLoadMs: number | undefined;
  readonly naive: Timing | undefined;
  readonly checks: readonly FigureCheck[];
  /** Rapport with rollups on the same SQLite file, the hand-written set + breakdowns. */
  readonly rollups: Timing | undefined;
  /** The same on Postgres, over the copy the HTTP phase serves. */
  readonly pgRollups: Timing | undefined;
  readonly rollupsBuild: RollupsBuild | undefined;
  readonly pgRollupsBuild: RollupsBuild | undefined;
  /** Why the rollups side on Postgres did not run, if it was picked and did not. */
  readonly postgresSkipped: string | undefined;
  /** Each KPI alone (and each breakdown call) through the rollups, with the tables it read. */
  readonly kpiTimes: readonly KpiTiming[] | undefined;
}

/** The whole run. */
export interface BenchReport {
  readonly options: BenchOptions;
  readonly machine: ReturnType<typeof machineInfo>;
  readonly loadAverageAtEnd: string;
  readonly date: string;
  readonly totalSeconds: number;
  readonly kpiCount: number;
  readonly plugins: readonly string[];
  readonly missing: Readonly<Record<string, string>>;
  readonly sizes: readonly SizeResult[];
  readonly importResult: ImportResult | undefined;
  readonly importMemory: { readonly peakAboveRestMb: number } | undefined;
  readonly createResult: CreateResult | undefined;
  readonly createMemory: { readonly peakAboveRestMb: number } | undefined;
}

/** CPU, cores, memory, node version and the load average now. */
export function machineInfo() {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: (totalmem() / 2 ** 30).toFixed(1),
    freeMemoryGb: (freemem() / 2 ** 30).toFixed(1),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage: loadavg()
      .map((l) => l.toFixed(2))
      .join(', '),
  };
}

/** `rebuilt in 6.2 s (252,699 rows)` or `built by an earlier run in ...`. */
function buildNote(build: RollupsBuild | undefined): string {
  if (!build) return '';
  const rows = build.cells === undefined ? '' : `, ${count(build.cells)} rows`;
  const time = build.rebuildMs === undefined ? 'time not noted' : ms(build.rebuildMs);
  const when = build.builtAt ? ` on ${build.builtAt.slice(0, 16).replace('T', ' ')} UTC` : '';
  const load = build.load ? ` at load ${build.load}` : '';
  return build.reused
    ? `rollups built by an earlier run${when} (${time}${rows}${load}), reused`
    : `rollups rebuilt before timing: ${time} (${build.rollups} rollups${rows}${load})`;
}

function phases(s: SizeResult): [string, Timing | undefined, string][] {
  return [
    [
      `Rapport, full dashboard (${s.dashboardIds.length} KPIs + breakdowns), warm`,
      s.rapportFull,
      '',
    ],
    [`Rapport, hand-written set, cold`, s.coldRapport, 'fresh process'],
    [
      `Rapport, hand-written set (${s.coveredIds.length} KPIs + breakdowns), warm`,
      s.rapportCovered,
      s.rapportCovered === s.rapportFull ? 'the full dashboard: same runs' : '',
    ],
    ['hand-written SQL, better-sqlite3, warm', s.handWritten, ''],
    ['hand-written SQL, cold', s.coldSql, 'fresh process'],
    ['DuckDB (in memory, same rows), warm', s.duckdb, `load ${ms(s.duckLoadMs)}`],
    ['naive: rows into JS, reduce', s.naive, ''],
    [
      `Rapport with rollups, SQLite (${s.coveredIds.length} KPIs + breakdowns), warm`,
      s.rollups,
      buildNote(s.rollupsBuild),
    ],
    [
      `Rapport with rollups, Postgres (${s.coveredIds.length} KPIs + breakdowns), warm`,
      s.pgRollups,
      s.postgresSkipped ? `not run: ${s.postgresSkipped}` : buildNote(s.pgRollupsBuild),
    ],
  ];
}

/** a / b per round (paired-runs.ts), undefined when either side did not run. */
function ratio(a: Timing | undefined, b: Timing | undefined, paired: boolean) {
  return a && b ? pairedRatio(a, b, paired) : undefined;
}

/** Ratios of one size. */
function ratios(s: SizeResult) {
  return {
    // Per-round ratios of sides run alternately in the same rounds (paired-runs.ts).
    rapportOverSql: ratio(s.rapportCovered, s.handWritten, s.paired),
    rapportOverDuck: ratio(s.rapportCovered, s.duckdb, s.paired),
    naiveOverRapport: s.naive && s.rapportCovered ? s.naive.ms / s.rapportCovered.ms : undefined,
    coldRapportOverSql: s.coldRapport && s.coldSql ? s.coldRapport.ms / s.coldSql.ms : undefined,
    rollupsOverDuck: ratio(s.rollups, s.duckdb, s.paired),
    rollupsOverScan: ratio(s.rollups, s.rapportCovered, s.paired),
    rollupsOverSql: ratio(s.rollups, s.handWritten, s.paired),
    pgRollupsOverSqliteRollups: ratio(s.pgRollups, s.rollups, s.paired),
  };
}

/** Prints the summary table to the console. */
export function printTable(report: BenchReport): void {
  for (const s of report.sizes) {
    console.log(`\n${count(s.size)} opportunities`);
    console.table(
      phases(s).map(([phase, timing, note]) => ({
        phase,
        median: ms(timing?.ms),
        runs: timing ? timing.runs.map((r) => ms(r)).join(' / ') : 'n/a',
        'peak RSS above rest': mb(timing?.peakAboveRestMb),
        note,
      })),
    );
    const r = ratios(s);
    console.table({
      'Rapport / hand-written SQL (warm)': fixed(r.rapportOverSql),
      'Rapport / hand-written SQL (cold)': r.coldRapportOverSql?.toFixed(2) ?? 'n/a',
      'Rapport / DuckDB': fixed(r.rapportOverDuck),
      'naive / Rapport': fixed(r.naiveOverRapport),
      'with rollups / DuckDB': fixed(r.rollupsOverDuck),
      'with rollups / without': fixed(r.rollupsOverScan),
      'with rollups / hand-written SQL': fixed(r.rollupsOverSql),
      'Postgres with rollups / SQLite with rollups': fixed(r.pgRollupsOverSqliteRollups),
    });
    if (s.kpiTimes)
      console.table(
        s.kpiTimes.map((timing) => ({
          'with rollups, alone': timing.name,
          median: ms(timing.ms),
          without: timing.withoutMs === undefined ? 'same statements' : ms(timing.withoutMs),
          reads: readsOf(timing),
        })),
      );
  }
  const i = report.importResult;
  const c = report.createResult;
  if (!i || !c) return;
  console.table({
    'import Rapport rows/s': i.engineRowsPerSecond.toFixed(0),
    'import raw rows/s': i.rawRowsPerSecond.toFixed(0),
    'import Rapport / raw': (i.engineRowsPerSecond / i.rawRowsPerSecond).toFixed(3),
    'create Rapport p50 ms': c.engineP50.toFixed(3),
    'create raw kysely p50 ms': c.rawP50.toFixed(3),
    'create Rapport / raw (p50)': (c.engineP50 / c.rawP50).toFixed(2),
  });
}

/** `closing 8, pipeline 9, ...`: how many of the KPI ids each group has. */
function groupCounts(ids: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const id of ids) {
    const group = id.split('.')[0]!;
    counts.set(group, (counts.get(group) ?? 0) + 1);
  }
  return [...counts].map(([group, n]) => `${group} ${n}`).join(', ');
}

/** The markdown of bench/results.md. */
export function writeReport(report: BenchReport): string {
  const { machine, options } = report;
  const lines: string[] = [];
  const push = (...more: string[]) => lines.push(...more);
  push(
    '# Benchmark results',
    '',
    `Generated by \`npm run bench${options.quick ? ' -- --quick' : ''}\` on ${report.date} (${report.totalSeconds.toFixed(0)} s in all).`,
    '',
    `- Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB RAM, ${machine.platform}, node ${machine.node}`,
    `- Load average (1, 5, 15 min) at start: ${machine.loadAverage}; at end: ${report.loadAverageAtEnd}. The machine is shared: absolute times are noisy, ratios from the same run less so.`,
    `- Period: \`${options.period}\` (previous period compared too), tenant time zone Europe/Berlin, engine clock pinned to 2026-12-31; actor: system (admin, no visibility filter).`,
    `- Median of ${options.reps} runs after one warm-up (naive: ${options.reps - 1} after its first, which is counted as the warm-up); cold: median of ${options.reps} fresh processes.`,
    `- KPI plugins found: ${report.plugins.join(', ')} (${report.kpiCount} KPIs).${
      Object.keys(report.missing).length > 0
        ? ` Not found: ${Object.entries(report.missing)
            .map(([k, v]) => `${k} (${v})`)
            .join('; ')}.`
        : ''
    }`,
    '',
    '## What is measured',
    '',
    '- **Full dashboard**: every KPI the plugins export (minus any left out by the probe, listed below), then win rate and open pipeline value by owner and by product: 3 `scope.kpis.evaluate` calls, a fresh scope per dashboard as per request.',
    `- **Hand-written set**: the KPIs that have hand-written SQL (\`handWrittenKpiIds\`, ${handWrittenKpiIds.length} KPIs: ${groupCounts(handWrittenKpiIds)}; closing and pipeline in \`bench/sqlite-dashboard.ts\`, leads and aftersales in \`bench/sqlite-leads-aftersales.ts\`, the same questions in DuckDB and in naive JS) plus the same breakdowns; the ratios to hand-written SQL, DuckDB and naive use this set, so both sides compute the same figures. Every figure (value, sample size, previous period, each breakdown group) is compared and must agree. Each size says which dashboard KPIs, if any, are not in the set.`,
    '- **Warm**: the same process and connection after one warm-up run (OS page cache and SQLite statement caches warm).',
    '- **Cold** (hand-written set, so Rapport and SQL compute the same figures): a fresh node process and database connection, the database file (and its -wal/-shm) evicted from the OS page cache with `posix_fadvise(DONTNEED)` (`dd iflag=nocache count=0`); module loading is not timed. Not a dropped global page cache (shared machine).',
    '- **DuckDB**: the rows the dashboard reads, typed (DATE, TIMESTAMP), in an in-memory DuckDB; the same hand-written queries in its dialect. Loading (sqlite3 CSV export + read_csv) is reported, not counted.',
    '- **Naive**: `select *` of every table the dashboard needs into JS objects (better-sqlite3 `.all()`), then loops and maps.',
    '- **Peak RSS**: sampled every 2 ms from a worker thread (the main thread is blocked by synchronous SQLite work), above the RSS just before the phase.',
    `- **Import**: the engine's bulk path (\`scope.opportunities.upsertMany\`, transactions of 1,000: validation, reference checks, rules, stage history, events) on ${count(report.importResult?.engineRows ?? 0)} opportunities, against raw prepared better-sqlite3 inserts of ${count(report.importResult?.rawRows ?? 0)} opportunities plus the same first stage history row, in one transaction, foreign keys on (both into fresh files holding the same users, accounts and campaigns).`,
    `- **Single create**: \`scope.opportunities.create\` (own transaction, history row, event) against the same two rows written raw (\`insertInto('opportunities')\` and its first \`stageHistory\` row, one transaction) through the engine's own kysely, on a copy of the largest benchmark database, alternating, ${count(report.createResult?.runs ?? 0)} runs each after 200 warm-up runs.`,
    '',
  );
  for (const s of report.sizes) {
    const d = s.dataset;
    push(
      `## ${count(s.size)} opportunities`,
      '',
      `Dataset: ${Object.entries(d.rows)
        .map(([table, n]) => `${table} ${count(n)}`)
        .join(
          ', ',
        )}; ${(d.bytes / 2 ** 20).toFixed(0)} MB; generated and loaded in ${(d.generateAndLoadMs / 1000).toFixed(0)} s${d.reused ? ' (earlier, reused from bench/data)' : ''}.`,
      '',
      '| phase | median | runs | peak RSS above rest | note |',
      '|---|---:|---|---:|---|',
      ...phases(s).map(
        ([phase, t, note]) =>
          `| ${phase} | ${ms(t?.ms)} | ${t ? t.runs.map((r) => ms(r)).join(' / ') : 'n/a'} | ${mb(t?.peakAboveRestMb)} | ${note} |`,
      ),
      '',
    );
    const outside = s.dashboardIds.filter((id) => !s.coveredIds.includes(id));
    push(
      outside.length === 0
        ? `Hand-written set at this size: all ${s.dashboardIds.length} KPIs of the dashboard (${groupCounts(s.coveredIds)}), so the ratios cover the full dashboard.`
        : `Hand-written set at this size: ${s.coveredIds.length} of the ${s.dashboardIds.length} KPIs of the dashboard (${groupCounts(s.coveredIds)}); not in it: ${outside.map((id) => `\`${id}\``).join(', ')}.`,
      '',
    );
    const r = ratios(s);
    push(
      '| ratio | value |',
      '|---|---:|',
      `| Rapport / hand-written SQL (warm) | ${fixed(r.rapportOverSql)} |`,
      `| Rapport / hand-written SQL (cold) | ${r.coldRapportOverSql?.toFixed(2) ?? (options.skipCold ? 'not run (--no-cold)' : s.size > options.coldMax ? `not run (above --cold-max ${count(options.coldMax)})` : 'n/a')} |`,
      `| Rapport / DuckDB | ${fixed(r.rapportOverDuck)} |`,
      `| naive / Rapport | ${r.naiveOverRapport?.toFixed(2) ?? (s.size > options.naiveMax ? `not run (above --naive-max ${count(options.naiveMax)})` : 'not run')} |`,
      `| Rapport with rollups / DuckDB | ${fixed(r.rollupsOverDuck)} |`,
      `| Rapport with rollups / without | ${fixed(r.rollupsOverScan)} |`,
      `| Rapport with rollups / hand-written SQL | ${fixed(r.rollupsOverSql)} |`,
      `| Postgres with rollups / SQLite with rollups | ${fixed(r.pgRollupsOverSqliteRollups)} |`,
      '',
      ...(s.http
        ? [
            `HTTP (\`rapport serve\`'s API on this file): \`GET /opportunities?limit=50\` p50 idle, then while ${s.http.dashboards} dashboards are in flight; ${s.http.rounds} rounds, the servers in alternating order, each round's busy/idle ratio on its own (target <= 2x).`,
            '',
            '| server | idle p50 | busy p50 | busy / idle | busy max | dashboards | event loop delay p99 (busy) |',
            '|---|---:|---:|---:|---:|---:|---:|',
            ...s.http.variants.map(
              (v) =>
                `| ${v.name} | ${ms(v.idleP50)} | ${ms(v.busyP50)} | ${v.ratio.toFixed(1)}x | ${ms(v.busyMax)} | ${ms(v.dashboardsMs)} | ${ms(v.loopDelayP99)} |`,
            ),
            ...(s.http.postgresSkipped ? [`Postgres not run: ${s.http.postgresSkipped}.`] : []),
            '',
          ]
        : []),
      ...s.checks.map(({ name, mismatches }) =>
        mismatches.length === 0
          ? `- ${name}: all ${count(s.figures)} figures of the hand-written set equal Rapport's (rollups off).`
          : `- **${name}: ${mismatches.length} figures differ from Rapport's (rollups off)** (first: ${mismatches
              .slice(0, 8)
              .map((m) => `\`${m.key}\` Rapport ${m.expected} vs ${m.actual}`)
              .join('; ')}).`,
      ),
      '',
    );
    if (s.kpiTimes) push(...kpiTable(s));
    if (s.excluded.size > 0) {
      push(
        `Left out of the dashboard at this size (evaluated alone, each with a ${options.kpiBudgetSeconds} s budget):`,
        '',
      );
      for (const [id, why] of s.excluded) push(`- \`${id}\`: ${why}`);
      push('');
    }
  }
  push(
    '## Each KPI alone (probe, ms)',
    '',
    `| KPI | ${report.sizes.map((s) => count(s.size)).join(' | ')} | growth |`,
    `|---|${report.sizes.map(() => '---:').join('|')}|---:|`,
  );
  const allIds = [
    ...new Set(report.sizes.flatMap((s) => [...s.probe.keys(), ...s.excluded.keys()])),
  ];
  for (const id of allIds) {
    const cells = report.sizes.map((s) => {
      const o = s.probe.get(id);
      if (o && 'ms' in o) return ms(o.ms);
      return s.excluded.has(id) ? 'left out' : 'n/a';
    });
    const first = report.sizes[0]?.probe.get(id);
    const last = report.sizes[report.sizes.length - 1]?.probe.get(id);
    const growth =
      report.sizes.length > 1 && first && last && 'ms' in first && 'ms' in last
        ? `${(last.ms / first.ms).toFixed(1)}x`
        : '';
    push(`| \`${id}\` | ${cells.join(' | ')} | ${growth} |`);
  }
  push('');
  const i = report.importResult;
  const c = report.createResult;
  if (i && c)
    push(
      '## Import and single create',
      '',
      '| measure | Rapport | raw | Rapport / raw |',
      '|---|---:|---:|---:|',
      `| import, rows/s | ${i.engineRowsPerSecond.toFixed(0)} (${count(i.engineRows)} rows in ${ms(i.engineMs)}) | ${i.rawRowsPerSecond.toFixed(0)} (${count(i.rawRows)} rows in ${ms(i.rawMs)}) | ${(i.engineRowsPerSecond / i.rawRowsPerSecond).toFixed(3)} |`,
      `| raw, opportunities only (no history row), rows/s | | ${i.rawOpportunitiesOnlyRowsPerSecond.toFixed(0)} | ${(i.engineRowsPerSecond / i.rawOpportunitiesOnlyRowsPerSecond).toFixed(3)} |`,
      `| single create p50 | ${ms(c.engineP50)} | ${ms(c.rawP50)} | ${(c.engineP50 / c.rawP50).toFixed(2)} |`,
      `| single create p99 | ${ms(c.engineP99)} | ${ms(c.rawP99)} | ${(c.engineP99 / c.rawP99).toFixed(2)} |`,
      '',
      `Peak RSS above rest: import ${mb(report.importMemory?.peakAboveRestMb)} (includes generating the rows), single creates ${mb(report.createMemory?.peakAboveRestMb)}.`,
      '',
    );
  const big = report.sizes[report.sizes.length - 1];
  const small = report.sizes.length > 1 ? report.sizes[0] : undefined;
  if (big) {
    const r = ratios(big);
    const importRatio = i ? i.engineRowsPerSecond / i.rawRowsPerSecond : Number.NaN;
    const createRatio = c ? c.engineP50 / c.rawP50 : Number.NaN;
    const grown = (a: Timing | undefined, b: Timing | undefined) =>
      small && a && b ? a.ms / b.ms / (big.size / small.size) : undefined;
    const growth = grown(big.rapportFull, small?.rapportFull);
    const growthCovered = grown(big.rapportCovered, small?.rapportCovered);
    const sqlRatio = r.rapportOverSql;
    const duckRatio = r.rapportOverDuck;
    const peak = big.rapportFull
      ? Math.max(big.rapportFull.peakAboveRestMb, big.coldRapport?.peakAboveRestMb ?? 0)
      : undefined;
    push(
      `## Targets (issue 6; at ${count(big.size)} opportunities)`,
      '',
      '| target | measured | verdict |',
      '|---|---:|---|',
      sqlRatio === undefined
        ? '| dashboard <= 1.2 x hand-written SQL | not run | n/a |'
        : `| dashboard <= 1.2 x hand-written SQL | ${sqlRatio.toFixed(2)}x | ${verdict(sqlRatio <= 1.2)}${sqlRatio > 1.2 ? ` by ${((sqlRatio / 1.2 - 1) * 100).toFixed(0)} %` : ''} |`,
      duckRatio === undefined
        ? '| dashboard <= 5 x DuckDB | not run | n/a |'
        : `| dashboard <= 5 x DuckDB | ${duckRatio.toFixed(2)}x | ${verdict(duckRatio <= 5)}${duckRatio > 5 ? ` by ${(duckRatio / 5).toFixed(1)}x` : ''} |`,
      i
        ? `| import >= 50 % of raw throughput | ${(importRatio * 100).toFixed(1)} % | ${verdict(importRatio >= 0.5)}${importRatio < 0.5 ? ` by ${(0.5 / importRatio).toFixed(1)}x` : ''} |`
        : '| import >= 50 % of raw throughput | not run (--no-import) | n/a |',
      c
        ? `| single create <= 2 x raw kysely (p50) | ${createRatio.toFixed(2)}x | ${verdict(createRatio <= 2)}${createRatio > 2 ? ` by ${(createRatio / 2).toFixed(1)}x` : ''} |`
        : '| single create <= 2 x raw kysely (p50) | not run (--no-import) | n/a |',
      `| peak RSS during the dashboard <= 150 MB above rest | ${mb(big.rapportFull?.peakAboveRestMb)} warm, ${mb(big.coldRapport?.peakAboveRestMb)} cold | ${peak === undefined ? 'n/a' : verdict(peak <= 150)} |`,
      `| time grows no faster than linearly (${small ? `${count(small.size)} -> ${count(big.size)}` : 'one size only'}) | ${growth === undefined ? 'n/a' : `full ${growth.toFixed(2)}, hand-written set ${growthCovered?.toFixed(2)} of linear`} | ${growth === undefined ? 'n/a' : verdict(growth <= 1.1 && (growthCovered ?? 0) <= 1.1)}${big.excluded.size > 0 ? ` (${big.excluded.size} KPIs left out: see above)` : ''} |`,
      '',
    );
  }
  push(...rollupsSections(report));
  const analysis = 'bench/analysis.md';
  if (existsSync(analysis)) push(readFileSync(analysis, 'utf8'));
  return `${lines.join('\n')}\n`;
}
