/**
 * A bound on how many KPI evaluations one key runs at once. A request over the bound is refused
 * (429) rather than queued: a queue would still let one key hold the server's work.
 *
 * @example
 * const kpis = new ConcurrencyLimit(2);
 * const release = kpis.tryAcquire('key-1'); // a function, or undefined when the key is at 2
 * release?.();
 */
export class ConcurrencyLimit {
  /** How many may run at once per key. */
  readonly max: number;
  readonly #running = new Map<string, number>();

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`a concurrency limit must be a whole number >= 1, got ${max}`);
    }
    this.max = max;
  }

  /** How many run now for `key`. */
  running(key: string): number {
    return this.#running.get(key) ?? 0;
  }

  /**
   * Takes a slot for `key` and returns the function that gives it back (once; calling it again
   * does nothing), or undefined when `key` already runs `max`.
   */
  tryAcquire(key: string): (() => void) | undefined {
    const count = this.running(key);
    if (count >= this.max) return undefined;
    this.#running.set(key, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.running(key) - 1;
      if (left <= 0) this.#running.delete(key);
      else this.#running.set(key, left);
    };
  }
}
