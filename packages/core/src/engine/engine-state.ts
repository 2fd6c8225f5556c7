import type { Kysely, Transaction } from 'kysely';
import type { z } from 'zod';
import type { AnyObjectDefinition } from '../objects/object-definition.js';
import type { RapportDatabase } from '../objects/rapport-database.js';
import type { AnyDatabase } from '../storage/migration-context.js';
import type { RapportStorage } from '../storage/storage-adapter.js';
import type { Actor } from '../tenancy/actor.js';
import type { SharingSettings } from '../tenancy/sharing.js';
import type { Tenant } from '../tenancy/tenant.js';
import type { EventBus } from './event-bus.js';
import type { PendingEvent } from './events.js';
import type { ObjectHooks } from './hooks.js';
import type { RecordUpkeep } from './record-upkeep.js';
import type { StoredRecord } from './stored-record.js';
import type { SharedCache, TransactionCache } from './transaction-cache.js';

/**
 * @internal What the record engine keeps of a plugin. The plugin contract sits above the engine
 * (it types hooks and `init` with the scope), so the engine sees plugins only through this.
 */
export interface RegisteredPlugin {
  readonly id: string;
  /** The plugin's own tables, by name. */
  readonly tables?: object;
}

/** @internal Everything a scope needs from the engine. */
export interface EngineState {
  readonly db: Kysely<AnyDatabase>;
  readonly storage: RapportStorage;
  readonly plugins: readonly RegisteredPlugin[];
  readonly objects: Readonly<Record<string, AnyObjectDefinition>>;
  /** Custom field schema per object (strict). */
  readonly customSchemas: Readonly<Record<string, z.ZodObject>>;
  /** Hooks per object, plugins first, then the config's. */
  readonly hooks: Readonly<Record<string, readonly ObjectHooks[]>>;
  readonly events: EventBus;
  readonly now: () => Date;
  /** Object-specific write rules (stage history, line item sums, ...). */
  readonly rules: Readonly<Record<string, ObjectRules | undefined>>;
  /** Makes the public scope for a state (hooks receive it). */
  readonly scopeFactory: (state: ScopeState) => unknown;
  /** What the engine keeps between transactions (see {@link SharedCache}). */
  readonly shared: SharedCache;
  /**
   * Derived data writes keep in their transaction: this engine's rollups, and the guard that
   * forgets the builds of rollups other engines keep.
   */
  readonly upkeep?: RecordUpkeep;
}

/** @internal State of one running transaction. */
export interface TransactionState {
  readonly trx: Transaction<AnyDatabase>;
  readonly events: PendingEvent[];
  /** What the transaction caches: records, known ids, stages, written tables. */
  readonly cache: TransactionCache;
}

/**
 * @internal What a scope loads once and keeps (its transactions share it): the tenant row, the
 * sharing settings, the actor's hierarchy and team, and the owner sets per object and access.
 * Writes that change them (settings, sharing) delete what they changed.
 */
export interface ScopeCache {
  tenant?: Tenant;
  sharing?: SharingSettings;
  people?: { readonly hierarchy: ReadonlySet<string>; readonly team?: ReadonlySet<string> };
  owners?: Map<string, ReadonlySet<string> | 'all'>;
}

/** @internal The state behind one scope (tenant, actor, maybe a transaction). */
export interface ScopeState {
  readonly engine: EngineState;
  readonly tenantId: string;
  readonly actor: Actor;
  readonly tx: TransactionState | undefined;
  /** Lazily loaded per scope; shared with child transaction scopes. */
  readonly cache: ScopeCache;
  /**
   * The instant this state's writes take as now, when it is not the engine's clock (a history
   * import writes each record as of its own creation). Read through {@link nowOf}. On the state,
   * not a copy of the engine: the engine's identity keys its rollup plan and compiled statements.
   */
  readonly now?: () => Date;
}

/** @internal Now for a scope state: its own instant (a history import's), else the engine's clock. */
export function nowOf(state: ScopeState): Date {
  return state.now ? state.now() : state.engine.now();
}

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

/**
 * @internal The database handle of a scope (its transaction when it has one), erased: for
 * queries over a table named at run time (the repository's one implementation for every
 * object, KPI sources). Queries over a core table by name use {@link coreDbOf}.
 */
export function dbOf(state: ScopeState): Kysely<AnyDatabase> {
  return state.tx?.trx ?? state.engine.db;
}

/** @internal The database handle of a scope, typed with core's tables: a wrong column does not compile. */
export function coreDbOf(state: ScopeState): Kysely<RapportDatabase> {
  return dbOf(state);
}
