/**
 * `@rapport/sqlite`: Rapport storage on one SQLite file through better-sqlite3 and kysely.
 *
 * @packageDocumentation
 */
export { type SqliteStorage, type SqliteStorageConfig, sqliteStorage } from './sqlite-storage.js';
