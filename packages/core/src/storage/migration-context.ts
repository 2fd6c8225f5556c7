import type { Kysely } from 'kysely';
import type { ColumnTypes, DialectSql } from './storage-adapter.js';

/** @internal The erased database type migrations and the engine run against. */
// biome-ignore lint/suspicious/noExplicitAny: kysely's own migrations take Kysely<any>; tables are created here, so no static schema exists yet.
export type AnyDatabase = any;

/**
 * What a migration gets besides the database: the storage's column types and dialect SQL.
 *
 * @example
 * const migration: RapportMigration = {
 *   up: async (db, { types }) => {
 *     await db.schema.createTable('nps').addColumn('score', types.integer).execute();
 *   },
 * };
 */
export interface MigrationContext {
  /** Column types of the storage. */
  readonly types: ColumnTypes;
  /** Dialect-specific SQL. */
  readonly sql: DialectSql;
  /** The storage's dialect family (`sqlite`, `postgres`). */
  readonly dialect: string;
}

/**
 * A migration of core or of a plugin. Like a kysely migration, with the storage's column types.
 *
 * @example
 * const addNps: RapportMigration = {
 *   up: async (db, { types }) => {
 *     await db.schema.alterTable('accounts').addColumn('nps', types.integer).execute();
 *   },
 * };
 */
export interface RapportMigration {
  /** Applies the change. */
  up(db: Kysely<AnyDatabase>, context: MigrationContext): Promise<void>;
  /** Reverts it, where that is possible. */
  down?(db: Kysely<AnyDatabase>, context: MigrationContext): Promise<void>;
}
