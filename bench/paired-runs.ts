import { collectGarbage, median, now } from './bench-stats.js';
import type { Timing } from './report.js';
import type { RssSampler } from './rss-sampler.js';

/** One side of a paired measurement: a name and the work one run does. */
export interface PairedSide<T> {
  readonly name: string;
  readonly work: () => Promise<T> | T;
}

/**
 * Runs every side once to warm up, then `reps` rounds in which each side runs once, the order
 * rotated from round to round (so no side always runs first, right after a GC or a cache fill).
 * A change in the machine's load then reaches every side of a round alike, and the ratio of two
 * sides is taken per round ({@link pairedRatio}), not from medians measured minutes apart.
 *
 * @example
 * const [rapport, sql] = await runPaired(sampler, 5, [
 *   { name: 'rapport', work: () => rapportDashboard(crm, ids, period) },
 *   { name: 'sql', work: () => floor.run() },
 * ]);
 */
export async function runPaired<T>(
  sampler: RssSampler,
  reps: number,
  sides: readonly PairedSide<T>[],
  log: (line: string) => void = () => {},
): Promise<(Timing & { result: T })[]> {
  const results: T[] = [];
  for (const side of sides) results.push(await side.work());
  const runs = sides.map((): number[] => []);
  const peaks = sides.map(() => 0);
  const rests = sides.map(() => 0);
  for (let round = 0; round < reps; round++) {
    for (let step = 0; step < sides.length; step++) {
      const index = (round + step) % sides.length;
      const side = sides[index];
      if (!side) continue;
      collectGarbage();
      const rest = sampler.mark();
      const start = now();
      results[index] = await side.work();
      runs[index]?.push(now() - start);
      const memory = sampler.read(rest);
      peaks[index] = Math.max(peaks[index] ?? 0, memory.peakAboveRestMb);
      rests[index] = memory.restMb;
    }
    log(
      `    round ${round + 1}: ${sides.map((side, i) => `${side.name} ${(runs[i]?.at(-1) ?? 0).toFixed(0)} ms`).join(', ')}`,
    );
  }
  return sides.map((_, i) => ({
    ms: median(runs[i] ?? []),
    runs: runs[i] ?? [],
    peakAboveRestMb: peaks[i] ?? 0,
    restMb: rests[i] ?? 0,
    result: entry(results, i),
  }));
}

/**
 * The ratio a / b as the median of the per-round ratios when both were measured in the same
 * rounds (same number of runs), else the ratio of the medians.
 *
 * @example
 * pairedRatio({ runs: [10, 20] }, { runs: [5, 10] }); // 2
 */
export function pairedRatio(
  a: Pick<Timing, 'ms' | 'runs'>,
  b: Pick<Timing, 'ms' | 'runs'>,
  paired: boolean,
): number {
  if (!paired || a.runs.length !== b.runs.length || a.runs.length === 0) return a.ms / b.ms;
  return median(a.runs.map((run, i) => run / (b.runs[i] ?? Number.NaN)));
}

function entry<T>(values: readonly T[], index: number): T {
  if (index >= values.length) throw new Error(`no result for side ${index}`);
  return values[index] as T; // in range, checked above: the element type, not undefined
}
