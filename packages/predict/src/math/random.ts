import { at } from './checked.js';
/**
 * A seeded pseudo-random generator (mulberry32): the same seed gives the same sequence on every
 * platform, so a simulation can be repeated exactly.
 *
 * @example
 * const random = seededRandom(42);
 * random(); // a number in [0, 1)
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The q-quantile (0..1) of sorted values, linear between neighbours (Hyndman & Fan type 7). */
export function quantileOfSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const position = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const fraction = position - low;
  const below = at(sorted, low);
  return below + (at(sorted, high) - below) * fraction;
}

/** The median of values (null for none). */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return quantileOfSorted(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}
