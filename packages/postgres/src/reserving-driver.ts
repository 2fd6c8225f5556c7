import { statementSignal } from '@rapport/core/storage';
import type {
  CompiledQuery,
  DatabaseConnection,
  Driver,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely';

/** How many SQL texts the driver remembers run times for. */
const estimateCapacity = 2_000;

/** How many of a text's latest run times the driver keeps: its estimate is their minimum. */
const keptRuns = 8;

/**
 * Statements whose latest runs all took longer than this (ms) are long: a dashboard's
 * aggregates. A statement that has not run yet counts as short, once: its first run, not the
 * copies issued while that one is still running, so a new list query never waits behind the
 * aggregates and the first dashboards after a start cannot fill the pool with their own.
 */
const shortMs = 10;

/** @internal Options of a {@link ReservingDriver}. */
export interface ReservingDriverOptions {
  /** The pool's size. */
  readonly poolSize: number;
  /** How many of its connections long statements may never take (at least one stays usable). */
  readonly reserved: number;
  /** The backend process id of a pooled connection, once known. */
  readonly backendOf: (connection: DatabaseConnection) => number | undefined;
  /** Cancels what a backend runs (`pg_cancel_backend`), on a connection of its own. */
  readonly cancel: (backend: number) => Promise<void>;
}

/** A counting semaphore: at most `permits` holders, the others wait in arrival order. */
class Semaphore {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(permits: number) {
    this.#free = permits;
  }

  async acquire(): Promise<() => void> {
    if (this.#free > 0) this.#free -= 1;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      // The permit passes straight to the next waiter; only with none does it become free.
      if (next) next();
      else this.#free += 1;
    };
  }
}

/**
 * A connection that takes a pooled connection only when it runs something: in a transaction it
 * holds one from begin to commit; outside one, each statement takes one for itself, and a long
 * statement first takes a permit of the long statements' semaphore.
 */
class ReservingConnection implements DatabaseConnection {
  readonly #driver: ReservingDriver;
  #held: DatabaseConnection | undefined;

  constructor(driver: ReservingDriver) {
    this.#driver = driver;
  }

  async hold(): Promise<DatabaseConnection> {
    this.#held ??= await this.#driver.inner.acquireConnection();
    return this.#held;
  }

  held(): DatabaseConnection {
    if (!this.#held) throw new Error('no transaction is running on this connection');
    return this.#held;
  }

  async release(): Promise<void> {
    const held = this.#held;
    if (!held) return;
    this.#held = undefined;
    await this.#driver.inner.releaseConnection(held);
  }

  async executeQuery<TRow>(query: CompiledQuery): Promise<QueryResult<TRow>> {
    if (this.#held) return this.#held.executeQuery<TRow>(query);
    // The work that issues it was abandoned (a KPI evaluation whose client went away).
    const signal = statementSignal();
    signal?.throwIfAborted();
    const first = this.#driver.startsFirstRun(query.sql);
    const releasePermit =
      !first && this.#driver.long(query.sql)
        ? await this.#driver.longStatements.acquire()
        : undefined;
    try {
      signal?.throwIfAborted();
      const connection = await this.#driver.inner.acquireConnection();
      const backend = this.#driver.options.backendOf(connection);
      let cancelled: Promise<void> | undefined;
      const onAbort = () => {
        if (backend !== undefined) cancelled ??= this.#driver.options.cancel(backend);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const started = performance.now();
      try {
        return await connection.executeQuery<TRow>(query);
      } finally {
        signal?.removeEventListener('abort', onAbort);
        this.#driver.remember(query.sql, performance.now() - started);
        // The cancel is done before the connection serves anyone else: it must not reach the
        // next statement on this backend.
        await cancelled?.catch(() => undefined);
        await this.#driver.inner.releaseConnection(connection);
      }
    } finally {
      releasePermit?.();
      if (first) this.#driver.firstRunOver(query.sql);
    }
  }

  async *streamQuery<TRow>(
    query: CompiledQuery,
    chunkSize?: number,
  ): AsyncIterableIterator<QueryResult<TRow>> {
    if (this.#held) {
      yield* this.#held.streamQuery<TRow>(query, chunkSize);
      return;
    }
    const connection = await this.#driver.inner.acquireConnection();
    try {
      yield* connection.streamQuery<TRow>(query, chunkSize);
    } finally {
      await this.#driver.inner.releaseConnection(connection);
    }
  }
}

function reserving(connection: DatabaseConnection): ReservingConnection {
  if (!(connection instanceof ReservingConnection)) {
    throw new Error('a connection from another driver was passed to the Postgres driver');
  }
  return connection;
}

/**
 * @internal kysely's Postgres driver with connections kept for short statements: long ones (a
 * statement whose latest runs all took over 10 ms, as a dashboard's aggregates do) may use at
 * most `poolSize - reserved` of the pool's connections at once and queue for a permit beyond
 * that, so a list request issued while dashboards compute finds a free connection instead of
 * waiting for an aggregate to finish. The driver keeps each SQL text's latest run times (see
 * {@link ReservingDriver.long}). Transactions take their connection at begin, as before.
 *
 * A statement issued under an abort signal ({@link statementSignal}: a KPI evaluation whose HTTP
 * client went away) is not started once the signal aborted, and a running one is cancelled on
 * its backend (`pg_cancel_backend`), so an abandoned dashboard stops using the server's cores.
 */
export class ReservingDriver implements Driver {
  /** The driver that talks to the pool. */
  readonly inner: Driver;
  /** Permits for long statements outside transactions. */
  readonly longStatements: Semaphore;
  /** The options it was made with. */
  readonly options: ReservingDriverOptions;
  /** Per SQL text, its latest run times (ms), oldest first. */
  readonly #runs = new Map<string, number[]>();
  /** SQL texts whose first run is in flight. */
  readonly #firstRuns = new Set<string>();

  constructor(inner: Driver, options: ReservingDriverOptions) {
    this.inner = inner;
    this.options = options;
    this.longStatements = new Semaphore(Math.max(1, options.poolSize - options.reserved));
  }

  /**
   * Whether a statement is expected to run long: each of its latest runs took over
   * {@link shortMs}. The fastest of them, not an average: a run time is measured on this
   * process (until its rows are read), so on a busy machine a 1 ms lookup takes 30 ms now and
   * then, and an average would make it long, to wait for the aggregates' permits for seconds;
   * an aggregate is never fast. The price: a statement that became slow (its table grew) is
   * long after 8 slow runs. One that has not run yet is long while its first run (short, see
   * {@link startsFirstRun}) is in flight.
   */
  long(sql: string): boolean {
    const runs = this.#runs.get(sql);
    if (runs === undefined) return this.#firstRuns.has(sql);
    return Math.min(...runs) > shortMs;
  }

  /**
   * Whether a run of `sql` is its first: no run time is known and none is in flight. That run
   * counts as short; end it with {@link firstRunOver}.
   */
  startsFirstRun(sql: string): boolean {
    if (this.#runs.has(sql) || this.#firstRuns.has(sql)) return false;
    this.#firstRuns.add(sql);
    return true;
  }

  /** Keeps a run time of `sql`. */
  remember(sql: string, ms: number): void {
    let runs = this.#runs.get(sql);
    if (runs === undefined) {
      if (this.#runs.size >= estimateCapacity) this.#runs.clear();
      runs = [];
      this.#runs.set(sql, runs);
    }
    runs.push(ms);
    if (runs.length > keptRuns) runs.shift();
  }

  /** The first run of `sql` is over, done or not (aborted, failed). */
  firstRunOver(sql: string): void {
    this.#firstRuns.delete(sql);
  }

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new ReservingConnection(this);
  }

  async beginTransaction(
    connection: DatabaseConnection,
    settings: TransactionSettings,
  ): Promise<void> {
    await this.inner.beginTransaction(await reserving(connection).hold(), settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(reserving(connection).held());
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(reserving(connection).held());
  }

  async savepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.inner.savepoint?.(reserving(connection).held(), name, compile);
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.inner.rollbackToSavepoint?.(reserving(connection).held(), name, compile);
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.inner.releaseSavepoint?.(reserving(connection).held(), name, compile);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return reserving(connection).release();
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}
