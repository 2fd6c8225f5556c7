import type { z } from 'zod';
import type { pipelineStageSchema } from '../objects/standard-objects.js';
import type { StoredRecord } from './stored-record.js';

/** @internal A stage of a pipeline as stored on the pipeline row. */
type CachedStage = z.output<typeof pipelineStageSchema>;

/**
 * @internal What the engine remembers between transactions: pipeline stages and ids known to
 * exist. Only used when the storage has a `changeCounterSql`: every transaction reads the counter
 * first and drops all of it when another connection committed since, so a write by another
 * engine or process is never hidden. Writes through this engine keep it right themselves: a
 * delete forgets its id, and a transaction that wrote pipelines drops the stages when it ends.
 */
export interface SharedCache {
  /** The storage's change counter when the cache was last known to be valid. */
  counter: unknown;
  /** Stages by `tenantId` and pipeline id. */
  readonly stages: Map<string, readonly CachedStage[]>;
  /** Ids read from the database (committed), by `tenantId` and table. */
  readonly knownIds: Map<string, Set<string>>;
}

/** @internal An empty shared cache for a new engine. */
export function createSharedCache(): SharedCache {
  return { counter: undefined, stages: new Map(), knownIds: new Map() };
}

/** @internal Empties a shared cache (after migrations, or when another connection committed). */
export function clearSharedCache(shared: SharedCache): void {
  shared.stages.clear();
  shared.knownIds.clear();
}

/** A shared cache key: tenant and name, which never contain a newline together. */
function sharedKey(tenantId: string, name: string): string {
  return `${tenantId}\n${name}`;
}

/** How many records one transaction keeps (oldest out first). */
const recordCacheSize = 2_000;
/** How many known ids per table one transaction (and the shared cache) keeps. */
const knownIdsPerTable = 200_000;

/** Adds an id to a bounded set in `sets`, starting over when the set is full. */
function addBounded(sets: Map<string, Set<string>>, key: string, id: string): void {
  let known = sets.get(key);
  // Bounded, so that a transaction importing millions of rows does not hold every id.
  if (!known || known.size >= knownIdsPerTable) {
    known = new Set();
    sets.set(key, known);
  }
  known.add(id);
}

/**
 * @internal Everything one transaction caches, and the one place that decides what it may keep:
 * the records it read or wrote (so reads see its own writes), the ids known to exist (so
 * reference checks hit the database once), the pipeline stages, and the tables it wrote. It
 * shares with later transactions only what is committed: ids and stages read from tables it has
 * not written. Forgetting always reaches the engine's shared cache too, so a cache may miss but
 * never lie, even when this transaction rolls back.
 */
export class TransactionCache {
  readonly #records = new Map<string, StoredRecord>();
  readonly #knownIds = new Map<string, Set<string>>();
  readonly #stages = new Map<string, readonly CachedStage[]>();
  readonly #written = new Set<string>();
  readonly #tenantId: string;
  readonly #engineShared: SharedCache;
  readonly #shared: SharedCache | undefined;

  /**
   * @param engineShared the engine's shared cache (forgotten ids always leave it).
   * @param sharedValid whether the change counter said the shared cache holds for this
   *   transaction (only then is it read and filled).
   */
  constructor(tenantId: string, engineShared: SharedCache, sharedValid: boolean) {
    this.#tenantId = tenantId;
    this.#engineShared = engineShared;
    this.#shared = sharedValid ? engineShared : undefined;
  }

  /** A record read or written in this transaction. */
  record(table: string, id: string): StoredRecord | undefined {
    return this.#records.get(`${table}:${id}`);
  }

  /** Remembers a record for the rest of the transaction (oldest out first). */
  rememberRecord(table: string, record: StoredRecord): void {
    const key = `${table}:${record.id}`;
    this.#records.delete(key);
    if (this.#records.size >= recordCacheSize) {
      const oldest = this.#records.keys().next().value;
      if (oldest !== undefined) this.#records.delete(oldest);
    }
    this.#records.set(key, record);
  }

  /** Forgets a record and its id (here and in the shared cache). */
  forgetRecord(table: string, id: string): void {
    this.#records.delete(`${table}:${id}`);
    this.#knownIds.get(table)?.delete(id);
    this.#engineShared.knownIds.get(sharedKey(this.#tenantId, table))?.delete(id);
  }

  /** Forgets every cached record and id of a table, after a write outside the repository. */
  forgetTable(table: string): void {
    this.markWritten(table);
    this.#engineShared.knownIds.delete(sharedKey(this.#tenantId, table));
    for (const key of [...this.#records.keys()]) {
      if (key.startsWith(`${table}:`)) this.#records.delete(key);
    }
    this.#knownIds.delete(table);
  }

  /** Whether an id is known to exist, by this transaction or by the shared cache. */
  isKnown(table: string, id: string): boolean {
    if (this.#knownIds.get(table)?.has(id)) return true;
    return this.#shared?.knownIds.get(sharedKey(this.#tenantId, table))?.has(id) === true;
  }

  /**
   * A test of whether ids of one table are known, for checking many at once (the sets are
   * looked up once, not per id).
   */
  knownIdsOf(table: string): (id: string) => boolean {
    const own = this.#knownIds.get(table);
    const shared = this.#shared?.knownIds.get(sharedKey(this.#tenantId, table));
    return (id) => own?.has(id) === true || shared?.has(id) === true;
  }

  /** Remembers an id this transaction wrote (it may roll back: not shared). */
  rememberWrittenId(table: string, id: string): void {
    addBounded(this.#knownIds, table, id);
  }

  /**
   * Remembers an id read from the database, and shares it with later transactions when this
   * transaction has not written the table (so the row is committed).
   */
  rememberReadId(table: string, id: string): void {
    addBounded(this.#knownIds, table, id);
    if (this.#shared && !this.#written.has(table)) {
      addBounded(this.#shared.knownIds, sharedKey(this.#tenantId, table), id);
    }
  }

  /** Notes that this transaction wrote a table (what it reads from it may be uncommitted). */
  markWritten(table: string): void {
    this.#written.add(table);
    // Stages read before this transaction changed a pipeline no longer hold, not even here.
    if (table === 'pipelines') this.#stages.clear();
  }

  /** Whether this transaction wrote a table. */
  hasWritten(table: string): boolean {
    return this.#written.has(table);
  }

  /** The stages of a pipeline, if this transaction or (while it wrote no pipeline) the engine knows them. */
  stages(pipelineId: string): readonly CachedStage[] | undefined {
    const own = this.#stages.get(pipelineId);
    if (own) return own;
    if (this.#written.has('pipelines')) return undefined;
    const shared = this.#shared?.stages.get(sharedKey(this.#tenantId, pipelineId));
    if (shared) this.#stages.set(pipelineId, shared);
    return shared;
  }

  /** Remembers the stages read for a pipeline (shared when this transaction wrote no pipeline). */
  rememberStages(pipelineId: string, stages: readonly CachedStage[]): void {
    this.#stages.set(pipelineId, stages);
    // The stages were read from the pipeline's row, so it exists: a reference check of the same
    // pipeline (an opportunity's pipelineId) needs no second lookup.
    this.rememberReadId('pipelines', pipelineId);
    if (this.#shared && !this.#written.has('pipelines')) {
      this.#shared.stages.set(sharedKey(this.#tenantId, pipelineId), stages);
    }
  }

  /** What ends the transaction: stages read before it changed a pipeline are stale now. */
  close(): void {
    if (this.#written.has('pipelines')) this.#engineShared.stages.clear();
  }
}
