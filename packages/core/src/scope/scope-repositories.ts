import type { ExchangeRate } from '../engine/currencies.js';
import type {
  AnyCustomFields,
  CreateInput,
  CrmRecord,
  ListQuery,
  Page,
  UpdateInput,
  Where,
} from '../engine/record-types.js';
import type { SharingService } from '../engine/sharing-settings.js';
import type { RecordHistory, WriteManyOptions } from '../engine/write/record-history.js';
import type { UpsertManyResult } from '../engine/write/upsert-records.js';
import type { Money } from '../money/money.js';
import type { ObjectName } from '../objects/standard-objects.js';
import type { StageHistoryEntry, StageHistoryImportResult } from '../sales/import-stage-history.js';
import type { ConvertLeadOptions } from '../sales/lead-conversion.js';

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
   * A history import (admins only, else FORBIDDEN): each input may give its record's own
   * `createdAt` (not in the future) and `createdBy`, and the record is written as of then.
   */
  createMany(
    inputs: readonly (CreateInput<TName, TCustom> & RecordHistory)[],
    options: WriteManyOptions,
  ): Promise<CrmRecord<TName, TCustom>[]>;
  /**
   * Creates or updates many records by `externalId` in one transaction, all or nothing; records
   * that would not change are not written. What imports use.
   */
  upsertMany(
    inputs: readonly (CreateInput<TName, TCustom> & { readonly externalId: string })[],
  ): Promise<UpsertManyResult<CrmRecord<TName, TCustom>>>;
  /**
   * A history import (admins only, else FORBIDDEN): new records take the input's `createdAt`
   * and `createdBy`; an existing record keeps its own (a different `createdAt` is VALIDATION).
   */
  upsertMany(
    inputs: readonly (CreateInput<TName, TCustom> & {
      readonly externalId: string;
    } & RecordHistory)[],
    options: WriteManyOptions,
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
  /**
   * Imports deals' past stage changes into their stage history, each dated by its `changedAt`
   * (admins only). Merged with the stored history by instant, so importing the same changes
   * again writes nothing and importing them in parts gives the same history; the entry written
   * when the deal was created gives way to the imported ones. All or nothing: VALIDATION for an
   * unknown deal or a stage not in the deal's pipeline, paths starting with the entry's index.
   */
  importStageHistory(entries: readonly StageHistoryEntry[]): Promise<StageHistoryImportResult>;
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

export type { SharingService };
