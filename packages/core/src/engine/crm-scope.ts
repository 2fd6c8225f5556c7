import { type SelectQueryBuilder, sql } from 'kysely';
import { RapportError } from '../errors/rapport-error.js';
import { createKpiService, type KpiService } from '../kpi/kpi-service.js';
import type { AnyDatabase } from '../migrations/migration-context.js';
import type { Money } from '../money/money.js';
import type { AnyObjectDefinition } from '../objects/object-definition.js';
import { type ObjectName, standardObjects } from '../objects/standard-objects.js';
import type { AnyRapportPlugin } from '../plugins/define-plugin.js';
import { closeLost, closeWon } from '../sales/close-opportunity.js';
import { type ConvertLeadOptions, convertLead } from '../sales/lead-conversion.js';
import type { DialectSql } from '../storage/storage-adapter.js';
import type { Actor } from '../tenancy/actor.js';
import type { SharingPatch } from '../tenancy/sharing.js';
import { dayInTimeZone, type Tenant } from '../tenancy/tenant.js';
import { convertMoney, type ExchangeRate, listRates, setRate } from './currencies.js';
import { dbOf, type ScopeState } from './engine-state.js';
import { findVisible, getVisible } from './read/find-record.js';
import {
  countRecords,
  findByExternalId,
  listRecords,
  type RecordQuery,
} from './read/list-records.js';
import type {
  AnyCustomFields,
  CreateInput,
  CrmRecord,
  ListQuery,
  Page,
  UpdateInput,
  Where,
} from './record-types.js';
import { loadSharing, type SharingService, updateSharing } from './sharing-settings.js';
import { updateSettings } from './tenant-settings.js';
import { inTransaction } from './transaction.js';
import { loadTenant, visibilityCondition } from './visibility.js';
import { createRecord } from './write/create-record.js';
import { createRecords } from './write/create-records.js';
import { deleteRecord } from './write/delete-record.js';
import { updateRecord } from './write/update-record.js';
import { upsertRecord } from './write/upsert-record.js';
import { type UpsertManyResult, upsertRecords } from './write/upsert-records.js';

/**
 * Reads of one object through a scope: only the tenant's records the actor may see.
 *
 * @example
 * const page = await scope.stageHistory.list({ where: { opportunityId }, orderBy: { field: 'createdAt' } });
 */
export interface ObjectReader<TName extends ObjectName, TCustom extends AnyCustomFields> {
  /** The record, or NOT_FOUND. */
  get(id: string): Promise<CrmRecord<TName, TCustom>>;
  /** The record, or undefined. */
  find(id: string): Promise<CrmRecord<TName, TCustom> | undefined>;
  /** The record with this external id, or undefined. */
  findByExternalId(externalId: string): Promise<CrmRecord<TName, TCustom> | undefined>;
  /** A page of records: filters, one sort field, cursor pagination. */
  list(query?: ListQuery<CrmRecord<TName, TCustom>>): Promise<Page<CrmRecord<TName, TCustom>>>;
  /** How many records match. */
  count(where?: Where<CrmRecord<TName, TCustom>>): Promise<number>;
}

/**
 * Reads and writes of one object through a scope. Every write validates, runs hooks, and is one
 * transaction (or part of the scope's).
 *
 * @example
 * const account = await scope.accounts.create({ name: 'Acme' });
 * await scope.accounts.update(account.id, { version: account.version, industry: 'Retail' });
 */
export interface ObjectRepository<TName extends ObjectName, TCustom extends AnyCustomFields>
  extends ObjectReader<TName, TCustom> {
  /** Creates a record. */
  create(input: CreateInput<TName, TCustom>): Promise<CrmRecord<TName, TCustom>>;
  /** Updates a record; `version` must be the stored one, else CONFLICT. */
  update(id: string, patch: UpdateInput<TName, TCustom>): Promise<CrmRecord<TName, TCustom>>;
  /** Creates or updates by `externalId` (for imports). */
  upsert(
    input: CreateInput<TName, TCustom> & { readonly externalId: string },
  ): Promise<{ readonly record: CrmRecord<TName, TCustom>; readonly created: boolean }>;
  /** Deletes a record; a given `version` must be the stored one. Referenced records are a CONFLICT. */
  delete(id: string, options?: { readonly version?: number }): Promise<void>;
  /**
   * Creates many records in one transaction, all or nothing: each is validated and runs its rules
   * and hooks; references are checked and rows written in bulk. Issue paths start with the index.
   */
  createMany(inputs: readonly CreateInput<TName, TCustom>[]): Promise<CrmRecord<TName, TCustom>[]>;
  /**
   * Creates or updates many records by `externalId` in one transaction, all or nothing; records
   * that would not change are not written. What imports use.
   */
  upsertMany(
    inputs: readonly (CreateInput<TName, TCustom> & { readonly externalId: string })[],
  ): Promise<UpsertManyResult<CrmRecord<TName, TCustom>>>;
}

/** A line item given with `closeWon`. */
export type CloseWonLineItem<TCustom extends AnyCustomFields> = Omit<
  CreateInput<'lineItem', TCustom>,
  'opportunityId'
>;

/**
 * Opportunities, with the stage moves of a sales process.
 *
 * @example
 * const won = await scope.opportunities.closeWon(deal.id, { version: deal.version });
 */
export interface OpportunityRepository<TCustom extends AnyCustomFields>
  extends ObjectRepository<'opportunity', TCustom> {
  /** Moves to a stage of the opportunity's pipeline; probability and forecast category follow unless given. */
  changeStage(
    id: string,
    change: {
      readonly version: number;
      readonly stage: string;
      readonly probability?: number;
      readonly amount?: number;
      readonly closeDate?: string;
    },
  ): Promise<CrmRecord<'opportunity', TCustom>>;
  /** Closes won (today in the tenant's time zone unless `closeDate`), after adding `lineItems`, in one transaction. */
  closeWon(
    id: string,
    options: {
      readonly version: number;
      readonly closeDate?: string;
      readonly lineItems?: readonly CloseWonLineItem<TCustom>[];
    },
  ): Promise<CrmRecord<'opportunity', TCustom>>;
  /** Closes lost with a reason (today unless `closeDate`). */
  closeLost(
    id: string,
    options: { readonly version: number; readonly lostReason: string; readonly closeDate?: string },
  ): Promise<CrmRecord<'opportunity', TCustom>>;
}

/** The records a lead conversion touched. */
export interface ConvertedLead<TCustom extends AnyCustomFields> {
  /** The lead, now converted. */
  readonly lead: CrmRecord<'lead', TCustom>;
  /** The new or merged account. */
  readonly account: CrmRecord<'account', TCustom>;
  /** The new or merged contact. */
  readonly contact: CrmRecord<'contact', TCustom>;
  /** The new opportunity, unless `opportunity: false`. */
  readonly opportunity: CrmRecord<'opportunity', TCustom> | null;
}

/**
 * Leads, with Salesforce-style conversion.
 *
 * @example
 * const { account, contact, opportunity } = await scope.leads.convert(lead.id);
 */
export interface LeadRepository<TCustom extends AnyCustomFields>
  extends ObjectRepository<'lead', TCustom> {
  /** Converts a lead into an account, a contact and (unless `opportunity: false`) an opportunity, in one transaction. */
  convert(id: string, options?: ConvertLeadOptions): Promise<ConvertedLead<TCustom>>;
}

/**
 * Money in other currencies, converted through the tenant's base currency.
 *
 * @example
 * await scope.currencies.setRate('USD', 0.92);
 * await scope.currencies.convert({ amount: 100_00, currency: 'USD' }); // { amount: 9200, currency: 'EUR' }
 */
export interface CurrencyService {
  /** Sets the rate of a currency: 1 unit of it is `rate` units of the base currency. Admins only. */
  setRate(currency: string, rate: number): Promise<ExchangeRate>;
  /** The tenant's rates. */
  rates(): Promise<ExchangeRate[]>;
  /** Converts money, to the base currency unless `to` is given. */
  convert(money: Money, to?: string): Promise<Money>;
}

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
  TPlugins extends readonly AnyRapportPlugin[] = readonly AnyRapportPlugin[],
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
  return {
    get: (id: string) => getVisible(state, definition, id),
    find: (id: string) => findVisible(state, definition, id),
    findByExternalId: (externalId: string) => findByExternalId(state, definition, externalId),
    list: (query?: RecordQuery) => listRecords(state, definition, query),
    count: (where?: Readonly<Record<string, unknown>>) => countRecords(state, definition, where),
    create: (input: unknown) => createRecord(state, definition, input),
    update: (id: string, patch: unknown) => updateRecord(state, definition, id, patch),
    upsert: (input: Record<string, unknown>) => upsertRecord(state, definition, input),
    createMany: (inputs: readonly unknown[]) => createRecords(state, definition, inputs),
    upsertMany: (inputs: readonly Record<string, unknown>[]) =>
      upsertRecords(state, definition, inputs),
    delete: (id: string, options?: { readonly version?: number }) =>
      deleteRecord(state, definition, id, options),
  };
}

const scopeStates = new WeakMap<object, ScopeState>();

/**
 * @internal The state behind a scope this engine made (plugins reach their tables in the scope's
 * transaction through it); UNSUPPORTED for any other object.
 */
export function scopeStateOf(scope: unknown): ScopeState {
  const state = typeof scope === 'object' && scope !== null ? scopeStates.get(scope) : undefined;
  if (!state) throw new RapportError('UNSUPPORTED', 'not a scope made by createCrm');
  return state;
}

/** @internal Builds the public scope over a scope state. */
export function createScope<
  TCustom extends AnyCustomFields,
  TPlugins extends readonly AnyRapportPlugin[],
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
      convert: (id: string, options?: ConvertLeadOptions) => convertLead(state, id, options),
    },
    opportunities: {
      ...opportunities,
      changeStage: (id: string, change: { version: number; stage: string }) =>
        opportunities.update(id, change),
      closeWon: (id: string, options: unknown) => closeWon(state, id, options),
      closeLost: (id: string, options: unknown) => closeLost(state, id, options),
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
    },
    today: async () => dayInTimeZone(state.engine.now(), (await loadTenant(state)).timeZone),
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
  scopeStates.set(scope, state);
  return scope as unknown as CrmScope<TCustom, TPlugins>;
}
