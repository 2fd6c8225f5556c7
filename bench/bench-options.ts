import { parseArgs } from 'node:util';

/**
 * What `--sides` can pick: the warm dashboard sides (Rapport without rollups, hand-written SQL,
 * DuckDB, Rapport with rollups on SQLite and on Postgres), the per-KPI table of the rollups
 * side, and the slower phases (naive JS, cold runs, HTTP, import and single create).
 */
export const benchSides = [
  'rapport',
  'sql',
  'duckdb',
  'rollups',
  'pg-rollups',
  'per-kpi',
  'naive',
  'cold',
  'http',
  'import',
] as const;

/** One of {@link benchSides}. */
export type BenchSide = (typeof benchSides)[number];

/** Options of `npm run bench`. */
export interface BenchOptions {
  readonly sizes: readonly number[];
  readonly reps: number;
  readonly period: string;
  readonly seed: number;
  /** Seconds a single KPI may take in the probe before it is left out of the dashboard. */
  readonly kpiBudgetSeconds: number;
  readonly importRawRows: number;
  readonly importEngineRows: number;
  readonly createRuns: number;
  /** Above this size the naive way is not run (it holds every row in memory). */
  readonly naiveMax: number;
  /** Only the KPIs with hand-written SQL (and no probe): for a quick look at a big size. */
  readonly handOnly: boolean;
  readonly skipImport: boolean;
  readonly fresh: boolean;
  readonly quick: boolean;
  readonly skipCold: boolean;
  /**
   * Above this size the cold runs are not made (each is a whole dashboard read from disk, twice
   * per repetition: about 10 minutes at 1,000,000). Default: every size.
   */
  readonly coldMax: number;
  readonly out: string;
  /** Where the generated databases are cached (`--data-dir`, default bench/data). */
  readonly dataDir: string;
  /** The sides and phases to run (`--sides`, default all; `--no-cold` etc. still apply). */
  readonly sides: ReadonlySet<BenchSide>;
  /** Rebuild the rollups even when the cached dataset holds every planned one. */
  readonly rebuildRollups: boolean;
  /**
   * Above this size nothing runs on Postgres (the HTTP phase's Postgres server and the
   * rollups side on Postgres): copying 1,000,000 opportunities takes longer than the rest.
   */
  readonly postgresMax: number;
}

const usage = `npm run bench -- [--quick] [--sizes 100000,1000000] [--reps 3] [--period 2026]
  [--kpi-budget 30] [--import-raw N] [--import-engine N] [--create-runs 2000] [--naive-max 100000] [--cold-max N] [--hand-only] [--no-import] [--fresh] [--no-cold] [--out bench/results.md]
  [--sides ${benchSides.join(',')}] [--data-dir bench/data] [--rebuild-rollups] [--pg-max 100000]`;

/** Parses the command line; `--quick` is a smoke run at 10,000 opportunities that takes about a minute. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      sizes: { type: 'string' },
      reps: { type: 'string' },
      period: { type: 'string', default: '2026' },
      seed: { type: 'string', default: '1' },
      'kpi-budget': { type: 'string' },
      'import-raw': { type: 'string' },
      'import-engine': { type: 'string' },
      'create-runs': { type: 'string' },
      'naive-max': { type: 'string' },
      'cold-max': { type: 'string' },
      'hand-only': { type: 'boolean', default: false },
      'no-import': { type: 'boolean', default: false },
      fresh: { type: 'boolean', default: false },
      'no-cold': { type: 'boolean', default: false },
      out: { type: 'string' },
      sides: { type: 'string' },
      'data-dir': { type: 'string' },
      'rebuild-rollups': { type: 'boolean', default: false },
      'pg-max': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const number = (value: string | undefined, fallback: number) => {
    if (value === undefined) return fallback;
    const parsed = Number(value.replaceAll('_', ''));
    if (!Number.isFinite(parsed) || parsed <= 0)
      throw new Error(`not a positive number: ${value}\n${usage}`);
    return parsed;
  };
  const sizes = values.sizes
    ? values.sizes.split(',').map((size) => number(size, 0))
    : quick
      ? [10_000]
      : [100_000, 1_000_000];
  const largest = Math.max(...sizes);
  const sides = new Set<BenchSide>();
  for (const name of values.sides?.split(',') ?? benchSides) {
    const side = benchSides.find((known) => known === name.trim());
    if (!side) throw new Error(`not a side: ${name}\n${usage}`);
    sides.add(side);
  }
  return {
    sizes,
    reps: Math.max(3, number(values.reps, 3)),
    period: values.period ?? '2026',
    seed: number(values.seed, 1),
    kpiBudgetSeconds: number(values['kpi-budget'], quick ? 20 : 30),
    importRawRows: number(values['import-raw'], largest),
    importEngineRows: number(values['import-engine'], Math.min(largest, quick ? 5_000 : 100_000)),
    createRuns: number(values['create-runs'], quick ? 300 : 2_000),
    naiveMax: number(values['naive-max'], 100_000),
    handOnly: values['hand-only'] ?? false,
    skipImport: (values['no-import'] ?? false) || !sides.has('import'),
    fresh: values.fresh ?? false,
    quick,
    skipCold: (values['no-cold'] ?? false) || !sides.has('cold'),
    coldMax: number(values['cold-max'], Number.POSITIVE_INFINITY),
    out: values.out ?? (quick ? 'bench/data/results-quick.md' : 'bench/results.md'),
    dataDir: values['data-dir'] ?? 'bench/data',
    sides,
    rebuildRollups: values['rebuild-rollups'] ?? false,
    postgresMax: number(values['pg-max'], 100_000),
  };
}
