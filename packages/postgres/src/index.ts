/**
 * `@rapport/postgres`: Rapport storage on PostgreSQL through `pg` and kysely.
 *
 * @packageDocumentation
 */
export { postgresColumnTypes, postgresDialectSql } from './postgres-dialect-sql.js';
export {
  type PostgresStorage,
  type PostgresStorageConfig,
  postgresStorage,
} from './postgres-storage.js';
export { rapportTypeParsers } from './postgres-types.js';
