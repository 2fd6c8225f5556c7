import type { AnyObjectDefinition } from '../objects/object-definition.js';
import type { ScopeState } from './engine-state.js';
import type { StoredRecord } from './stored-record.js';

/**
 * @internal Derived data that writes keep in their own transaction (the rollups): the write
 * path tells it what each write does, step by step. Defined here and implemented above the
 * engine (`rollups/`), so the write path does not depend on what is kept.
 */
export interface RecordUpkeep {
  /** Rows were inserted (once per batch). */
  inserted(
    state: ScopeState,
    definition: AnyObjectDefinition,
    records: readonly StoredRecord[],
  ): Promise<void>;
  /** A row is about to be updated with these changed fields. */
  updating(
    state: ScopeState,
    definition: AnyObjectDefinition,
    previous: StoredRecord,
    changed: Readonly<Record<string, unknown>>,
    customChanged: boolean,
  ): Promise<WriteUpkeep<StoredRecord>>;
  /** Rows are about to be deleted. */
  deleting(
    state: ScopeState,
    definition: AnyObjectDefinition,
    records: readonly StoredRecord[],
  ): Promise<WriteUpkeep<void>>;
  /**
   * The rows of `definition` whose `via` field holds one of `parentIds` (the stage history of
   * some deals) are about to be rewritten below the repository (kept values, a raw delete).
   */
  rewriting?(
    state: ScopeState,
    definition: AnyObjectDefinition,
    via: string,
    parentIds: readonly string[],
  ): Promise<WriteUpkeep<void>>;
  /** The transaction's work is done and it is about to commit: write what was held back. */
  committing?(state: ScopeState): Promise<void>;
}

/** @internal The rest of one write's upkeep: after it succeeded, or when it did not happen. */
export interface WriteUpkeep<TResult> {
  /** The write did not change the row (a failed statement or a stale version): put back. */
  restore(): Promise<void>;
  /** The write is done. */
  done(result: TResult): Promise<void>;
}

/** @internal Upkeep for an engine that keeps nothing. */
const nothingKept: WriteUpkeep<unknown> = { restore: async () => {}, done: async () => {} };

/** @internal What a write must tell: the engine's upkeep, or nothing. */
export function upkeepOf(state: ScopeState): RecordUpkeep | undefined {
  return state.engine.upkeep;
}

/** @internal The upkeep of an update, or a no-op one. */
export async function updateUpkeep(
  state: ScopeState,
  definition: AnyObjectDefinition,
  previous: StoredRecord,
  changed: Readonly<Record<string, unknown>>,
  customChanged: boolean,
): Promise<WriteUpkeep<StoredRecord>> {
  const upkeep = upkeepOf(state);
  return upkeep
    ? upkeep.updating(state, definition, previous, changed, customChanged)
    : nothingKept;
}

/** @internal The upkeep of a delete, or a no-op one. */
export async function deleteUpkeep(
  state: ScopeState,
  definition: AnyObjectDefinition,
  records: readonly StoredRecord[],
): Promise<WriteUpkeep<void>> {
  const upkeep = upkeepOf(state);
  return upkeep && records.length > 0 ? upkeep.deleting(state, definition, records) : nothingKept;
}

/**
 * @internal The upkeep of a rewrite below the repository of the rows of some parents (see
 * {@link RecordUpkeep.rewriting}), or a no-op one. Call `done` after the rewrite, in the same
 * transaction, with the parents' rows locked (every writer of them holds the parent's row).
 */
export async function rewriteUpkeep(
  state: ScopeState,
  definition: AnyObjectDefinition,
  via: string,
  parentIds: readonly string[],
): Promise<WriteUpkeep<void>> {
  const rewriting = upkeepOf(state)?.rewriting;
  return rewriting && parentIds.length > 0
    ? rewriting(state, definition, via, parentIds)
    : nothingKept;
}
