import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { ColumnTypes, DialectSql, RapportStorage } from '@rapport/core';
import Database from 'better-sqlite3';
import {
  type Driver,
  SqliteAdapter,
  type SqliteDatabase,
  SqliteDialect,
  type SqliteDialectConfig,
  sql,
} from 'kysely';
import { ReadRoutingDriver, readTestOf } from './readers/read-routing-driver.js';
import { ReaderPool } from './readers/reader-pool.js';
import { ImmediateSqliteDriver, isLockError } from './sqlite-lock-driver.js';

/**
 * Options of {@link sqliteStorage}.
 *
 * @example
 * const config: SqliteStorageConfig = { filename: 'crm.sqlite' };
 */
export interface SqliteStorageConfig {
  /** A file path, or `:memory:` for a database that lives as long as the process. */
  readonly filename?: string;
  /** An open better-sqlite3 database instead of a file name. */
  readonly database?: Database.Database;
  /** Open read-only (for KPI readers beside a writer). */
  readonly readonly?: boolean;
  /**
   * How long a write transaction waits for another connection's write lock before it fails with
   * CONFLICT, in milliseconds; 5000 by default. better-sqlite3 waits synchronously, so this also
   * bounds how long one request can hold the event loop while it waits.
   */
  readonly busyTimeoutMs?: number;
  /**
   * How many reader threads run SELECTs outside a transaction, each on its own read-only
   * connection to the same file, so that a long read (a dashboard's KPIs) neither blocks the
   * event loop nor makes other requests wait. Writes and every statement inside a transaction
   * stay on the one write connection. `0` runs everything on that connection, as an in-memory
   * database (`:memory:`) or a file not in WAL mode always does. Long statements (over 10 ms
   * when last run) use all readers but one, which stays free for short ones, so a list never
   * waits for a dashboard's aggregate. By default one more than the machine's cores (at most
   * 4 + 1): 3 on 2 cores. The threads start on the first read.
   */
  readonly readers?: number;
}

/**
 * The SQLite storage, with its better-sqlite3 handle for tools that need it (backups, bench).
 *
 * @example
 * const storage = sqliteStorage({ filename: ':memory:' });
 * storage.database.pragma('journal_mode'); // 'memory'
 */
export interface SqliteStorage extends RapportStorage {
  /** The better-sqlite3 database (the write connection). */
  readonly database: Database.Database;
  /** How many reader threads serve reads outside transactions (0: all on `database`). */
  readonly readers: number;
}

const types: ColumnTypes = {
  text: 'text',
  bigint: 'integer',
  integer: 'integer',
  double: 'real',
  timestamp: 'text',
  date: 'text',
  json: 'text',
};

const dialectSql: DialectSql = {
  jsonValue(json, key, kind) {
    const path = `$.${JSON.stringify(key)}`;
    return kind === 'number'
      ? sql`cast(json_extract(${json}, ${path}) as real)`
      : sql`json_extract(${json}, ${path})`;
  },
  daysBetween(from, to) {
    return sql<number>`(julianday(${to}) - julianday(${from}))`;
  },
  jsonParameter: (value) => JSON.stringify(value),
  parseJson: (value) => (typeof value === 'string' ? JSON.parse(value) : value),
  classifyError(error) {
    const code =
      typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
      return 'unique';
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'foreign_key';
    if (isLockError(error)) return 'serialization';
    if (
      code === 'SQLITE_ERROR' &&
      /^no such table: /.test(error instanceof Error ? error.message : '')
    )
      return 'missing_table';
    return undefined;
  },
};

/**
 * kysely prepares a statement for every query; preparing costs more than running most of
 * Rapport's small queries. The engine issues the same few hundred SQL texts over and over, so a
 * bounded cache of prepared statements by SQL text removes that cost.
 */
function withStatementCache(database: Database.Database, size = 500): SqliteDatabase {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => {
      cache.clear();
      database.close();
    },
    prepare(text: string) {
      let statement = cache.get(text);
      if (statement) {
        // Move to the end: the map's order is the eviction order.
        cache.delete(text);
      } else {
        statement = database.prepare(text);
        if (cache.size >= size) {
          const oldest = cache.keys().next().value;
          if (oldest !== undefined) cache.delete(oldest);
        }
      }
      cache.set(text, statement);
      return statement;
    },
  };
}

/**
 * SQLite's DDL is transactional, but kysely's adapter says it is not, so its Migrator would run
 * migrations outside a transaction and a failing one would leave half a schema behind.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** Where reads outside a transaction go, when the storage has readers. */
interface ReaderSetup {
  readonly database: Database.Database;
  readonly size: number;
  readonly busyTimeoutMs: number;
}

class RapportSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  readonly #immediate: boolean;
  readonly #readers: ReaderSetup | undefined;
  constructor(config: SqliteDialectConfig, immediate: boolean, readers: ReaderSetup | undefined) {
    super(config);
    this.#config = config;
    this.#immediate = immediate;
    this.#readers = readers;
  }
  override createAdapter(): SqliteAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
  override createDriver(): Driver {
    const writer = new ImmediateSqliteDriver(this.#config, this.#immediate);
    const readers = this.#readers;
    if (!readers) return writer;
    const pool = new ReaderPool({
      filename: resolve(readers.database.name),
      size: readers.size,
      busyTimeoutMs: readers.busyTimeoutMs,
    });
    return new ReadRoutingDriver(writer, pool, readTestOf(readers.database));
  }
}

/** The reader count in effect: none for a database other connections cannot share. */
function readerCount(database: Database.Database, requested: number | undefined): number {
  const count = requested ?? Math.min(4, availableParallelism()) + 1;
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`readers must be a whole number >= 0, got ${count}`);
  }
  if (count === 0 || database.memory) return 0;
  // Outside WAL a reader would block the writer (and the writer it), which is what readers avoid.
  return database.pragma('journal_mode', { simple: true }) === 'wal' ? count : 0;
}

/**
 * Rapport storage on SQLite: one file, WAL journal, foreign keys enforced. The embedded default.
 * Reads outside a transaction run on reader threads (see {@link SqliteStorageConfig.readers}),
 * so a dashboard never stalls the event loop; writes are serialised on one connection. Write
 * transactions take the write lock when they begin (`begin immediate`) and wait for it up
 * to `busyTimeoutMs`; a writer that loses the race gets a `RapportError` CONFLICT, never a raw
 * `SQLITE_BUSY`.
 *
 * @example
 * import { createCrm } from '@rapport/core';
 * import { sqliteStorage } from '@rapport/sqlite';
 *
 * const crm = createCrm({ storage: sqliteStorage({ filename: 'crm.sqlite' }) });
 */
export function sqliteStorage(config: SqliteStorageConfig = {}): SqliteStorage {
  const database =
    config.database ??
    new Database(config.filename ?? ':memory:', { readonly: config.readonly ?? false });
  database.pragma('foreign_keys = ON');
  if (!config.readonly) {
    database.pragma('journal_mode = WAL');
    // WAL with synchronous=NORMAL is durable across application crashes, and much faster.
    database.pragma('synchronous = NORMAL');
  }
  const busyTimeoutMs = config.busyTimeoutMs ?? 5000;
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new RangeError(`busyTimeoutMs must be a whole number >= 0, got ${busyTimeoutMs}`);
  }
  database.pragma(`busy_timeout = ${busyTimeoutMs}`);
  const readers = readerCount(database, config.readers);
  return {
    name: 'sqlite',
    database,
    readers,
    dialect: new RapportSqliteDialect(
      { database: withStatementCache(database) },
      !database.readonly,
      readers > 0 ? { database, size: readers, busyTimeoutMs } : undefined,
    ),
    types,
    sql: dialectSql,
    concurrentTransactions: false,
    // Every transaction runs on the one write connection (readers never write), and
    // data_version changes only when another connection commits: what lets the engine cache
    // pipelines between transactions.
    changeCounterSql: 'pragma data_version',
  };
}
