import { parseArgs } from 'node:util';

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
  readonly dataDir: string;
}

const usage = `npm run bench -- [--quick] [--sizes 100000,1000000] [--reps 3] [--period 2026]
  [--kpi-budget 30] [--import-raw N] [--import-engine N] [--create-runs 2000] [--naive-max 100000] [--cold-max N] [--hand-only] [--no-import] [--fresh] [--no-cold] [--out bench/results.md]`;

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
    skipImport: values['no-import'] ?? false,
    fresh: values.fresh ?? false,
    quick,
    skipCold: values['no-cold'] ?? false,
    coldMax: number(values['cold-max'], Number.POSITIVE_INFINITY),
    out: values.out ?? (quick ? 'bench/data/results-quick.md' : 'bench/results.md'),
    dataDir: 'bench/data',
  };
}
