import {
  type AnyCustomFields,
  type AnyRapportPlugin,
  type CreateTenantInput,
  type Crm,
  type CrmConfig,
  type CrmScope,
  type CustomFieldsConfig,
  createCrm,
  isRapportError,
  type RapportError,
  type RapportErrorCode,
  type RapportStorage,
  repositoryKeys,
} from '@rapport/core';
import { afterAll, beforeAll, expect } from 'vitest';

/**
 * Options of {@link describeStorageConformance}.
 *
 * @example
 * import { rm } from 'node:fs/promises';
 *
 * const options: StorageConformanceOptions = { cleanup: () => rm('conformance.sqlite', { force: true }) };
 */
export interface StorageConformanceOptions {
  /**
   * Called after the suite has closed a storage it made (`crm.destroy()`), to remove what the
   * factory created: a schema, a database, a temporary file.
   */
  readonly cleanup?: (storage: RapportStorage) => void | Promise<void>;
}

/** @internal What every group of cases receives from the entry point. */
export interface ConformanceSetup {
  readonly makeStorage: () => RapportStorage | Promise<RapportStorage>;
  readonly options: StorageConformanceOptions;
}

/** @internal The engine configuration a group asks for, without the storage the suite makes. */
export type GroupConfig<
  TPlugins extends readonly AnyRapportPlugin[],
  TFields extends CustomFieldsConfig,
> = Omit<CrmConfig<TPlugins, TFields>, 'storage'>;

/**
 * @internal Registers beforeAll/afterAll hooks that make one fresh storage and engine for the
 * surrounding describe block (migrated), and returns a getter for the engine. Tests inside the
 * block isolate themselves by tenant, which is cheaper than a storage per test.
 */
export function useCrm<
  const TPlugins extends readonly AnyRapportPlugin[] = readonly [],
  const TFields extends CustomFieldsConfig = {},
>(
  setup: ConformanceSetup,
  config: GroupConfig<TPlugins, TFields> = {},
): () => Crm<TPlugins, TFields> {
  let crm: Crm<TPlugins, TFields> | undefined;
  let storage: RapportStorage | undefined;
  beforeAll(async () => {
    storage = await setup.makeStorage();
    crm = createCrm<TPlugins, TFields>({ ...config, storage });
    await crm.migrate();
  });
  afterAll(async () => {
    await crm?.destroy();
    if (storage) await setup.options.cleanup?.(storage);
  });
  return () => {
    if (!crm) throw new Error('the conformance engine is only available inside tests');
    return crm;
  };
}

let tenantCounter = 0;

/** @internal A new tenant with a unique id, and its system (admin) scope. */
export async function newTenant<
  TPlugins extends readonly AnyRapportPlugin[],
  TFields extends CustomFieldsConfig,
>(
  crm: Crm<TPlugins, TFields>,
  settings: Partial<Omit<CreateTenantInput, 'id'>> = {},
): Promise<{
  id: string;
  admin: ReturnType<ReturnType<Crm<TPlugins, TFields>['tenant']>['system']>;
}> {
  tenantCounter += 1;
  const id = `conf-${tenantCounter}-${Math.random().toString(36).slice(2, 8)}`;
  await crm.createTenant({ name: `Conformance ${tenantCounter}`, ...settings, id });
  return { id, admin: crm.tenant(id).system() };
}

/** @internal Any scope, for helpers that do not care about custom fields. */
export type AnyScope = CrmScope<AnyCustomFields, readonly AnyRapportPlugin[]>;

/**
 * @internal Awaits a promise that must reject with a RapportError of `code`; with `path`, one of
 * its issues must have exactly that field path. Returns the error for further checks.
 */
export async function expectRapportError(
  promise: Promise<unknown>,
  code: RapportErrorCode,
  path?: readonly (string | number)[],
): Promise<RapportError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a RapportError ${code}`).toBeDefined();
  if (!isRapportError(caught)) throw caught;
  expect({ code: caught.code, message: caught.message }).toMatchObject({ code });
  if (path) {
    expect(caught.issues.map((issue) => issue.path)).toContainEqual(path);
  }
  return caught;
}

/** Objects whose rows the "nothing was written" checks count: every one. */
const countedObjects = repositoryKeys;

/**
 * @internal Counts every object's rows in a tenant (and its exchange rates), through an admin
 * scope: compare a snapshot before and after a failed write to prove nothing was written.
 */
export async function snapshotCounts(admin: AnyScope): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [object, key] of Object.entries(countedObjects)) {
    counts[object] = await admin[key].count();
  }
  counts.exchangeRate = (await admin.currencies.rates()).length;
  return counts;
}

/**
 * @internal Runs `attempt`, which must fail with `code` (and `path`), and checks that no row of
 * the tenant was added or removed by it.
 */
export async function expectNothingWritten(
  admin: AnyScope,
  attempt: () => Promise<unknown>,
  code: RapportErrorCode,
  path?: readonly (string | number)[],
): Promise<RapportError> {
  const before = await snapshotCounts(admin);
  const error = await expectRapportError(attempt(), code, path);
  expect(await snapshotCounts(admin)).toEqual(before);
  return error;
}

/** @internal A sales org: manager > (repA, subManager > repB), and repC outside the tree. */
export async function seedSalesTeam(admin: AnyScope) {
  const manager = await admin.users.create({ name: 'Mia Manager', role: 'manager' });
  const subManager = await admin.users.create({
    name: 'Sam Submanager',
    role: 'manager',
    managerId: manager.id,
  });
  const repA = await admin.users.create({ name: 'Ann Rep', role: 'rep', managerId: manager.id });
  const repB = await admin.users.create({ name: 'Ben Rep', role: 'rep', managerId: subManager.id });
  const repC = await admin.users.create({ name: 'Cid Rep', role: 'rep' });
  return { manager, subManager, repA, repB, repC };
}

/** @internal A date `days` after `day` (both `YYYY-MM-DD`). */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}
