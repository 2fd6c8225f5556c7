import { CamelCasePlugin, Kysely } from 'kysely';
import type { z } from 'zod';
import { registerEngine } from '../engine/engine-registry.js';
import { coreDbOf, type EngineState, type ScopeState } from '../engine/engine-state.js';
import { createEventBus } from '../engine/event-bus.js';
import type { EventSubscriptions } from '../engine/events.js';
import { type EngineLifecycle, guardedDialect } from '../engine/guarded-dialect.js';
import type { HooksConfig } from '../engine/hooks.js';
import { scopeStateOf } from '../engine/scope-states.js';
import { inTransaction } from '../engine/transaction.js';
import { clearSharedCache, createSharedCache } from '../engine/transaction-cache.js';
import { insertRecord } from '../engine/write/create-record.js';
import { RapportError } from '../errors/rapport-error.js';
import { fromZodError } from '../errors/zod-issues.js';
import { newId } from '../ids/id.js';
import { registerPrecomputedFacts } from '../kpi/kpi-facts.js';
import { registerPrecomputed, registerPrecomputedMedian } from '../kpi/kpi-precomputed.js';
import { buildKpiRegistry, registerKpis } from '../kpi/kpi-registry.js';
import { type MigrationReport, runMigrations } from '../migrations/run-migrations.js';
import {
  defaultPipelineStages,
  type ObjectName,
  standardObjects,
} from '../objects/standard-objects.js';
import type {
  AnyRapportPlugin,
  CustomFieldsConfig,
  PluginApiOf,
  PluginWithApiId,
} from '../plugins/define-plugin.js';
import type { MergeCustomFields } from '../plugins/merge-custom-fields.js';
import { initPlugins } from '../plugins/plugin-runtime.js';
import { guardedUpkeep } from '../rollups/rollup-guard.js';
import { answerMedianFromRollups } from '../rollups/rollup-median.js';
import { planRollups } from '../rollups/rollup-plan.js';
import { answerFactsFromRollups, answerFromRollups } from '../rollups/rollup-read.js';
import {
  checkTenant,
  markBuilt,
  type RollupReport,
  rebuildTenant,
} from '../rollups/rollup-rebuild.js';
import { type RollupStatus, tenantRollupStatus } from '../rollups/rollup-status.js';
import { keepRollups, rollupUpkeep } from '../rollups/rollup-upkeep.js';
import { activityRules } from '../sales/activity-rules.js';
import { lineItemRules } from '../sales/line-item-rules.js';
import { opportunityRules } from '../sales/opportunity-rules.js';
import {
  campaignRules,
  contractRules,
  leadRules,
  quotaRules,
  userRules,
} from '../sales/record-rules.js';
import { type CrmScope, createScope } from '../scope/crm-scope.js';
import type { AnyDatabase } from '../storage/migration-context.js';
import type { RapportStorage } from '../storage/storage-adapter.js';
import { type Actor, systemActor } from '../tenancy/actor.js';
import { type CreateTenantInput, createTenantSchema, type Tenant } from '../tenancy/tenant.js';
import { mergeCustomSchemas, mergeHooks } from './merge-plugins.js';

/**
 * Configuration of {@link createCrm}.
 *
 * @example
 * const config: CrmConfig = { storage: sqliteStorage({ filename: 'crm.sqlite' }) };
 */
export interface CrmConfig<
  TPlugins extends readonly AnyRapportPlugin[] = readonly AnyRapportPlugin[],
  TFields extends CustomFieldsConfig = CustomFieldsConfig,
> {
  /** Where records live: `sqliteStorage(...)`, `postgresStorage(...)`. */
  readonly storage: RapportStorage;
  /** Plugins: KPIs, fields, hooks, migrations. */
  readonly plugins?: TPlugins;
  /** Custom fields of this application, per object. */
  readonly fields?: TFields;
  /** Hooks of this application, per object; they run after the plugins' hooks. */
  readonly hooks?: HooksConfig<
    CrmScope<MergeCustomFields<TPlugins, TFields>, TPlugins>,
    MergeCustomFields<TPlugins, TFields>
  >;
  /** The clock (tests pin it). */
  readonly now?: () => Date;
  /**
   * Keep exact rollups of the declared KPIs in every write's transaction and answer KPIs from
   * them where they can (default false). Turning it on for a database written without it needs
   * one `crm.rebuildRollups()`; until then KPIs read the records, as without rollups. Engines
   * with other settings may write the same database: a write by an engine that does not keep a
   * tenant's rollups makes them read the records again until the next rebuild, never stale.
   */
  readonly rollups?: boolean;
}

/**
 * A tenant: pick the actor to get a scope.
 *
 * @example
 * const scope = crm.tenant('acme').as({ id: 'u1', role: 'rep' });
 */
export interface TenantHandle<TScope> {
  /** A scope in which `actor` reads and writes. */
  as(actor: Actor): TScope;
  /** A scope for Rapport's own jobs (admin rights, actor id `system`). */
  system(): TScope;
}

/**
 * The engine.
 *
 * @example
 * const crm = createCrm({ storage: sqliteStorage({ filename: ':memory:' }) });
 * await crm.migrate();
 * await crm.createTenant({ id: 'acme', name: 'Acme GmbH' });
 */
export interface Crm<
  TPlugins extends readonly AnyRapportPlugin[] = readonly AnyRapportPlugin[],
  TFields extends CustomFieldsConfig = CustomFieldsConfig,
> {
  /** Runs pending migrations of core and plugins. */
  migrate(): Promise<MigrationReport>;
  /** Creates a tenant with the default (Salesforce) pipeline; CONFLICT if the id is taken. */
  createTenant(input: CreateTenantInput): Promise<Tenant>;
  /** The tenant if it exists, else creates it: safe to run again. */
  ensureTenant(input: CreateTenantInput): Promise<Tenant>;
  /** A tenant by id; the scope fails with NOT_FOUND on first use if it does not exist. */
  tenant(id: string): TenantHandle<CrmScope<MergeCustomFields<TPlugins, TFields>, TPlugins>>;
  /** Events after commit: `crm.events.on('record.created', handler)`. */
  readonly events: EventSubscriptions;
  /** The plugins, as given. */
  readonly plugins: TPlugins;
  /**
   * The runtime API of a plugin: what its `init(ctx)` returned.
   *
   * @example
   * const keys = crm.plugin('http').apiKeys;
   */
  plugin<TId extends PluginWithApiId<TPlugins>>(id: TId): PluginApiOf<TPlugins, TId>;
  /** The custom field schemas of every object (config and plugins, merged; strict). */
  readonly customFields: Readonly<Record<ObjectName, z.ZodObject>>;
  /** The storage, as given. */
  readonly storage: RapportStorage;
  /**
   * Recomputes the rollups of every tenant (or of `tenantId`) from the records, each tenant in
   * one transaction, and marks them complete, so KPIs read them from then on.
   *
   * @example
   * const [report] = await crm.rebuildRollups({ tenantId: 'acme' }); // { cells: 1520, ... }
   */
  rebuildRollups(options?: { readonly tenantId?: string }): Promise<readonly RollupReport[]>;
  /**
   * Compares the kept rollups of every tenant (or of `tenantId`) with a recompute from the
   * records and reports every cell that differs (none, unless something wrote around the engine).
   *
   * @example
   * const reports = await crm.checkRollups();
   * const exact = reports.every((report) => report.differences.length === 0);
   */
  checkRollups(options?: { readonly tenantId?: string }): Promise<readonly RollupReport[]>;
  /**
   * The rollups of every tenant (or of `tenantId`): which of this engine's rollups are complete
   * (KPIs read them) and how many cells each holds, whether this engine keeps them at write
   * time, and the ids of rollups other engines left. Reads only; no recompute.
   *
   * @example
   * const [status] = await crm.rollupStatus({ tenantId: 'acme' });
   * const scanned = status?.rollups.filter((rollup) => !rollup.built).length; // 0 after a rebuild
   */
  rollupStatus(options?: { readonly tenantId?: string }): Promise<readonly RollupStatus[]>;
  /** Closes the database connection(s). */
  destroy(): Promise<void>;
}

/**
 * Creates the engine over a storage, with plugins and custom fields. Types of records, custom
 * fields and KPI ids are inferred from what is passed here.
 *
 * @example
 * import { createCrm } from '@rapport/core';
 * import { sqliteStorage } from '@rapport/sqlite';
 *
 * const crm = createCrm({ storage: sqliteStorage({ filename: 'crm.sqlite' }) });
 * await crm.migrate();
 */
export function createCrm<
  const TPlugins extends readonly AnyRapportPlugin[] = readonly [],
  const TFields extends CustomFieldsConfig = {},
>(config: CrmConfig<TPlugins, TFields>): Crm<TPlugins, TFields> {
  // Cast: without plugins TPlugins is its default, the empty tuple, which [] is.
  const plugins = (config.plugins ?? []) as TPlugins;
  const ids = new Set<string>();
  for (const plugin of plugins) {
    if (ids.has(plugin.id))
      throw new RapportError('UNSUPPORTED', `plugin ${plugin.id} is registered twice`);
    ids.add(plugin.id);
  }
  const lifecycle: EngineLifecycle = { destroyed: false };
  const db = new Kysely<AnyDatabase>({
    dialect: guardedDialect(config.storage.dialect, config.storage.sql, lifecycle),
    plugins: [new CamelCasePlugin()],
  });
  const emitter = createEventBus();
  const customSchemas = mergeCustomSchemas(plugins, config.fields);
  type Scope = CrmScope<MergeCustomFields<TPlugins, TFields>, TPlugins>;
  // Built and checked here, once: a broken KPI definition fails at startup, not in a request.
  const kpis = buildKpiRegistry(plugins, {
    objects: standardObjects,
    customSchemas,
    dialect: config.storage.sql,
  });
  // Planned whether or not writes keep them: `rebuildRollups` and `checkRollups` work either way.
  const rollupPlan = planRollups(kpis.values(), standardObjects);
  const engine: EngineState = {
    db,
    storage: config.storage,
    plugins,
    objects: standardObjects,
    customSchemas,
    // The typed config hooks are one erased HooksConfig at run time.
    hooks: mergeHooks(plugins, config.hooks as HooksConfig | undefined, scopeStateOf),
    events: emitter,
    now: config.now ?? (() => new Date()),
    rules: {
      opportunity: opportunityRules,
      lineItem: lineItemRules,
      activity: activityRules,
      lead: leadRules,
      campaign: campaignRules,
      contract: contractRules,
      quota: quotaRules,
      user: userRules,
    },
    scopeFactory: (state) => createScope(state),
    shared: createSharedCache(),
    // Every engine guards the rollups it does not keep: its writes would leave their cells stale.
    upkeep: guardedUpkeep(config.rollups === true ? rollupUpkeep : undefined),
  };
  registerKpis(engine, kpis);
  if (config.rollups === true) {
    keepRollups(engine, rollupPlan);
    registerPrecomputed(engine, answerFromRollups);
    registerPrecomputedMedian(engine, answerMedianFromRollups);
    registerPrecomputedFacts(engine, answerFactsFromRollups);
  }
  let opened: Promise<void> | undefined;
  const open = () => (opened ??= config.storage.onOpen?.() ?? Promise.resolve());
  const stateFor = (tenantId: string, actor: Actor): ScopeState => ({
    engine,
    tenantId,
    actor,
    tx: undefined,
    cache: {},
  });

  const createTenant = async (input: CreateTenantInput): Promise<Tenant> => {
    await open();
    const parsed = createTenantSchema.safeParse(input);
    if (!parsed.success) throw fromZodError('tenant', parsed.error);
    const { id, ...settings } = parsed.data;
    const state = stateFor(id, systemActor);
    return inTransaction(state, async (tx) => {
      const exists = await coreDbOf(tx)
        .selectFrom('tenants')
        .select('id')
        .where('id', '=', id)
        .executeTakeFirst();
      if (exists)
        throw new RapportError('CONFLICT', `tenant ${id} exists`, { object: 'tenant', id });
      const now = engine.now().toISOString();
      const pipelineId = newId(engine.now().getTime());
      await coreDbOf(tx)
        .insertInto('tenants')
        .values({
          id,
          ...settings,
          defaultPipelineId: null,
          version: 1,
          createdAt: now,
          updatedAt: now,
        })
        .execute();
      await insertRecord(
        tx,
        standardObjects.pipeline,
        { name: 'Sales', stages: defaultPipelineStages },
        {
          id: pipelineId,
          externalId: 'default',
          custom: {},
        },
      );
      await coreDbOf(tx)
        .updateTable('tenants')
        .set({ defaultPipelineId: pipelineId })
        .where('id', '=', id)
        .execute();
      // A new tenant has no records: its rollups are exact from the start.
      if (config.rollups === true) await markBuilt(tx, rollupPlan.rollups);
      return {
        id,
        ...settings,
        defaultPipelineId: pipelineId,
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
    });
  };

  const eachTenant = async <TReport>(
    only: string | undefined,
    run: (state: ScopeState) => Promise<TReport>,
  ): Promise<TReport[]> => {
    await open();
    let query = coreDbOf(stateFor('', systemActor))
      .selectFrom('tenants')
      .select('id')
      .orderBy('id');
    if (only !== undefined) query = query.where('id', '=', only);
    const rows = await query.execute();
    if (only !== undefined && rows.length === 0)
      throw new RapportError('NOT_FOUND', `tenant ${only} does not exist`, {
        object: 'tenant',
        id: only,
      });
    const reports: TReport[] = [];
    for (const row of rows) reports.push(await run(stateFor(row.id, systemActor)));
    return reports;
  };

  // Casts: createScope builds the one runtime scope; its type parameters come from this engine.
  const tenant = (id: string) => ({
    as: (actor: Actor) => createScope(stateFor(id, actor)) as Scope,
    system: () => createScope(stateFor(id, systemActor)) as Scope,
  });
  const apis = initPlugins(plugins, {
    db,
    tenant,
    events: { on: emitter.on, off: emitter.off },
    customFields: customSchemas,
    dialect: config.storage.sql,
    now: engine.now,
  });

  const crm: Crm<TPlugins, TFields> = {
    plugins,
    storage: config.storage,
    customFields: customSchemas,
    plugin: (id) => {
      if (!apis.has(id)) {
        throw new RapportError(
          'NOT_FOUND',
          `no plugin with id ${id} and a runtime (init) is registered`,
        );
      }
      // The map holds what each plugin's init returned, keyed by its id: PluginApiOf<TPlugins, id>.
      return apis.get(id) as PluginApiOf<TPlugins, typeof id>;
    },
    events: { on: emitter.on, off: emitter.off },
    async migrate() {
      await open();
      // Migrations may change any row: nothing cached before them holds.
      clearSharedCache(engine.shared);
      return runMigrations(db, config.storage, plugins);
    },
    createTenant,
    async ensureTenant(input) {
      await open();
      const existing = await db
        .selectFrom('tenants')
        .selectAll()
        .where('id', '=', input.id)
        .executeTakeFirst();
      // Cast: the tenants row has exactly Tenant's columns (see TenantsTable).
      return existing ? (existing as Tenant) : createTenant(input);
    },
    tenant,
    rebuildRollups: (options = {}) =>
      eachTenant(options.tenantId, (state) => rebuildTenant(state, rollupPlan.rollups)),
    checkRollups: (options = {}) =>
      eachTenant(options.tenantId, (state) => checkTenant(state, rollupPlan.rollups)),
    rollupStatus: (options = {}) =>
      eachTenant(options.tenantId, (state) =>
        tenantRollupStatus(state, rollupPlan.rollups, config.rollups === true),
      ),
    destroy: async () => {
      if (lifecycle.destroyed) return;
      lifecycle.destroyed = true;
      await lifecycle.close?.();
    },
  };
  registerEngine(crm, db);
  return crm;
}

/** @internal Object names, for iteration. */
// Cast: Object.keys loses the literal keys of a const object.
export const objectNames = Object.keys(standardObjects) as ObjectName[];
