import type { ScopeState } from './engine-state.js';

/** @internal A record as the engine handles it: plain fields plus `custom`. */
export type StoredRecord = Record<string, unknown> & {
  readonly id: string;
  readonly version: number;
  readonly custom: Record<string, unknown>;
};

/**
 * @internal Object-specific behaviour the engine applies around every write of one object:
 * deriving fields, writing dependent rows. Hooks from plugins run after `prepare` and before
 * `afterWrite`, inside the same transaction.
 */
export interface ObjectRules {
  /** Derives and checks fields of the values about to be stored. */
  prepare?(
    state: ScopeState,
    values: Record<string, unknown>,
    previous: StoredRecord | undefined,
  ): Promise<Record<string, unknown>>;
  /** Writes what follows from a stored create or update. */
  afterWrite?(
    state: ScopeState,
    record: StoredRecord,
    previous: StoredRecord | undefined,
  ): Promise<void>;
  /** Writes what follows from many stored creates at once (replaces `afterWrite` for bulk creates). */
  afterCreateMany?(state: ScopeState, records: readonly StoredRecord[]): Promise<void>;
  /** Removes dependent rows before a delete. */
  beforeDelete?(state: ScopeState, record: StoredRecord): Promise<void>;
  /** Updates what depended on a deleted record. */
  afterDelete?(state: ScopeState, record: StoredRecord): Promise<void>;
}
