/**
 * A small seeded pseudo-random generator (mulberry32): fast, 32-bit state, good enough for test
 * data, and the same on every platform so that a seed always gives the same rows.
 *
 * @example
 * const random = createRandom(42);
 * random.int(1, 6); // a die roll, the same for seed 42 every time
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** A whole number in [min, max], both included. */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** One element, chosen with the given relative weights (same length as `items`). */
  weighted<T>(items: readonly T[], weights: readonly number[]): T;
  /** An exponentially distributed number with the given mean (time between events). */
  exponential(mean: number): number;
  /** A log-normally distributed number around `median` (deal sizes: many small, few large). */
  logNormal(median: number, sigma: number): number;
}

/**
 * Makes a {@link Random} from a 32-bit seed.
 *
 * @example
 * createRandom(7).next() === createRandom(7).next(); // true
 */
export function createRandom(seed: number): Random {
  return new Mulberry32(seed);
}

// A class, not closures: generators make one per row, and per-instance closures cost GC time.
class Mulberry32 implements Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const weight of weights) total += weight;
    let roll = this.next() * total;
    for (let index = 0; index < items.length; index++) {
      roll -= weights[index] ?? 0;
      const item = items[index];
      if (roll < 0 && item !== undefined) return item;
    }
    const last = items[items.length - 1];
    if (last === undefined) throw new Error('weighted pick from an empty list');
    return last;
  }

  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  logNormal(median: number, sigma: number): number {
    // Box-Muller: one standard normal from two uniforms.
    const u = 1 - this.next();
    const v = this.next();
    return median * Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  }
}

/**
 * A seed for one entity, mixed from the run's seed, a stream name and an index, so that each row
 * has its own generator: row 500 is the same whatever the batch size or the other counts.
 *
 * @example
 * const random = createRandom(entitySeed(42, 'opportunity', 500));
 */
export function entitySeed(seed: number, stream: string, index: number): number {
  let hash = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < stream.length; i++) hash = Math.imul(hash ^ stream.charCodeAt(i), 0x01000193);
  hash = Math.imul(hash ^ index, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash ^ Math.floor(index / 4294967296), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}
