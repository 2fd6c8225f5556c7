import { RapportError } from '@rapport/core';
import {
  CompiledQuery,
  type DatabaseConnection,
  type QueryResult,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely';

/** SQLite result codes that mean another connection holds a lock this one needs. */
const lockCodes = /^SQLITE_(BUSY|LOCKED)(_|$)/;

/**
 * @internal Whether a better-sqlite3 error is a lost lock race: `SQLITE_BUSY` after the busy
 * timeout, `SQLITE_BUSY_SNAPSHOT` (a reader that tried to write after another writer committed),
 * `SQLITE_LOCKED` and their extended codes.
 */
export function isLockError(error: unknown): boolean {
  const code =
    typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  return typeof code === 'string' && lockCodes.test(code);
}

/** The CONFLICT a caller retries on, in place of the driver's raw lock error. */
function lockConflict(error: unknown): RapportError {
  return new RapportError(
    'CONFLICT',
    'another connection held the database write lock past the busy timeout; retry',
    { cause: error },
  );
}

/**
 * @internal Runs `work` and turns a lock error it throws into CONFLICT (for the reader pool,
 * whose reads fail the same way when a checkpoint or recovery holds the file).
 */
export async function lockSafe<TResult>(work: () => Promise<TResult>): Promise<TResult> {
  try {
    return await work();
  } catch (error) {
    throw isLockError(error) ? lockConflict(error) : error;
  }
}

/**
 * A connection whose lock errors surface as CONFLICT wherever they happen: in `begin immediate`
 * (the usual place), in a statement, or in `commit`.
 */
class LockTranslatingConnection implements DatabaseConnection {
  readonly #inner: DatabaseConnection;
  constructor(inner: DatabaseConnection) {
    this.#inner = inner;
  }
  executeQuery<TRow>(query: CompiledQuery): Promise<QueryResult<TRow>> {
    // kysely's SqliteConnection throws synchronously from better-sqlite3; lockSafe awaits inside
    // its try, which catches both that and a rejected promise.
    return lockSafe(() => this.#inner.executeQuery<TRow>(query));
  }
  async *streamQuery<TRow>(query: CompiledQuery, chunkSize?: number) {
    try {
      yield* this.#inner.streamQuery<TRow>(query, chunkSize);
    } catch (error) {
      throw isLockError(error) ? lockConflict(error) : error;
    }
  }
}

/**
 * @internal kysely's SQLite driver runs a deferred `begin`: the transaction reads a snapshot and
 * asks for the write lock only at its first write, and if another connection committed in between
 * SQLite fails at once with SQLITE_BUSY_SNAPSHOT (the busy timeout does not apply). Rapport's
 * transactions read then write, so a writable connection begins with `begin immediate`: it waits
 * (up to the busy timeout) for the write lock before it reads anything, and a writer that still
 * cannot get it gets CONFLICT. A read-only connection keeps the deferred `begin`.
 */
export class ImmediateSqliteDriver extends SqliteDriver {
  readonly #immediate: boolean;
  readonly #wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();
  constructor(config: SqliteDialectConfig, immediate: boolean) {
    super(config);
    this.#immediate = immediate;
  }
  override async acquireConnection(): Promise<DatabaseConnection> {
    const inner = await super.acquireConnection();
    let wrapped = this.#wrapped.get(inner);
    if (!wrapped) {
      wrapped = new LockTranslatingConnection(inner);
      this.#wrapped.set(inner, wrapped);
    }
    return wrapped;
  }
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(this.#immediate ? 'begin immediate' : 'begin'));
  }
}
