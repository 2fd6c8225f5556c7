import type { Kysely, Transaction } from 'kysely';
import type { z } from 'zod';
import type { KpiRegistry } from '../kpi/kpi-registry.js';
import type { AnyDatabase } from '../migrations/migration-context.js';
import type { AnyObjectDefinition } from '../objects/object-definition.js';
import type { AnyRapportPlugin } from '../plugins/define-plugin.js';
import type { RapportStorage } from '../storage/storage-adapter.js';
import type { Actor } from '../tenancy/actor.js';
import type { Tenant } from '../tenancy/tenant.js';
import type { EventBus } from './event-bus.js';
import type { PendingEvent } from './events.js';
import type { ObjectHooks } from './hooks.js';
import type { ObjectRules, StoredRecord } from './object-rules.js';

/** @internal Everything a scope needs from the engine. */
export interface EngineState {
  readonly db: Kysely<AnyDatabase>;
  readonly storage: RapportStorage;
  readonly plugins: readonly AnyRapportPlugin[];
  /** The plugins' KPIs by id, checked once by `createCrm`. */
  readonly kpis: KpiRegistry;
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
}

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
  readonly stages: Map<string, unknown>;
  /** Ids read from the database (committed), by `tenantId` and table. */
  readonly knownIds: Map<string, Set<string>>;
}

/** @internal State of one running transaction. */
export interface TransactionState {
  readonly trx: Transaction<AnyDatabase>;
  readonly events: PendingEvent[];
  /** Ids known to exist, per table, so reference checks in a batch hit the database once. */
  readonly knownIds: Map<string, Set<string>>;
  /**
   * Records read or written in this transaction, by `table:id` (bounded). Every write path of
   * the repository updates it, so reads within the transaction see their own writes.
   */
  readonly records: Map<string, StoredRecord>;
  /** The engine's shared cache, when the change counter said it is valid for this transaction. */
  readonly shared: SharedCache | undefined;
  /** Tables this transaction wrote: what it reads from them may be uncommitted. */
  readonly written: Set<string>;
}

/** @internal The state behind one scope (tenant, actor, maybe a transaction). */
export interface ScopeState {
  readonly engine: EngineState;
  readonly tenantId: string;
  readonly actor: Actor;
  readonly tx: TransactionState | undefined;
  /** Lazily loaded per scope; shared with child transaction scopes. */
  readonly cache: { tenant?: Tenant; visibleOwners?: ReadonlySet<string> | 'all' };
}

/** @internal A shared cache key: tenant and name, which never contain a newline together. */
export function sharedKey(tenantId: string, name: string): string {
  return `${tenantId}\n${name}`;
}

/** @internal The database handle of a scope: its transaction when it has one. */
export function dbOf(state: ScopeState): Kysely<AnyDatabase> {
  return state.tx?.trx ?? state.engine.db;
}
