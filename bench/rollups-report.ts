/**
 * The rollups parts of bench/results.md: each size's per-KPI table of the rollups side, the
 * sizes side by side, and the targets of issues 14 and 15.
 */
import { pairedRatio } from './paired-runs.js';
import type { KpiTiming } from './rapport-rollups-side.js';
import type { BenchReport, SizeResult, Timing } from './report.js';
import { count, fixed, ms, verdict } from './report-format.js';

/** The name of the figure check of the rollups side on SQLite (no tolerance). */
export const rollupsCheckName = 'Rapport with rollups, SQLite (no tolerance)';
/** The name of the figure check of the rollups side on Postgres. */
export const pgRollupsCheckName = 'Rapport with rollups, Postgres';

/** a / b per round (paired-runs.ts), undefined when either side did not run. */
function ratio(a: Timing | undefined, b: Timing | undefined, paired: boolean) {
  return a && b ? pairedRatio(a, b, paired) : undefined;
}

/** `rollups only`, or `scans leads, campaigns` (and whether it read rollups as well). */
export function readsOf(timing: KpiTiming): string {
  if (timing.scanned.length === 0) return timing.readRollups ? 'rollups only' : 'no record table';
  return `scans ${timing.scanned.join(', ')}${timing.readRollups ? ' (and rollups)' : ''}`;
}

/** The per-KPI table of one size's rollups side, in markdown. */
export function kpiTable(s: SizeResult): string[] {
  const timings = s.kpiTimes ?? [];
  const scanning = timings.filter((timing) => timing.scanned.length > 0);
  const total = (list: readonly KpiTiming[]) => list.reduce((sum, timing) => sum + timing.ms, 0);
  return [
    `With rollups, each KPI alone and each breakdown call of the dashboard, through an engine with rollups on over the same file and no reader threads, so every statement it runs is seen: "reads" lists the record tables they read. Median of ${timings[0]?.runs.length ?? 0} runs after a warm-up (one run for a call over a second), alternating with the same call on an engine without rollups when it read rollups. ${timings.length - scanning.length} of ${timings.length} calls read no record table; the ${scanning.length} others still scan, and they take ${ms(total(scanning))} of the ${ms(total(timings))} these calls take one after the other.`,
    '',
    '| KPI call | with rollups | runs | without rollups | with / without | reads | statements |',
    '|---|---:|---|---:|---:|---|---:|',
    ...timings.map(
      (timing) =>
        `| \`${timing.name}\` | ${ms(timing.ms)} | ${timing.runs.map((run) => ms(run)).join(' / ')} | ${timing.withoutMs === undefined ? 'same statements' : ms(timing.withoutMs)} | ${fixed(timing.ratio, 3).replace('not run', '')} | ${readsOf(timing)} | ${timing.statements} |`,
    ),
    '',
  ];
}

/** The sizes side by side and the targets of issues 14 and 15, when a size ran with rollups. */
export function rollupsSections(report: BenchReport): string[] {
  const sizes = report.sizes;
  if (!sizes.some((s) => s.rollups || s.pgRollups)) return [];
  const row = (label: string, cell: (s: SizeResult) => string) =>
    `| ${label} | ${sizes.map(cell).join(' | ')} |`;
  const growth = (s: SizeResult, i: number) => {
    const before = sizes[i - 1];
    if (!before?.rollups || !s.rollups) return '';
    const cells =
      s.rollupsBuild?.cells && before.rollupsBuild?.cells
        ? `, rollup rows x${(s.rollupsBuild.cells / before.rollupsBuild.cells).toFixed(1)}`
        : '';
    return `x${(s.rollups.ms / before.rollups.ms).toFixed(2)} (opportunities x${(s.size / before.size).toFixed(0)}${cells})`;
  };
  const lines = [
    '## Rollups across sizes (issue 15)',
    '',
    `The dashboard of each size's hand-written set plus the breakdowns, paired with the other warm sides in the same rounds. Rollups (\`createCrm({ rollups: true })\`) are built once on the raw-loaded dataset with \`crm.rebuildRollups()\` before anything is timed, and kept in it for later runs while they match the plugins' plan. A KPI the rollups cannot answer (see the per-KPI tables above) is scanned, as without rollups.`,
    '',
    `| | ${sizes.map((s) => count(s.size)).join(' | ')} |`,
    `|---|${sizes.map(() => '---:').join('|')}|`,
    row('Rapport with rollups, SQLite', (s) => ms(s.rollups?.ms)),
    row('Rapport without rollups', (s) => ms(s.rapportCovered?.ms)),
    row('DuckDB', (s) => ms(s.duckdb?.ms)),
    row('Rapport with rollups, Postgres', (s) => ms(s.pgRollups?.ms)),
    row('with rollups / DuckDB', (s) => fixed(ratio(s.rollups, s.duckdb, s.paired))),
    row('with rollups / without', (s) => fixed(ratio(s.rollups, s.rapportCovered, s.paired))),
    row('Postgres with rollups / SQLite with rollups', (s) =>
      fixed(ratio(s.pgRollups, s.rollups, s.paired)),
    ),
    row('with rollups, from the previous size', (s) => growth(s, sizes.indexOf(s))),
    row('rollup rows (SQLite)', (s) =>
      s.rollupsBuild?.cells === undefined ? 'n/a' : count(s.rollupsBuild.cells),
    ),
    row('rebuild, SQLite', (s) => ms(s.rollupsBuild?.rebuildMs)),
    row('rebuild, Postgres', (s) => ms(s.pgRollupsBuild?.rebuildMs)),
    row('KPI calls still scanning', (s) =>
      s.kpiTimes
        ? `${s.kpiTimes.filter((timing) => timing.scanned.length > 0).length} of ${s.kpiTimes.length}`
        : 'n/a',
    ),
    '',
  ];
  return [...lines, ...targets(report)];
}

/** The targets of issues 14 and 15 that this bench measures. */
function targets(report: BenchReport): string[] {
  const sizes = report.sizes;
  const at = (size: number) => sizes.find((s) => s.size === size);
  const million = at(1_000_000);
  const hundred = at(100_000);
  const notAt = (size: number) => `not measured at ${count(size)} | n/a`;
  const lines = [
    '## Targets (issues 14 and 15)',
    '',
    '| target | measured | verdict |',
    '|---|---:|---|',
  ];
  const overDuck = million && ratio(million.rollups, million.duckdb, million.paired);
  lines.push(
    `| full dashboard with rollups at 1,000,000, warm <= 0.1 x DuckDB | ${overDuck === undefined ? notAt(1_000_000) : `${overDuck.toFixed(3)}x | ${verdict(overDuck <= 0.1)}`} |`,
  );
  const rollups100k = hundred?.rollups;
  lines.push(
    `| full dashboard with rollups at 100,000 <= 150 ms | ${rollups100k ? `${ms(rollups100k.ms)} | ${verdict(rollups100k.ms <= 150)}` : notAt(100_000)} |`,
  );
  const measured = sizes.filter((s) => s.rollups);
  const first = measured[0];
  const last = measured.at(-1);
  if (first?.rollups && last?.rollups && first !== last) {
    const time = last.rollups.ms / first.rollups.ms;
    const rows = last.size / first.size;
    const cells =
      first.rollupsBuild?.cells && last.rollupsBuild?.cells
        ? last.rollupsBuild.cells / first.rollupsBuild.cells
        : undefined;
    // The generator's owners grow with the size, so rollup rows grow nearly as the rows do: the
    // time alone cannot tell the two apart while calls still scan records.
    const scanning = last.kpiTimes?.filter((timing) => timing.scanned.length > 0).length;
    const met = cells !== undefined && time <= cells * 1.1 && scanning === 0;
    lines.push(
      `| time with rollups grows with the groups, not the rows (${count(first.size)} -> ${count(last.size)}; met when it grows no more than the rollup rows, 10 % allowed, and no KPI call scans records) | time x${time.toFixed(2)}, opportunities x${rows.toFixed(0)}, rollup rows ${cells === undefined ? 'n/a' : `x${cells.toFixed(2)}`}; ${scanning === undefined ? 'per-KPI table not run' : `${scanning} of ${last.kpiTimes?.length} calls still scan at ${count(last.size)}`} | ${cells === undefined || scanning === undefined ? 'n/a' : verdict(met)} |`,
    );
  } else
    lines.push('| time with rollups grows with the groups, not the rows | one size only | n/a |');
  const exact = sizes.flatMap((s) => {
    const check = s.checks.find((c) => c.name === rollupsCheckName);
    return check ? [{ size: s.size, figures: s.figures, differ: check.mismatches.length }] : [];
  });
  lines.push(
    exact.length === 0
      ? '| every figure from rollups equal to the scan | not run | n/a |'
      : `| every figure from rollups equal to the scan (SQLite, no tolerance) | ${exact.map((e) => `${e.differ} of ${count(e.figures)} differ at ${count(e.size)}`).join('; ')} | ${verdict(exact.every((e) => e.differ === 0))} |`,
  );
  const pgOverSqlite = hundred && ratio(hundred.pgRollups, hundred.rollups, hundred.paired);
  lines.push(
    `| Postgres full dashboard with rollups <= the SQLite one at 100,000 | ${pgOverSqlite === undefined ? `${hundred?.postgresSkipped ? `not run (${hundred.postgresSkipped})` : 'not measured at 100,000'} | n/a` : `${pgOverSqlite.toFixed(2)}x | ${verdict(pgOverSqlite <= 1)}`} |`,
  );
  const scanOverDuck = hundred && ratio(hundred.rapportCovered, hundred.duckdb, hundred.paired);
  lines.push(
    `| issue 14: full dashboard through the engine (rollups off) at 100,000 <= 1.5 x DuckDB | ${scanOverDuck === undefined ? notAt(100_000) : `${scanOverDuck.toFixed(2)}x | ${verdict(scanOverDuck <= 1.5)}`} |`,
  );
  const rollupsOverDuck100k = hundred && ratio(hundred.rollups, hundred.duckdb, hundred.paired);
  lines.push(
    `| the same with rollups on | ${rollupsOverDuck100k === undefined ? notAt(100_000) : `${rollupsOverDuck100k.toFixed(2)}x | ${verdict(rollupsOverDuck100k <= 1.5)}`} |`,
    '',
  );
  return lines;
}
