import {
  type DeleteQueryBuilder,
  type DeleteResult,
  type InsertObject,
  type InsertQueryBuilder,
  type InsertResult,
  type Kysely,
  type SelectQueryBuilder,
  sql,
  type UpdateQueryBuilder,
  type UpdateResult,
} from 'kysely';
import type { z } from 'zod';
import type { EventSubscriptions } from '../engine/events.js';
import type { ObjectName } from '../objects/standard-objects.js';
import type { AnyDatabase } from '../storage/migration-context.js';
import type { DialectSql } from '../storage/storage-adapter.js';
import type { Actor } from '../tenancy/actor.js';
import type { PluginDatabase, PluginTables } from './plugin-tables.js';

/** The tables of a plugin database that carry a `tenantId` column. */
export type TenantTableName<TDatabase> = {
  [TTable in keyof TDatabase]: TDatabase[TTable] extends { tenantId: string } ? TTable : never;
}[keyof TDatabase] &
  string;

/**
 * A plugin's own tables, narrowed to one tenant: every query this makes has the tenant predicate
 * already applied (reads, updates, deletes) or the tenant column already set (inserts), so plugin
 * code never writes one by hand.
 *
 * @example
 * import { definePlugin } from '@rapport/core/plugin';
 *
 * definePlugin({
 *   id: 'acme-nps',
 *   tables: { npsResponses: { tenantId: 'text', id: 'text', score: 'integer' } },
 *   init: (ctx) => ({
 *     responses: (tenantId: string) => ctx.tenantTables(tenantId).selectFrom('npsResponses').selectAll().execute(),
 *   }),
 * });
 */
export interface PluginTenantTables<TDatabase> {
  /** The tenant this narrows to. */
  readonly tenantId: string;
  /** `select ... from table where tenant_id = ?`. */
  selectFrom<TTable extends TenantTableName<TDatabase>>(
    table: TTable,
  ): SelectQueryBuilder<TDatabase, TTable, {}>;
  /** `update table ... where tenant_id = ?`. */
  updateTable<TTable extends TenantTableName<TDatabase>>(
    table: TTable,
  ): UpdateQueryBuilder<TDatabase, TTable, TTable, UpdateResult>;
  /** `delete from table where tenant_id = ?`. */
  deleteFrom<TTable extends TenantTableName<TDatabase>>(
    table: TTable,
  ): DeleteQueryBuilder<TDatabase, TTable, DeleteResult>;
  /** `insert into table`, the tenant column set on every row. */
  insertInto<TTable extends TenantTableName<TDatabase>>(
    table: TTable,
    values:
      | Omit<InsertObject<TDatabase, TTable>, 'tenantId'>
      | readonly Omit<InsertObject<TDatabase, TTable>, 'tenantId'>[],
  ): InsertQueryBuilder<TDatabase, TTable, InsertResult>;
}

/**
 * What a plugin's `init(ctx)` gets: its own tables, typed; scopes over core records (tenant and
 * visibility applied); the engine's events; the custom field schemas. It is the same surface the
 * engine's own packages (`@rapport/http`, `@rapport/cli`) use.
 *
 * @example
 * import { definePlugin } from '@rapport/core/plugin';
 *
 * const npsPlugin = definePlugin({
 *   id: 'acme-nps',
 *   tables: { npsResponses: { id: 'text', tenantId: 'text', score: 'integer' } },
 *   init(ctx) {
 *     return {
 *       count: (tenantId: string) =>
 *         ctx.tenantTables(tenantId).selectFrom('npsResponses').select(({ fn }) => fn.countAll().as('n')).executeTakeFirstOrThrow(),
 *     };
 *   },
 * });
 */
export interface PluginContext<TTables extends PluginTables = PluginTables, TScope = unknown> {
  /** The plugin's id. */
  readonly pluginId: string;
  /**
   * The plugin's own tables over the engine's connection, not narrowed to a tenant: for lookups
   * that come before a tenant is known (an API key names its id, not its tenant).
   */
  readonly db: Kysely<PluginDatabase<TTables>>;
  /** The plugin's own tables narrowed to one tenant. */
  tenantTables(tenantId: string): PluginTenantTables<PluginDatabase<TTables>>;
  /** A tenant's records through the engine: `ctx.tenant('acme').as(actor).leads.list()`. */
  tenant(tenantId: string): {
    /** A scope in which `actor` reads and writes (visibility applied). */
    as(actor: Actor): TScope;
    /** A scope for the plugin's own jobs (admin rights, actor id `system`). */
    system(): TScope;
  };
  /** Events after commit. */
  readonly events: EventSubscriptions;
  /** The custom field schemas of every object (config and all plugins, merged; strict). */
  readonly customFields: Readonly<Record<ObjectName, z.ZodObject>>;
  /** Dialect-specific SQL of the storage. */
  readonly dialect: DialectSql;
  /** The engine's clock. */
  now(): Date;
}

/**
 * Narrows a database to one tenant (see {@link PluginTenantTables}): every query it makes has
 * core's tenant predicate applied. A plugin gets it as `ctx.tenantTables`; storage tools that
 * work below the engine (`unscopedDatabase`) use it so that they never write the predicate.
 *
 * @example
 * import { tenantTablesOf, unscopedDatabase } from '@rapport/core/storage';
 *
 * await tenantTablesOf(unscopedDatabase(crm), 'acme').updateTable('leads').set({ firstActivityAt: null }).execute();
 */
export function tenantTablesOf<TDatabase>(
  db: Kysely<TDatabase>,
  tenantId: string,
): PluginTenantTables<TDatabase> {
  // kysely cannot resolve `where` over a table name that is still a type parameter; the queries
  // are built over the erased database and handed back typed, which is what they are at run time.
  const erased = db as unknown as Kysely<AnyDatabase>;
  const tenantColumn = (table: string) => sql.ref(`${table}.tenantId`);
  // Each `as` below: a query built over the erased database, handed back typed (see above).
  return {
    tenantId,
    selectFrom: (table) =>
      erased.selectFrom(table as string).where(tenantColumn(table), '=', tenantId) as never,
    updateTable: (table) =>
      erased.updateTable(table as string).where(tenantColumn(table), '=', tenantId) as never,
    deleteFrom: (table) =>
      erased.deleteFrom(table as string).where(tenantColumn(table), '=', tenantId) as never,
    insertInto: (table, values) => {
      const rows = (Array.isArray(values) ? values : [values]).map((row) => ({
        ...row,
        tenantId,
      }));
      return erased.insertInto(table as string).values(rows) as never;
    },
  };
}
