import { CompiledQuery, type Transaction } from 'kysely';
import type { AnyDatabase } from '../migrations/migration-context.js';
import type { EngineState, ScopeState, SharedCache, TransactionState } from './engine-state.js';
import type { PendingEvent } from './events.js';

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
  const written = new Set<string>();
  const { engine } = state;
  let result: TResult;
  try {
    result = await engine.db.transaction().execute(async (trx) => {
      const tx: TransactionState = {
        trx,
        events,
        knownIds: new Map(),
        records: new Map(),
        shared: await validShared(engine, trx),
        written,
      };
      return work({ ...state, tx });
    });
  } finally {
    // Stages read before this transaction changed a pipeline are stale now (and harmless to
    // reread after a rollback).
    if (written.has('pipelines')) engine.shared.stages.clear();
  }
  for (const event of events) {
    engine.events.emit(event.type, event.payload as never);
  }
  return result;
}

const counterQueries = new WeakMap<EngineState, CompiledQuery>();

/**
 * The engine's shared cache if the storage can say whether another connection committed since
 * it was filled (and it is emptied when one did); undefined otherwise. Read inside the
 * transaction, so what the cache says holds for the transaction's snapshot.
 */
async function validShared(
  engine: EngineState,
  trx: Transaction<AnyDatabase>,
): Promise<SharedCache | undefined> {
  const text = engine.storage.changeCounterSql;
  if (text === undefined) return undefined;
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
    shared.stages.clear();
    shared.knownIds.clear();
    shared.counter = counter;
  }
  return counter === undefined ? undefined : shared;
}

/** @internal Queues an event to fire after commit. */
export function queueEvent(state: ScopeState, event: PendingEvent): void {
  if (!state.tx) throw new Error('queueEvent outside a transaction');
  state.tx.events.push(event);
}
