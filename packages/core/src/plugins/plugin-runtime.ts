import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { dbOf, type ScopeState } from '../engine/engine-state.js';
import type { HooksConfig, ObjectHooks } from '../engine/hooks.js';
import { RapportError } from '../errors/rapport-error.js';
import type { ObjectName } from '../objects/standard-objects.js';
import type { CrmScope } from '../scope/crm-scope.js';
import type { AnyDatabase } from '../storage/migration-context.js';
import type { DialectSql } from '../storage/storage-adapter.js';
import type { Actor } from '../tenancy/actor.js';
import type { AnyRapportPlugin } from './define-plugin.js';
import { type PluginContext, tenantTablesOf } from './plugin-context.js';
import { pluginTableProblems } from './plugin-tables.js';

/** @internal What the engine hands to every plugin's context. */
export interface PluginRuntimeEngine {
  readonly db: Kysely<AnyDatabase>;
  readonly tenant: (tenantId: string) => {
    as(actor: Actor): CrmScope;
    system(): CrmScope;
  };
  readonly events: PluginContext['events'];
  readonly customFields: Readonly<Record<ObjectName, z.ZodObject>>;
  readonly dialect: DialectSql;
  readonly now: () => Date;
}

/**
 * @internal Checks every plugin's table declarations, then calls each `init(ctx)` in plugin
 * order; returns what they returned, by plugin id.
 */
export function initPlugins(
  plugins: readonly AnyRapportPlugin[],
  engine: PluginRuntimeEngine,
): Map<string, unknown> {
  const problems = plugins.flatMap((plugin) => pluginTableProblems(plugin.id, plugin.tables));
  if (problems.length > 0) throw new RapportError('UNSUPPORTED', problems.join('; '));
  const apis = new Map<string, unknown>();
  for (const plugin of plugins) {
    if (!plugin.init) continue;
    const context: PluginContext<NonNullable<typeof plugin.tables>, CrmScope> = {
      pluginId: plugin.id,
      db: engine.db,
      tenantTables: (tenantId) => tenantTablesOf(engine.db, tenantId),
      tenant: engine.tenant,
      events: engine.events,
      customFields: engine.customFields,
      dialect: engine.dialect,
      now: engine.now,
    };
    // The erased plugin's init takes `never` (see AnyRapportPlugin); every plugin's init takes the
    // context of its own declared tables, which is what is built here.
    apis.set(plugin.id, (plugin.init as (ctx: typeof context) => unknown)(context));
  }
  return apis;
}

type AnyHook = (args: Record<string, unknown>) => unknown;

/**
 * @internal A plugin's hooks as the engine runs them: each call also gets the plugin's tables
 * bound to the write's transaction (`db`, and `tables` narrowed to the tenant).
 */
export function pluginHooks(
  plugin: AnyRapportPlugin,
  stateOf: (scope: unknown) => ScopeState,
): HooksConfig | undefined {
  if (!plugin.hooks) return undefined;
  // A plugin's typed hooks, erased to the shape every hook has at run time.
  if (!plugin.tables) return plugin.hooks as HooksConfig;
  const wrapped: Record<string, ObjectHooks> = {};
  for (const [object, hooks] of Object.entries(plugin.hooks)) {
    if (!hooks) continue;
    const objectHooks: Record<string, AnyHook> = {};
    // Cast: a plugin's typed hooks are one erased map of functions at run time.
    for (const [name, hook] of Object.entries(hooks as Record<string, unknown>)) {
      if (typeof hook !== 'function') continue;
      objectHooks[name] = (args) => {
        const db = dbOf(stateOf(args.scope));
        // Cast: each hook of the erased map takes the hook context the engine builds.
        return (hook as AnyHook)({
          ...args,
          db,
          tables: tenantTablesOf(db, String(args.tenantId)),
        });
      };
    }
    wrapped[object] = objectHooks;
  }
  // Keys are object names and values hook functions; the record is built from a HooksConfig.
  return wrapped as HooksConfig;
}
