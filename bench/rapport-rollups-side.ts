/**
 * The "Rapport with rollups" side of `npm run bench`: the rollups an engine with the bench's
 * plugins keeps, built once on the (raw-loaded) dataset before anything is timed and reused by
 * later runs while they match the plan, and each KPI of the dashboard timed alone through them
 * with the tables its statements read, to see which KPIs still scan.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { type AnyRapportPlugin, type Crm, createCrm } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import Database from 'better-sqlite3';
import { median, now } from './bench-stats.js';
import { breakdownKpiIds } from './dashboard-figures.js';
import { benchNow, benchTenant } from './dataset.js';
import type { UntypedKpis } from './rapport-dashboard.js';
import { watchStatements } from './statement-watch.js';

/** How the rollups of one storage came to be complete for this run. */
export interface RollupsBuild {
  /** Where they live: `sqlite` or `postgres`. */
  readonly storage: string;
  /** True when the storage already held every planned rollup (an earlier run built them). */
  readonly reused: boolean;
  /** How long the rebuild took (now, or when an earlier run made it), if known. */
  readonly rebuildMs: number | undefined;
  /** Rows the rollups hold after the rebuild, if known. */
  readonly cells: number | undefined;
  /** How many rollups the plugins' KPIs plan. */
  readonly rollups: number;
  /** When the rebuild ran (ISO), if known. */
  readonly builtAt: string | undefined;
  /** The load average (1, 5, 15 min) when the rebuild ran, if known. */
  readonly load: string | undefined;
}

/** What a rebuild leaves beside the dataset, so a run that reuses it can still report it. */
interface BuildNote {
  readonly rollupIds: readonly string[];
  readonly rebuildMs: number;
  readonly cells: number;
  readonly builtAt: string;
  readonly load: string;
}

/** The ids of the bench tenant's complete rollups in an engine's storage. */
async function builtRollupIds(crm: Crm): Promise<string[]> {
  const [status] = await crm.rollupStatus({ tenantId: benchTenant.id });
  return (status?.rollups ?? [])
    .filter((rollup) => rollup.built)
    .map((rollup) => rollup.id)
    .sort();
}

/**
 * The ids of the rollups an engine with these plugins plans (each carries a hash of its source,
 * measures and shape version), from `crm.rollupStatus()` of a throwaway in-memory database
 * (the status needs a tenant).
 */
export async function plannedRollupIds(plugins: readonly AnyRapportPlugin[]): Promise<string[]> {
  const crm = createCrm({
    storage: sqliteStorage({ filename: ':memory:', readers: 0 }),
    plugins,
    now: () => benchNow,
    rollups: true,
  });
  try {
    await crm.migrate();
    await crm.createTenant(benchTenant);
    const [status] = await crm.rollupStatus({ tenantId: benchTenant.id });
    return (status?.rollups ?? []).map((rollup) => rollup.id).sort();
  } finally {
    await crm.destroy();
  }
}

const sameIds = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((id, i) => id === b[i]);

/**
 * Makes the rollups of `crm`'s storage complete for the planned ids: reused when its
 * `rollupBuilds` lists exactly those and `noteFile` says this bench built them (the records of
 * a benchmark dataset do not change once loaded), else rebuilt from the records and timed, the
 * time noted in `noteFile` for later runs. `force` rebuilds either way. The dataset's own
 * migrations must have run (they create the rollup tables).
 */
export async function ensureRollups(
  crm: Crm,
  storage: string,
  planned: readonly string[],
  noteFile: string,
  force: boolean,
): Promise<RollupsBuild> {
  const built = await builtRollupIds(crm);
  const note = existsSync(noteFile)
    ? (JSON.parse(readFileSync(noteFile, 'utf8')) as BuildNote)
    : undefined;
  // Reused only when this bench built them (its note): rollups that came another way (a copy
  // from the SQLite file carries them, or another tool built them) are rebuilt once, timed.
  if (!force && note && sameIds(built, planned) && sameIds(note.rollupIds, planned)) {
    return {
      storage,
      reused: true,
      rebuildMs: note.rebuildMs,
      cells: note.cells,
      rollups: planned.length,
      builtAt: note.builtAt,
      load: note.load,
    };
  }
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');
  const start = now();
  const [report] = await crm.rebuildRollups({ tenantId: benchTenant.id });
  const rebuildMs = now() - start;
  const after = await builtRollupIds(crm);
  if (!sameIds(after, planned))
    throw new Error(
      `after the rebuild ${storage} lists ${after.length} complete rollups, the plan ${planned.length}`,
    );
  const made: BuildNote = {
    rollupIds: planned,
    rebuildMs,
    cells: report?.cells ?? 0,
    builtAt: new Date().toISOString(),
    load,
  };
  writeFileSync(noteFile, JSON.stringify(made, null, 2));
  return {
    storage,
    reused: false,
    rebuildMs,
    cells: made.cells,
    rollups: planned.length,
    builtAt: made.builtAt,
    load,
  };
}

/** One row of the per-KPI table: a KPI alone (or a breakdown call) through the rollups. */
export interface KpiTiming {
  /** The KPI id, or `by owner: ...` / `by product: ...` for the dashboard's breakdown calls. */
  readonly name: string;
  /** Median with rollups, ms. */
  readonly ms: number;
  readonly runs: readonly number[];
  /**
   * The same call without rollups (median, ms), timed alternately with it, when the call read
   * rollups; undefined when it read none (the same statements either way).
   */
  readonly withoutMs: number | undefined;
  /** With / without, the median of the per-run ratios; undefined with {@link withoutMs}. */
  readonly ratio: number | undefined;
  /** Record tables the call's statements read (none: answered from rollups alone). */
  readonly scanned: readonly string[];
  /** Whether a statement read `rollup_cells`. */
  readonly readRollups: boolean;
  /** Statements the call ran. */
  readonly statements: number;
}

/** Tables that are not the records a KPI counts: the rollups and the lookups every read makes. */
const notRecords = new Set([
  'rollup_cells',
  'rollup_builds',
  'tenants',
  'exchange_rates',
  'pipelines',
  'sharing_settings',
  'users',
  'teams',
]);

/** A call slower than this in its warm-up is timed once more only (it scans: seconds at 1,000,000). */
const slowCallMs = 1000;

/**
 * Each KPI of `ids` evaluated alone, then the dashboard's two breakdown calls, through an engine
 * with rollups on over `file`, with no reader threads so every statement runs on one connection
 * whose statements are watched: per call, the record tables its statements read (a KPI that
 * lists `opportunities` there still scans) and the median time of `reps` runs after a warm-up
 * (one run for a call slower than a second), alternating with the same call on an engine
 * without rollups (also one connection) when it read rollups. Times are of these one-connection
 * engines, not of the dashboard's engines with reader threads.
 */
export async function kpiTimesWithRollups(
  file: string,
  plugins: readonly AnyRapportPlugin[],
  ids: readonly string[],
  period: string,
  reps: number,
): Promise<KpiTiming[]> {
  const database = new Database(file, { readonly: true });
  const tables = new Set(
    database
      .prepare("select name from sqlite_master where type = 'table'")
      .pluck()
      .all() as string[],
  );
  let seen: string[] = [];
  // Notes each statement's text as it runs; the engine sees the same API.
  watchStatements(database, (text) => seen.push(text));
  const engine = (storage: ReturnType<typeof sqliteStorage>, rollups: boolean) =>
    createCrm({ storage, plugins, now: () => benchNow, rollups });
  const kept = engine(sqliteStorage({ database, readers: 0 }), true);
  const scanned = engine(sqliteStorage({ filename: file, readers: 0 }), false);
  // The ids come from the plugins at run time: see rapportDashboard.
  const kpis = (crm: Crm) => crm.tenant(benchTenant.id).system().kpis as unknown as UntypedKpis;
  const calls: { name: string; run: (crm: Crm) => Promise<unknown> }[] = [
    ...ids.map((id) => ({ name: id, run: (crm: Crm) => kpis(crm).evaluate([id], { period }) })),
    ...(['owner', 'product'] as const).map((by) => ({
      name: `by ${by}: ${breakdownKpiIds.join(', ')}`,
      run: (crm: Crm) => kpis(crm).evaluate(breakdownKpiIds, { period, by }),
    })),
  ];
  const timed = async (work: () => Promise<unknown>) => {
    const start = now();
    await work();
    return now() - start;
  };
  const results: KpiTiming[] = [];
  try {
    for (const call of calls) {
      seen = [];
      const warmUp = await timed(() => call.run(kept));
      const texts = seen;
      // The timed runs below note into a fresh list: `statements` counts one call's.
      seen = [];
      const read = new Set<string>();
      for (const text of texts)
        for (const match of text.matchAll(/\b(?:from|join)\s+"?([a-z_0-9]+)"?/gi)) {
          const table = match[1]?.toLowerCase();
          if (table && tables.has(table)) read.add(table);
        }
      const readRollups = read.has('rollup_cells');
      const count = warmUp > slowCallMs ? 1 : reps;
      const runs: number[] = [];
      const without: number[] = [];
      if (readRollups) await call.run(scanned);
      for (let i = 0; i < count; i++) {
        // Alternating which goes first, as the paired rounds do.
        if (readRollups && i % 2 === 1) without.push(await timed(() => call.run(scanned)));
        runs.push(await timed(() => call.run(kept)));
        if (readRollups && i % 2 === 0) without.push(await timed(() => call.run(scanned)));
      }
      results.push({
        name: call.name,
        ms: median(runs),
        runs,
        withoutMs: readRollups ? median(without) : undefined,
        ratio: readRollups
          ? median(runs.map((run, i) => run / (without[i] ?? Number.NaN)))
          : undefined,
        scanned: [...read].filter((table) => !notRecords.has(table)).sort(),
        readRollups,
        statements: texts.length,
      });
    }
  } finally {
    await kept.destroy();
    await scanned.destroy();
  }
  return results;
}
