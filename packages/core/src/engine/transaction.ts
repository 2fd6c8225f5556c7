import { CompiledQuery, type Transaction } from 'kysely';
import { withoutHidden } from '../objects/object-definition.js';
import type { AnyDatabase } from '../storage/migration-context.js';
import type { EngineState, ScopeState } from './engine-state.js';
import type { PendingEvent, RecordEvent } from './events.js';
import { clearSharedCache, TransactionCache } from './transaction-cache.js';

/**
 * @internal Runs `work` in the scope's transaction, or in a new one. Events queued during the
 * transaction fire after it commits, and are dropped when it rolls back.
 */
export async function inTransaction<TResult>(
  state: ScopeState,
  work: (txState: ScopeState) => Promise<TResult>,
): Promise<TResult> {
  if (state.tx) return work(state);
  const events: PendingEvent[] = [];
  const { engine } = state;
  let cache: TransactionCache | undefined;
  let result: TResult;
  try {
    result = await engine.db.transaction().execute(async (trx) => {
      cache = new TransactionCache(state.tenantId, engine.shared, await sharedIsValid(engine, trx));
      const txState: ScopeState = {
        engine,
        tenantId: state.tenantId,
        actor: state.actor,
        cache: state.cache,
        tx: { trx, events, cache },
      };
      const done = await work(txState);
      // What the upkeep held back to write once (the rollups' cells, in key order) goes in now.
      await engine.upkeep?.committing?.(txState);
      return done;
    });
  } finally {
    // Rereading the stages after a rollback is harmless; keeping stale ones is not.
    cache?.close();
  }
  for (const event of events) {
    // Cast: queueEvent paired type and payload when it was queued.
    engine.events.emit(event.type, event.payload as never);
  }
  return result;
}

const counterQueries = new WeakMap<EngineState, CompiledQuery>();

/**
 * Whether the engine's shared cache holds for this transaction: the storage can say whether
 * another connection committed since it was filled (and it is emptied when one did). Read
 * inside the transaction, so what the cache says holds for the transaction's snapshot.
 */
async function sharedIsValid(engine: EngineState, trx: Transaction<AnyDatabase>): Promise<boolean> {
  const text = engine.storage.changeCounterSql;
  if (text === undefined) return false;
  let query = counterQueries.get(engine);
  if (!query) {
    query = CompiledQuery.raw(text);
    counterQueries.set(engine, query);
  }
  const { rows } = await trx.executeQuery<Record<string, unknown>>(query);
  const first = rows[0];
  const counter = first === undefined ? undefined : Object.values(first)[0];
  const { shared } = engine;
  if (counter === undefined || counter !== shared.counter) {
    clearSharedCache(shared);
    shared.counter = counter;
  }
  return counter !== undefined;
}

/**
 * @internal Queues an event to fire after commit, when something listens to it (a listener
 * subscribed when the event is queued): an import of a million rows in one transaction then holds
 * no million events nobody reads.
 */
export function queueEvent(state: ScopeState, event: PendingEvent): void {
  if (!state.tx) throw new Error('queueEvent outside a transaction');
  const listeners = state.engine.events.all;
  if (!listeners.get(event.type)?.length && !listeners.get('*')?.length) return;
  state.tx.events.push(publicEvent(state, event));
}

/** An event as listeners (app and plugin code) get it: its records without hidden fields. */
function publicEvent(state: ScopeState, event: PendingEvent): PendingEvent {
  // Not every event is about a record (`lead.converted` names ids): those pass as they are.
  const payload: Partial<RecordEvent> = 'record' in event.payload ? event.payload : {};
  const { record, previous } = payload;
  if (typeof payload.object !== 'string' || record === undefined) return event;
  const definition = state.engine.objects[payload.object];
  if (!definition) return event;
  const stripped = {
    ...payload,
    record: withoutHidden(definition, record),
    ...(previous === undefined ? {} : { previous: withoutHidden(definition, previous) }),
  };
  // Cast: the payload is the event's own, less fields its type does not declare.
  return { ...event, payload: stripped } as PendingEvent;
}
