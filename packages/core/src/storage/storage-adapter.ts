import type { Dialect, Expression, RawBuilder } from 'kysely';

/**
 * Column types a migration asks for; each storage says how its dialect spells them.
 *
 * @example
 * table.addColumn('closeDate', types.date)
 */
export interface ColumnTypes {
  /** A string id or code. */
  readonly text: 'text';
  /** A whole number up to 2^53 (money in minor units, counts). */
  readonly bigint: 'bigint' | 'integer';
  /** A small whole number (version, sort order). */
  readonly integer: 'integer';
  /** A floating point number (exchange rates, quantities, percentages). */
  readonly double: 'real' | 'double precision';
  /** A point in time in UTC; read back as an ISO-8601 string. */
  readonly timestamp: 'text' | 'timestamptz';
  /** A calendar day; read back as `YYYY-MM-DD`. */
  readonly date: 'text' | 'date';
  /** A JSON document (custom fields, pipeline stages). */
  readonly json: 'text' | 'jsonb';
}

/** The kind of a storage failure that Rapport turns into a {@link RapportError}. */
export type StorageErrorKind =
  | 'unique'
  | 'foreign_key'
  | 'serialization'
  /** A table the statement names does not exist (the database is not migrated). */
  | 'missing_table';

/**
 * SQL that differs between dialects. Core and plugins build queries with these, so that no
 * dialect test leaks outside the adapters.
 */
export interface DialectSql {
  /**
   * A scalar from a JSON column as text, number or boolean.
   *
   * @example
   * dialect.jsonValue(sql.ref('custom'), 'nps', 'number')
   */
  jsonValue(json: Expression<unknown>, key: string, kind: 'text' | 'number'): RawBuilder<unknown>;
  /**
   * Whole or fractional days from `from` to `to`, for two `date` or `timestamp` columns.
   *
   * @example
   * dialect.daysBetween(sql.ref('openDate'), sql.ref('closeDate'))
   */
  daysBetween(from: Expression<unknown>, to: Expression<unknown>): RawBuilder<number>;
  /** A value bound for a JSON column. */
  jsonParameter(value: unknown): unknown;
  /** Reads a JSON column's value back into a JavaScript value. */
  parseJson(value: unknown): unknown;
  /** Classifies a driver error, or returns undefined for errors Rapport does not translate. */
  classifyError(error: unknown): StorageErrorKind | undefined;
}

/**
 * What a storage gives the engine: a kysely dialect, the column types its migrations use and the
 * SQL that differs per dialect. `@rapport/sqlite` and `@rapport/postgres` implement it; any
 * other kysely dialect can, by the same contract and the conformance suite in `@rapport/testing`.
 *
 * @example
 * const crm = createCrm({ storage: sqliteStorage({ filename: ':memory:' }) });
 */
export interface RapportStorage {
  /** The dialect family: `sqlite`, `postgres`, ... */
  readonly name: string;
  /** The kysely dialect that talks to the database. */
  readonly dialect: Dialect;
  /** Column types for migrations. */
  readonly types: ColumnTypes;
  /** SQL that differs per dialect. */
  readonly sql: DialectSql;
  /**
   * Whether many transactions can run at once (a pool). SQLite serialises them on one
   * connection; Postgres runs them side by side.
   */
  readonly concurrentTransactions: boolean;
  /**
   * Optional: SQL returning one row with one value that changes whenever another connection
   * commits (SQLite: `pragma data_version`), for a storage whose queries all run on one
   * connection. With it the engine keeps pipeline stages and known ids between transactions and
   * reads this once per transaction instead; without it, it reads them in every transaction.
   */
  readonly changeCounterSql?: string;
  /** Called once by the engine after the kysely instance is created (pragmas, checks). */
  onOpen?(): Promise<void>;
}
