import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { HooksConfig } from '../engine/hooks.js';
import type { AnyKpiDefinition } from '../kpi/kpi-definition.js';
import type { ObjectName } from '../objects/standard-objects.js';
import type { CrmScope } from '../scope/crm-scope.js';
import type { RapportMigration } from '../storage/migration-context.js';
import type { MergeCustomFields } from './merge-custom-fields.js';
import type { PluginContext, PluginTenantTables } from './plugin-context.js';
import type { PluginDatabase, PluginTables } from './plugin-tables.js';

/**
 * Custom fields per object: a zod schema per field. They are stored with the record (in its
 * `custom` document), validated on every write and usable in filters and KPI breakdowns.
 *
 * @example
 * const fields = { opportunity: { nps: z.number().int().min(0).max(10).optional() } } satisfies CustomFieldsConfig;
 */
export type CustomFieldsConfig = {
  readonly [TObject in ObjectName]?: Readonly<Record<string, z.ZodType>>;
};

/**
 * What a plugin's hooks get besides the record: the plugin's own tables bound to the running
 * transaction, so what a hook writes there commits or rolls back with the record.
 */
export interface PluginHookExtras<TTables extends PluginTables> {
  /** The plugin's tables, in the write's transaction. */
  readonly db: Kysely<PluginDatabase<TTables>>;
  /** The plugin's tables in the write's transaction, narrowed to the write's tenant. */
  readonly tables: PluginTenantTables<PluginDatabase<TTables>>;
}

/**
 * A Rapport plugin: KPIs, custom fields, hooks, tables, migrations and a runtime under one id. A
 * plain object, made with {@link definePlugin} so its literal types (KPI ids, field names, table
 * columns, the runtime's API) reach the consumer.
 */
export interface RapportPlugin<
  TId extends string = string,
  TKpis extends readonly AnyKpiDefinition[] = readonly AnyKpiDefinition[],
  TFields extends CustomFieldsConfig = CustomFieldsConfig,
  TTables extends PluginTables = PluginTables,
  TApi = unknown,
> {
  /** A stable id, such as `closing` or `acme-nps`. Prefixes the plugin's migration names. */
  readonly id: TId;
  /** KPIs the plugin adds. */
  readonly kpis?: TKpis;
  /** Custom fields the plugin adds. */
  readonly fields?: TFields;
  /**
   * The plugin's own tables and their column kinds. The plugin's migrations create them; the
   * declaration types `ctx.db` in `init` and `db` in hooks.
   */
  readonly tables?: TTables;
  /**
   * Hooks per object, typed from the object and the plugin's custom fields; they also get the
   * plugin's tables inside the write's transaction.
   */
  readonly hooks?: HooksConfig<
    CrmScope,
    MergeCustomFields<readonly [], TFields>,
    PluginHookExtras<TTables>
  >;
  /** Migrations by name; names sort in the order they run. */
  readonly migrations?: Readonly<Record<string, RapportMigration>>;
  /**
   * The plugin's runtime: called once by `createCrm` (before any connection is opened, so it must
   * not query yet). What it returns is the plugin's API, `crm.plugin(id)`.
   */
  init?(ctx: PluginContext<TTables, CrmScope>): TApi;
}

/**
 * @internal The erased form of any plugin: what the engine handles at run time. Its hooks and
 * runtime are typed loosely on purpose: a plugin's typed `init(ctx)` and hooks (over its own
 * tables) are not assignable to any one instantiation of {@link RapportPlugin}, since kysely's
 * database types are invariant.
 */
export interface AnyRapportPlugin {
  readonly id: string;
  readonly kpis?: readonly AnyKpiDefinition[];
  readonly fields?: CustomFieldsConfig;
  readonly tables?: PluginTables;
  readonly hooks?: { readonly [TObject in ObjectName]?: object };
  readonly migrations?: Readonly<Record<string, RapportMigration>>;
  init?(ctx: never): unknown;
}

/**
 * The runtime API of the plugin with id `TId` among `TPlugins`: what its `init` returned.
 *
 * @example
 * type Keys = PluginApiOf<[typeof httpPlugin], 'http'>;
 */
export type PluginApiOf<TPlugins extends readonly AnyRapportPlugin[], TId extends string> =
  Extract<TPlugins[number], { readonly id: TId }> extends {
    init?(ctx: never): infer TApi;
  }
    ? TApi
    : never;

/**
 * The ids of the plugins among `TPlugins` that have a runtime (`init`); any id when the plugins
 * are only known at run time (an array, not a tuple).
 */
export type PluginWithApiId<TPlugins extends readonly AnyRapportPlugin[]> =
  number extends TPlugins['length']
    ? string
    : {
        [TIndex in keyof TPlugins]: TPlugins[TIndex] extends {
          readonly id: infer TId;
          init?(ctx: never): infer TApi;
        }
          ? [TApi] extends [undefined]
            ? never
            : TId
          : never;
      }[number] &
        string;

/**
 * Declares a plugin. Identity at run time; at compile time it keeps the literal types.
 *
 * @example
 * export const npsPlugin = definePlugin({
 *   id: 'acme-nps',
 *   fields: { account: { nps: z.number().int().min(0).max(10).optional() } },
 *   tables: { npsResponses: { tenantId: 'text', id: 'text', score: 'integer' } },
 *   init: (ctx) => ({ responses: (tenantId: string) => ctx.tenantTables(tenantId).selectFrom('npsResponses').selectAll().execute() }),
 * });
 */
export function definePlugin<
  const TId extends string,
  const TKpis extends readonly AnyKpiDefinition[] = readonly [],
  const TFields extends CustomFieldsConfig = {},
  const TTables extends PluginTables = {},
  TApi = undefined,
>(
  plugin: RapportPlugin<TId, TKpis, TFields, TTables, TApi>,
): RapportPlugin<TId, TKpis, TFields, TTables, TApi> {
  return plugin;
}
