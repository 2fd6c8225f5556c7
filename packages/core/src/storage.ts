/**
 * `@rapport/core/storage`: the contract a storage adapter implements (`@rapport/sqlite` and
 * `@rapport/postgres` are two), and the tools that work below the engine.
 *
 * @example
 * import type { RapportStorage } from '@rapport/core/storage';
 *
 * @packageDocumentation
 */

export { unscopedDatabase } from './engine/engine-registry.js';
export { type PluginTenantTables, tenantTablesOf } from './plugins/plugin-context.js';
export { refreshKeptValues } from './sales/kept-values.js';
export type { AnyDatabase, MigrationContext } from './storage/migration-context.js';
export { statementSignal } from './storage/statement-signal.js';
export type {
  ColumnTypes,
  DialectSql,
  RapportStorage,
  StorageErrorKind,
} from './storage/storage-adapter.js';
export {
  type CopiedTable,
  type CopyEndpoint,
  type CopyStorageOptions,
  type CopyStorageReport,
  copyStorage,
  coreTables,
} from './storage-copy/copy-storage.js';
