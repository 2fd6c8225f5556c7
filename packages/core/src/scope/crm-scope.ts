import { type SelectQueryBuilder, sql } from 'kysely';
import { convertMoney, listRates, setRate } from '../engine/currencies.js';
import { dbOf, nowOf, type ScopeState } from '../engine/engine-state.js';
import { findVisible, getVisible } from '../engine/read/find-record.js';
import {
  countRecords,
  findByExternalId,
  listRecords,
  type RecordQuery,
} from '../engine/read/list-records.js';
import type { AnyCustomFields } from '../engine/record-types.js';
import { registerScopeState } from '../engine/scope-states.js';
import { loadSharing, updateSharing } from '../engine/sharing-settings.js';
import { inTransaction } from '../engine/transaction.js';
import { loadTenant, visibilityCondition, visibleOwners } from '../engine/visibility.js';
import { createRecord } from '../engine/write/create-record.js';
import { createRecords } from '../engine/write/create-records.js';
import { deleteRecord } from '../engine/write/delete-record.js';
import type { WriteManyOptions } from '../engine/write/record-history.js';
import { updateRecord } from '../engine/write/update-record.js';
import { upsertRecord } from '../engine/write/upsert-record.js';
import { upsertRecords } from '../engine/write/upsert-records.js';
import { validationError } from '../errors/rapport-error.js';
import type { KpiProvider } from '../kpi/kpi-definition.js';
import { createKpiService, type KpiService } from '../kpi/kpi-service.js';
import type { Money } from '../money/money.js';
import { type AnyObjectDefinition, withoutHidden } from '../objects/object-definition.js';
import { type ObjectName, standardObjects } from '../objects/standard-objects.js';
import { closeLost, closeWon } from '../sales/close-opportunity.js';
import { importStageHistory } from '../sales/import-stage-history.js';
import { type ConvertLeadOptions, convertLead } from '../sales/lead-conversion.js';
import { updateSettings } from '../settings/tenant-settings.js';
import type { AnyDatabase } from '../storage/migration-context.js';
import type { DialectSql } from '../storage/storage-adapter.js';
import type { Actor } from '../tenancy/actor.js';
import type { SharingPatch } from '../tenancy/sharing.js';
import { dayInTimeZone, type Tenant } from '../tenancy/tenant.js';

import type {
  CurrencyService,
  LeadRepository,
  ObjectReader,
  ObjectRepository,
  OpportunityRepository,
  SharingService,
} from './scope-repositories.js';

export type {
  CloseWonLineItem,
  ConvertedLead,
  CurrencyService,
  LeadRepository,
  ObjectReader,
  ObjectRepository,
  OpportunityRepository,
  SharingService,
} from './scope-repositories.js';

/**
 * Everything one actor may do in one tenant. Every read is filtered to the tenant and to what the
 * actor may see; every write validates and is a transaction. There is no other path to records.
 *
 * @example
 * const scope = crm.tenant('acme').as({ id: repId, role: 'rep' });
 * const mine = await scope.opportunities.list({ where: { status: 'open' } });
 */
export interface CrmScope<
  TCustom extends AnyCustomFields = AnyCustomFields,
  TPlugins extends readonly KpiProvider[] = readonly KpiProvider[],
> {
  /** The tenant. */
  readonly tenantId: string;
  /** Who acts. */
  readonly actor: Actor;
  /** The plugins of the engine (for typing). @internal */
  readonly plugins: TPlugins;
  /** Users (reps, managers, admins). */
  readonly users: ObjectRepository<'user', TCustom>;
  /** Teams. */
  readonly teams: ObjectRepository<'team', TCustom>;
  /** Accounts. */
  readonly accounts: ObjectRepository<'account', TCustom>;
  /** Contacts. */
  readonly contacts: ObjectRepository<'contact', TCustom>;
  /** Campaigns. */
  readonly campaigns: ObjectRepository<'campaign', TCustom>;
  /** Leads. */
  readonly leads: LeadRepository<TCustom>;
  /** Products. */
  readonly products: ObjectRepository<'product', TCustom>;
  /** Pipelines. */
  readonly pipelines: ObjectRepository<'pipeline', TCustom>;
  /** Opportunities. */
  readonly opportunities: OpportunityRepository<TCustom>;
  /** Opportunity line items. */
  readonly lineItems: ObjectRepository<'lineItem', TCustom>;
  /** Activities. */
  readonly activities: ObjectRepository<'activity', TCustom>;
  /** Stage history (written by the engine). */
  readonly stageHistory: ObjectReader<'stageHistory', TCustom>;
  /** Quotas. */
  readonly quotas: ObjectRepository<'quota', TCustom>;
  /** Contracts. */
  readonly contracts: ObjectRepository<'contract', TCustom>;
  /** Exchange rates and conversion. */
  readonly currencies: CurrencyService;
  /** The KPIs of the engine's plugins: `scope.kpis.evaluate(['closing.winRate'], { period: '2026-Q1' })`. */
  readonly kpis: KpiService<TPlugins>;
  /** The tenant's settings. */
  settings(): Promise<Tenant>;
  /** Changes the tenant's settings (admins). */
  updateSettings(
    patch: Partial<
      Pick<
        Tenant,
        'name' | 'baseCurrency' | 'timeZone' | 'fiscalYearStartMonth' | 'defaultPipelineId'
      >
    >,
  ): Promise<Tenant>;
  /** Today as `YYYY-MM-DD` in the tenant's time zone. */
  today(): Promise<string>;
  /** The sharing settings: org-wide defaults per object and team sharing. */
  readonly sharing: SharingService;
  /**
   * Runs `work` in one transaction: every write through the given scope commits together or
   * not at all; events fire after the commit.
   */
  transaction<TResult>(
    work: (scope: CrmScope<TCustom, TPlugins>) => Promise<TResult>,
  ): Promise<TResult>;
  /**
   * A query over an object's table (aliased `t`, or `alias`) already filtered to the tenant and the
   * actor's visibility: the scoped query layer KPIs and reports build on.
   */
  from(object: ObjectName, alias?: string): Promise<SelectQueryBuilder<AnyDatabase, string, {}>>;
  /** Dialect-specific SQL helpers of the storage. */
  readonly dialect: DialectSql;
}

/**
 * The scope property that holds each object's repository: `opportunity` -> `opportunities`.
 *
 * @example
 * const key = repositoryKeys.lineItem; // 'lineItems'
 * await scope[key].count();
 */
export const repositoryKeys = {
  user: 'users',
  team: 'teams',
  account: 'accounts',
  contact: 'contacts',
  campaign: 'campaigns',
  lead: 'leads',
  product: 'products',
  pipeline: 'pipelines',
  opportunity: 'opportunities',
  lineItem: 'lineItems',
  activity: 'activities',
  stageHistory: 'stageHistory',
  quota: 'quotas',
  contract: 'contracts',
} as const satisfies Record<ObjectName, keyof CrmScope>;

function objectRepository(state: ScopeState, definition: AnyObjectDefinition) {
  // Every record leaves the scope through `out`: without the object's hidden fields, which the
  // engine keeps for its KPIs (a lead's converted deal status and amount) and never hands out.
  const out = <TRecord extends object>(record: TRecord) => withoutHidden(definition, record);
  const maybe = <TRecord extends object>(record: TRecord | undefined) =>
    record === undefined ? undefined : out(record);
  return {
    get: async (id: string) => out(await getVisible(state, definition, id)),
    find: async (id: string) => maybe(await findVisible(state, definition, id)),
    findByExternalId: async (externalId: string) =>
      maybe(await findByExternalId(state, definition, externalId)),
    list: async (query?: RecordQuery) => {
      const page = await listRecords(state, definition, query);
      return { ...page, items: page.items.map(out) };
    },
    count: (where?: Readonly<Record<string, unknown>>) => countRecords(state, definition, where),
    create: async (input: unknown) => out(await createRecord(state, definition, input)),
    update: async (id: string, patch: unknown) =>
      out(await updateRecord(state, definition, id, patch)),
    upsert: async (input: Record<string, unknown>) => {
      const result = await upsertRecord(state, definition, input);
      return { ...result, record: out(result.record) };
    },
    createMany: async (inputs: readonly unknown[], options?: WriteManyOptions) =>
      (await createRecords(state, definition, inputs, undefined, options)).map(out),
    upsertMany: async (inputs: readonly Record<string, unknown>[], options?: WriteManyOptions) => {
      const result = await upsertRecords(state, definition, inputs, options);
      return { ...result, records: result.records.map(out) };
    },
    delete: (id: string, options?: { readonly version?: number }) =>
      deleteRecord(state, definition, id, options),
  };
}

/** @internal Builds the public scope over a scope state. */
export function createScope<
  TCustom extends AnyCustomFields,
  TPlugins extends readonly KpiProvider[],
>(state: ScopeState): CrmScope<TCustom, TPlugins> {
  const objects = standardObjects;
  const opportunities = objectRepository(state, objects.opportunity);
  const leads = objectRepository(state, objects.lead);
  const scope = {
    tenantId: state.tenantId,
    actor: state.actor,
    plugins: state.engine.plugins,
    dialect: state.engine.storage.sql,
    // KPIs read through this scope's `from`, so tenant and visibility apply to them too.
    kpis: createKpiService(
      state,
      (object, alias): Promise<SelectQueryBuilder<AnyDatabase, string, {}>> =>
        scope.from(object, alias),
    ),
    users: objectRepository(state, objects.user),
    teams: objectRepository(state, objects.team),
    accounts: objectRepository(state, objects.account),
    contacts: objectRepository(state, objects.contact),
    campaigns: objectRepository(state, objects.campaign),
    products: objectRepository(state, objects.product),
    pipelines: objectRepository(state, objects.pipeline),
    lineItems: objectRepository(state, objects.lineItem),
    activities: objectRepository(state, objects.activity),
    quotas: objectRepository(state, objects.quota),
    contracts: objectRepository(state, objects.contract),
    stageHistory: objectRepository(state, objects.stageHistory),
    leads: {
      ...leads,
      convert: async (id: string, options?: ConvertLeadOptions) => {
        const converted = await convertLead(state, id, options);
        return { ...converted, lead: withoutHidden(objects.lead, converted.lead) };
      },
    },
    opportunities: {
      ...opportunities,
      changeStage: (id: string, change: { version: number; stage: string }) =>
        opportunities.update(id, change),
      closeWon: (id: string, options: unknown) => closeWon(state, id, options),
      closeLost: (id: string, options: unknown) => closeLost(state, id, options),
      importStageHistory: (entries: readonly unknown[]) => importStageHistory(state, entries),
    },
    currencies: {
      setRate: (currency: string, rate: number) => setRate(state, currency, rate),
      rates: () => listRates(state),
      convert: (money: Money, to?: string) => convertMoney(state, money, to),
    },
    settings: () => loadTenant(state),
    sharing: {
      settings: () => loadTenant(state).then(() => loadSharing(state)),
      update: (patch: SharingPatch) => updateSharing(state, patch),
      visibleOwners: async (object: ObjectName) => {
        if (!state.engine.objects[object])
          throw validationError('sharing', ['object'], `"${object}" is not an object`, 'unknown');
        const owners = await visibleOwners(state, object, 'read');
        // A copy: the set is the scope's cache, which every later read filters by.
        return owners === 'all' ? owners : new Set(owners);
      },
    },
    today: async () => dayInTimeZone(nowOf(state), (await loadTenant(state)).timeZone),
    updateSettings: (patch: Record<string, unknown>) => updateSettings(state, patch),
    transaction: <TResult>(work: (inner: CrmScope<TCustom, TPlugins>) => Promise<TResult>) =>
      inTransaction(state, (tx) => work(createScope<TCustom, TPlugins>(tx))),
    from: async (object: ObjectName, alias = 't') => {
      // Cast: each standard definition is one of the erased AnyObjectDefinition.
      const definition = objects[object] as AnyObjectDefinition;
      const visible = await visibilityCondition(state, definition, alias);
      let query = dbOf(state)
        .selectFrom(`${definition.table} as ${alias}`)
        .where(sql.ref(`${alias}.tenantId`), '=', state.tenantId);
      if (visible) query = query.where(visible);
      return query;
    },
  };
  // The repositories are typed by object name in CrmScope; the runtime functions above are one
  // generic implementation over all objects, so their precise types are asserted here once.
  registerScopeState(scope, state);
  return scope as unknown as CrmScope<TCustom, TPlugins>;
}
