import { AsyncLocalStorage } from 'node:async_hooks';

const signals = new AsyncLocalStorage<AbortSignal>();

/**
 * @internal Runs `work` so that every statement it issues sees `signal` through
 * {@link statementSignal}: what a KPI evaluation does with the signal of its caller.
 */
export function withStatementSignal<T>(
  signal: AbortSignal | undefined,
  work: () => Promise<T>,
): Promise<T> {
  return signal ? signals.run(signal, work) : work();
}

/**
 * The abort signal of the work that issues the statement now being run, if it has one (a KPI
 * evaluation whose HTTP client may go away): a storage adapter reads it in its driver to stop a
 * statement that runs for an evaluation no one waits for any more (Postgres cancels its backend).
 *
 * @example
 * const signal = statementSignal();
 * if (signal?.aborted) throw signal.reason;
 */
export function statementSignal(): AbortSignal | undefined {
  return signals.getStore();
}
