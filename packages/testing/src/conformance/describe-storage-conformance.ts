import type { RapportStorage } from '@rapport/core';
import { describe } from 'vitest';
import { bulkWriteCases } from './bulk-write-cases.js';
import { concurrencyCases } from './concurrency-cases.js';
import type { ConformanceSetup, StorageConformanceOptions } from './conformance-context.js';
import { crudCases } from './crud-cases.js';
import { crudIntegrityCases } from './crud-integrity-cases.js';
import { customFieldCases } from './custom-field-cases.js';
import { hiddenFieldCases } from './hidden-field-cases.js';
import { historyImportCases } from './history-import-cases.js';
import { hooksEventsCases } from './hooks-events-cases.js';
import { keptValueCases } from './kept-value-cases.js';
import { keptValueMigrationCases } from './kept-value-migration-cases.js';
import { leadConversionCases } from './lead-conversion-cases.js';
import { migrationCases } from './migration-cases.js';
import { moneyCases } from './money-cases.js';
import { opportunityCases } from './opportunity-cases.js';
import { queryCases } from './query-cases.js';
import { tenancyCases } from './tenancy-cases.js';
import { timeZoneCases } from './time-zone-cases.js';
import { validationCases } from './validation-cases.js';

/**
 * Runs Rapport's storage conformance suite: every engine behaviour (CRUD, filters, sorting,
 * pagination, optimistic concurrency, tenant isolation, visibility, lead conversion, stage
 * history, values kept at write time, line items, money and currencies, custom fields, hooks,
 * events, transactions, time zones, migrations and validation of bad input) against storages
 * made by `makeStorage`.
 *
 * Call it at the top level of a vitest test file. The suite calls `makeStorage` once per group
 * of cases (not once per test), migrates it, isolates each test in its own tenant, and closes it
 * with `crm.destroy()` afterwards; `options.cleanup` then removes whatever the factory created.
 * Every call must return a new, empty storage.
 *
 * @example
 * // packages/my-storage/src/my-storage.test.ts: a file-backed SQLite, removed after each group
 * import { rm } from 'node:fs/promises';
 * import { describeStorageConformance } from '@rapport/testing';
 * import { sqliteStorage } from '@rapport/sqlite';
 *
 * describeStorageConformance('my-storage', () => sqliteStorage({ filename: 'conformance.sqlite' }), {
 *   cleanup: () => rm('conformance.sqlite', { force: true }),
 * });
 *
 * @example
 * // The SQLite adapter runs it on a fresh in-memory database per group:
 * describeStorageConformance('sqlite', () => sqliteStorage({ filename: ':memory:' }));
 */
export function describeStorageConformance(
  name: string,
  makeStorage: () => RapportStorage | Promise<RapportStorage>,
  options: StorageConformanceOptions = {},
): void {
  const setup: ConformanceSetup = { makeStorage, options };
  describe(`storage conformance: ${name}`, () => {
    migrationCases(setup);
    crudCases(setup);
    crudIntegrityCases(setup);
    queryCases(setup);
    concurrencyCases(setup);
    tenancyCases(setup);
    leadConversionCases(setup);
    hiddenFieldCases(setup);
    opportunityCases(setup);
    keptValueMigrationCases(setup);
    keptValueCases(setup);
    moneyCases(setup);
    customFieldCases(setup);
    hooksEventsCases(setup);
    timeZoneCases(setup);
    validationCases(setup);
    bulkWriteCases(setup);
    historyImportCases(setup);
  });
}
