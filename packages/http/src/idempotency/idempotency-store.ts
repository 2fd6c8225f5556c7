/**
 * A stored response to a POST with an `Idempotency-Key`.
 *
 * @example
 * const saved: SavedResponse = { fingerprint: 'ab12', status: 201, headers: [['etag', '"1"']], body: '{}' };
 */
export interface SavedResponse {
  /** A hash of method, path and body: a retry must match it. */
  readonly fingerprint: string;
  /** The HTTP status. */
  readonly status: number;
  /** The response headers. */
  readonly headers: readonly (readonly [string, string])[];
  /** The response body. */
  readonly body: string;
}

/** What a store says when a request with a key begins. */
export type IdempotencyBegin =
  | { readonly kind: 'new' }
  | { readonly kind: 'replay'; readonly response: SavedResponse }
  | { readonly kind: 'mismatch' }
  | { readonly kind: 'running' };

/**
 * Where responses to idempotent POSTs are kept. Keys are already qualified by tenant and actor,
 * so one client's key never replays another's response.
 *
 * @example
 * const api = createRapportApi({ crm, authenticate, idempotency: memoryIdempotencyStore({ ttlMs: 3_600_000 }) });
 */
export interface IdempotencyStore {
  /** Claims `key` for a request with `fingerprint`, or says why it cannot. */
  begin(key: string, fingerprint: string): Promise<IdempotencyBegin>;
  /** Saves the response of a claimed key. */
  complete(key: string, response: SavedResponse): Promise<void>;
  /** Releases a claimed key whose request failed on the server, so a retry runs again. */
  release(key: string): Promise<void>;
}

/**
 * An in-process store with a time to live and a size bound (oldest entries go first). Enough for
 * one server process; a cluster needs a shared store with the same interface.
 *
 * @example
 * const store = memoryIdempotencyStore({ ttlMs: 24 * 3_600_000, maxEntries: 10_000 });
 */
export function memoryIdempotencyStore(
  options: {
    readonly ttlMs?: number;
    readonly maxEntries?: number;
    readonly now?: () => number;
  } = {},
): IdempotencyStore {
  const ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const entries = new Map<
    string,
    { fingerprint: string; expiresAt: number; response: SavedResponse | undefined }
  >();

  const dropExpired = () => {
    const time = now();
    // Entries are added in time order with one time to live: the expired ones come first.
    for (const [key, entry] of entries) {
      if (entry.expiresAt > time) break;
      entries.delete(key);
    }
  };
  const makeRoom = () => {
    // Maps iterate in insertion order, so the first keys are the oldest.
    for (const key of entries.keys()) {
      if (entries.size < maxEntries) break;
      entries.delete(key);
    }
  };

  return {
    async begin(key, fingerprint) {
      dropExpired();
      const entry = entries.get(key);
      if (!entry) {
        makeRoom();
        entries.set(key, { fingerprint, expiresAt: now() + ttlMs, response: undefined });
        return { kind: 'new' };
      }
      if (entry.fingerprint !== fingerprint) return { kind: 'mismatch' };
      return entry.response ? { kind: 'replay', response: entry.response } : { kind: 'running' };
    },
    async complete(key, response) {
      const entry = entries.get(key);
      if (entry) entry.response = response;
    },
    async release(key) {
      entries.delete(key);
    },
  };
}
