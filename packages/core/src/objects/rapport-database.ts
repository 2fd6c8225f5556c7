import type { z } from 'zod';
import type { SystemFields } from './field-schemas.js';
import type { StandardObjects } from './standard-objects.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A field as its column holds it: optional fields are null when unset; JSON is as stored. */
type ColumnValue<T> = undefined extends T
  ? StoredValue<Exclude<T, undefined>> | null
  : StoredValue<T>;

/** JSON documents come back as the dialect stores them (text on SQLite): parse them first. */
type StoredValue<T> = T extends string | number | boolean | null ? T : unknown;

/**
 * The columns of one standard object's table as kysely sees them (camelCase): the system
 * columns, one column per field, and `custom` (JSON, as stored).
 *
 * @example
 * type Row = RecordTable<'opportunity'>; // { id: string; amount: number | null; ... }
 */
export type RecordTable<TName extends keyof StandardObjects> = Mutable<SystemFields> & {
  -readonly [TField in keyof z.output<StandardObjects[TName]['fields']>]-?: ColumnValue<
    z.output<StandardObjects[TName]['fields']>[TField]
  >;
} & { custom: unknown };

/** The `tenants` table. */
export interface TenantsTable {
  id: string;
  name: string;
  baseCurrency: string;
  timeZone: string;
  fiscalYearStartMonth: number;
  defaultPipelineId: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** The `exchangeRates` table: one rate per tenant and currency, to the base currency. */
export interface ExchangeRatesTable {
  tenantId: string;
  currency: string;
  rate: number;
  updatedAt: string;
}

/** The `sharingSettings` table: a tenant's org-wide defaults (JSON text) and team sharing. */
export interface SharingSettingsTable {
  tenantId: string;
  defaults: string;
  teams: string;
  version: number;
  updatedAt: string;
  updatedBy: string;
}

/**
 * Every table of core as kysely sees it through the CamelCasePlugin (camelCase names and
 * columns), for typed queries: `Kysely<RapportDatabase>` does not compile `select('amuont')`.
 * Plugin tables are not in it; a plugin declares its own.
 *
 * @example
 * const won = await db.selectFrom('opportunities').select(['id', 'amount']).where('status', '=', 'won').execute();
 */
export type RapportDatabase = {
  tenants: TenantsTable;
  exchangeRates: ExchangeRatesTable;
  sharingSettings: SharingSettingsTable;
} & {
  [TName in keyof StandardObjects as StandardObjects[TName]['table']]: RecordTable<TName>;
};
