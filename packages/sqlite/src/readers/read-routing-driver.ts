import type Database from 'better-sqlite3';
import type {
  CompiledQuery,
  DatabaseConnection,
  Driver,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely';
import { lockSafe } from '../sqlite-lock-driver.js';
import type { ReaderPool } from './reader-pool.js';

/** @internal Tells whether a SQL text only reads, so that a reader may run it. */
export type ReadTest = (sql: string) => boolean;

/** How many SQL texts the read test remembers its answer for. */
const decisionCapacity = 2_000;

/**
 * @internal A {@link ReadTest} that asks SQLite itself: a statement goes to a reader when it is a
 * SELECT (or WITH ... SELECT) that returns rows and that SQLite calls read-only
 * (`sqlite3_stmt_readonly`), so a CTE that writes, a pragma or a transaction command stays on the
 * writer. Prepared once per text on the writer's connection; the answer is remembered.
 */
export function readTestOf(database: Database.Database): ReadTest {
  const decisions = new Map<string, boolean>();
  return (text) => {
    const known = decisions.get(text);
    if (known !== undefined) return known;
    if (!/^\s*(select|with)\b/i.test(text)) return false;
    let read: boolean;
    try {
      const statement = database.prepare(text);
      read = statement.reader && statement.readonly;
    } catch {
      // It fails on the writer too, with the error the caller expects; not remembered, since
      // the table it names may exist after a migration.
      return false;
    }
    if (decisions.size >= decisionCapacity) decisions.clear();
    decisions.set(text, read);
    return read;
  };
}

/**
 * @internal A connection that holds the writer only while it needs it: in a transaction every
 * statement runs on the writer (a transaction reads its own writes); outside one, a read goes to
 * the reader pool and a write takes the writer for that one statement.
 */
class RoutingConnection implements DatabaseConnection {
  readonly #writer: Driver;
  readonly #pool: ReaderPool;
  readonly #isRead: ReadTest;
  #held: DatabaseConnection | undefined;

  constructor(writer: Driver, pool: ReaderPool, isRead: ReadTest) {
    this.#writer = writer;
    this.#pool = pool;
    this.#isRead = isRead;
  }

  /** The writer's connection, taken (waiting for the writer's mutex) if not held yet. */
  async hold(): Promise<DatabaseConnection> {
    this.#held ??= await this.#writer.acquireConnection();
    return this.#held;
  }

  /** The writer's connection of a running transaction. */
  held(): DatabaseConnection {
    if (!this.#held) throw new Error('no transaction is running on this connection');
    return this.#held;
  }

  async release(): Promise<void> {
    const held = this.#held;
    if (!held) return;
    this.#held = undefined;
    await this.#writer.releaseConnection(held);
  }

  async executeQuery<TRow>(query: CompiledQuery): Promise<QueryResult<TRow>> {
    if (this.#held) return this.#held.executeQuery<TRow>(query);
    if (this.#isRead(query.sql)) {
      // Cast: the reader returns the rows of this query, whose row type the caller chose.
      const rows = (await lockSafe(() => this.#pool.run(query.sql, query.parameters))) as TRow[];
      return { rows };
    }
    const writer = await this.#writer.acquireConnection();
    try {
      return await writer.executeQuery<TRow>(query);
    } finally {
      await this.#writer.releaseConnection(writer);
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
    // Streaming iterates a statement on one connection: the writer's, held until the stream ends.
    const writer = await this.#writer.acquireConnection();
    try {
      yield* writer.streamQuery<TRow>(query, chunkSize);
    } finally {
      await this.#writer.releaseConnection(writer);
    }
  }
}

function routing(connection: DatabaseConnection): RoutingConnection {
  if (!(connection instanceof RoutingConnection)) {
    throw new Error('a connection from another driver was passed to the SQLite read router');
  }
  return connection;
}

/**
 * @internal The SQLite driver with readers: writes and every statement inside a transaction stay
 * serialised on the one write connection (the writer driver's mutex); a SELECT outside a
 * transaction runs on a reader thread, so it neither blocks the event loop nor waits for writes.
 */
export class ReadRoutingDriver implements Driver {
  readonly #writer: Driver;
  readonly #pool: ReaderPool;
  readonly #isRead: ReadTest;

  constructor(writer: Driver, pool: ReaderPool, isRead: ReadTest) {
    this.#writer = writer;
    this.#pool = pool;
    this.#isRead = isRead;
  }

  init(): Promise<void> {
    return this.#writer.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new RoutingConnection(this.#writer, this.#pool, this.#isRead);
  }

  async beginTransaction(
    connection: DatabaseConnection,
    settings: TransactionSettings,
  ): Promise<void> {
    await this.#writer.beginTransaction(await routing(connection).hold(), settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#writer.commitTransaction(routing(connection).held());
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#writer.rollbackTransaction(routing(connection).held());
  }

  async savepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.#writer.savepoint?.(routing(connection).held(), name, compile);
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.#writer.rollbackToSavepoint?.(routing(connection).held(), name, compile);
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.#writer.releaseSavepoint?.(routing(connection).held(), name, compile);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return routing(connection).release();
  }

  async destroy(): Promise<void> {
    await this.#pool.close();
    await this.#writer.destroy();
  }
}
