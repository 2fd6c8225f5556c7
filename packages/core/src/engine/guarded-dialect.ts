import type {
  CompiledQuery,
  DatabaseConnection,
  Dialect,
  Driver,
  QueryResult,
  TransactionSettings,
} from 'kysely';
import { RapportError } from '../errors/rapport-error.js';
import type { DialectSql } from '../storage/storage-adapter.js';

/** @internal Whether the engine over a guarded dialect was destroyed. */
export interface EngineLifecycle {
  destroyed: boolean;
  /** Closes the storage's driver (set when kysely creates it). */
  close?: () => Promise<void>;
}

/**
 * @internal The storage's dialect with two errors made readable: a statement on a database
 * that has no Rapport tables yet says to run the migrations (not `no such table: tenants`), and
 * any use after `crm.destroy()` says the engine is closed. Kysely's own migration tables pass
 * through untouched: the migrator probes them before they exist.
 */
export function guardedDialect(
  dialect: Dialect,
  sqlOf: DialectSql,
  lifecycle: EngineLifecycle,
): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createDriver: () => {
      const driver = dialect.createDriver();
      // The engine closes the driver itself, not through kysely's destroy: kysely would then
      // refuse every later call with its own untyped error before the guard could say why.
      lifecycle.close = () => driver.destroy();
      return guardedDriver(driver, sqlOf, lifecycle);
    },
  };
}

function destroyedError(): RapportError {
  return new RapportError(
    'DESTROYED',
    'the engine was closed with crm.destroy(); make a new one with createCrm to go on',
  );
}

function readable(error: unknown, sqlOf: DialectSql): unknown {
  if (sqlOf.classifyError(error) !== 'missing_table') return error;
  if (/kysely_/i.test(error instanceof Error ? error.message : '')) return error;
  return new RapportError(
    'NOT_MIGRATED',
    'the database has no Rapport tables yet: call `await crm.migrate()` (or run `rapport migrate --db <file>`) before using the engine',
    { cause: error },
  );
}

function guardedDriver(driver: Driver, sqlOf: DialectSql, lifecycle: EngineLifecycle): Driver {
  const inner = new WeakMap<DatabaseConnection, DatabaseConnection>();
  const unwrap = (connection: DatabaseConnection) => inner.get(connection) ?? connection;
  return {
    init: () => driver.init(),
    async acquireConnection() {
      if (lifecycle.destroyed) throw destroyedError();
      const connection = await driver.acquireConnection();
      const guarded: DatabaseConnection = {
        async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
          try {
            return await connection.executeQuery<R>(query);
          } catch (error) {
            throw readable(error, sqlOf);
          }
        },
        streamQuery: <R>(query: CompiledQuery, chunkSize?: number) =>
          connection.streamQuery<R>(query, chunkSize),
      };
      inner.set(guarded, connection);
      return guarded;
    },
    beginTransaction: (connection, settings: TransactionSettings) =>
      driver.beginTransaction(unwrap(connection), settings),
    commitTransaction: (connection) => driver.commitTransaction(unwrap(connection)),
    rollbackTransaction: (connection) => driver.rollbackTransaction(unwrap(connection)),
    releaseConnection: (connection) => driver.releaseConnection(unwrap(connection)),
    destroy: () => driver.destroy(),
    ...(driver.savepoint
      ? {
          savepoint: (connection, name, compile) =>
            driver.savepoint?.(unwrap(connection), name, compile) ?? Promise.resolve(),
          rollbackToSavepoint: (connection, name, compile) =>
            driver.rollbackToSavepoint?.(unwrap(connection), name, compile) ?? Promise.resolve(),
          releaseSavepoint: (connection, name, compile) =>
            driver.releaseSavepoint?.(unwrap(connection), name, compile) ?? Promise.resolve(),
        }
      : {}),
  };
}
