/**
 * Options of the per-credential rate limit: a token bucket per API key (or per tenant and actor
 * for principals without a key id).
 *
 * @example
 * const limit: RateLimitOptions = { burst: 60, perSecond: 10 };
 */
export interface RateLimitOptions {
  /** How many requests a key may send at once after a quiet spell (the bucket's size). */
  readonly burst: number;
  /** How many requests per second a key may send over time (the refill rate). */
  readonly perSecond: number;
  /** The clock in milliseconds; `Date.now` by default (tests pass their own). */
  readonly now?: () => number;
  /** How many keys' buckets are kept; the least recently used go first. 10,000 by default. */
  readonly maxKeys?: number;
}

/** The verdict on one request. */
export type RateDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

/**
 * A token bucket per key: each request takes a token, tokens come back at `perSecond` up to
 * `burst`. A request that finds the bucket empty is refused with the whole seconds until a token
 * is back (what `Retry-After` says).
 *
 * @example
 * const limiter = new RateLimiter({ burst: 2, perSecond: 1 });
 * limiter.take('key-1'); // { allowed: true }
 */
export class RateLimiter {
  readonly #burst: number;
  readonly #perMs: number;
  readonly #now: () => number;
  readonly #maxKeys: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(options: RateLimitOptions) {
    if (!(options.burst >= 1) || !(options.perSecond > 0)) {
      throw new RangeError('rate limit: burst must be >= 1 and perSecond > 0');
    }
    this.#burst = options.burst;
    this.#perMs = options.perSecond / 1000;
    this.#now = options.now ?? Date.now;
    this.#maxKeys = options.maxKeys ?? 10_000;
  }

  /** Takes a token for `key`, or says how long to wait for one. */
  take(key: string): RateDecision {
    const now = this.#now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.#burst, at: now };
    bucket.tokens = Math.min(this.#burst, bucket.tokens + (now - bucket.at) * this.#perMs);
    bucket.at = now;
    // Re-insert: the map's order is the eviction order.
    this.#buckets.delete(key);
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > this.#maxKeys) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest !== undefined) this.#buckets.delete(oldest);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    const waitMs = (1 - bucket.tokens) / this.#perMs;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }
}
