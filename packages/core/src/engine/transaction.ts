import type { ScopeState } from './engine-state.js';
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
  const result = await state.engine.db
    .transaction()
    .execute((trx) =>
      work({ ...state, tx: { trx, events, knownIds: new Map(), records: new Map() } }),
    );
  for (const event of events) {
    state.engine.events.emit(event.type, event.payload as never);
  }
  return result;
}

/** @internal Queues an event to fire after commit. */
export function queueEvent(state: ScopeState, event: PendingEvent): void {
  if (!state.tx) throw new Error('queueEvent outside a transaction');
  state.tx.events.push(event);
}
