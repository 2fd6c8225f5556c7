import { sql } from 'kysely';
import { z } from 'zod';
import { RapportError, type RapportIssue, validationError } from '../errors/rapport-error.js';
import { fromZodError } from '../errors/zod-issues.js';
import { newId } from '../ids/id.js';
import type { AnyObjectDefinition } from '../objects/object-definition.js';
import { dbOf, type ScopeState, sharedKey } from './engine-state.js';
import type { HookContext } from './hooks.js';
import { compiledInsert, insertText } from './insert-statements.js';
import type { ObjectRules, StoredRecord } from './object-rules.js';
import {
  afterCursor,
  decodeCursor,
  encodeCursor,
  queryableFields,
  whereConditions,
} from './query-filter.js';
import { inTransaction, queueEvent } from './transaction.js';
import { canSeeOwner, loadTenant, requireAdmin, visibilityCondition } from './visibility.js';

/** @internal Rules per object name, set by the engine. */
export type RulesRegistry = Readonly<Record<string, ObjectRules | undefined>>;

const schemaCache = new WeakMap<
  AnyObjectDefinition,
  { create: z.ZodObject; update: z.ZodObject; json: ReadonlySet<string> }
>();

/** @internal The create and update schemas of an object (cached). */
export function schemasOf(definition: AnyObjectDefinition) {
  let cached = schemaCache.get(definition);
  if (!cached) {
    const writable = definition.fields.omit(
      Object.fromEntries(definition.readonlyFields.map((field) => [field, true])) as Record<
        string,
        true
      >,
    );
    const meta = {
      externalId: z.string().min(1).max(255).nullable().optional(),
      custom: z.record(z.string(), z.unknown()).optional(),
    };
    const json = new Set(
      Object.entries(definition.fields.shape)
        .filter(([, schema]) => ['array', 'object', 'record'].includes(unwrapType(schema)))
        .map(([key]) => key),
    );
    cached = {
      create: writable.extend({ ...meta, id: z.string().min(1).max(64).optional() }).strict(),
      update: writable
        .partial()
        .extend({ ...meta, version: z.number().int().positive() })
        .strict(),
      json,
    };
    schemaCache.set(definition, cached);
  }
  return cached;
}

function unwrapType(schema: unknown): string {
  let current = schema as { _zod?: { def?: { type?: string; innerType?: unknown } } } | undefined;
  for (let depth = 0; depth < 8; depth++) {
    const def = current?._zod?.def;
    if (!def?.type) return 'unknown';
    if (def.innerType === undefined || def.type === 'array') return def.type;
    current = def.innerType as typeof current;
  }
  return 'unknown';
}

/** @internal Turns a database row into a record (JSON columns parsed). */
export function fromRow(
  state: ScopeState,
  definition: AnyObjectDefinition,
  row: Record<string, unknown>,
): StoredRecord {
  const { json } = schemasOf(definition);
  const dialect = state.engine.storage.sql;
  const record: Record<string, unknown> = { ...row };
  record.custom = (row.custom == null ? {} : dialect.parseJson(row.custom)) as Record<
    string,
    unknown
  >;
  for (const key of json) record[key] = row[key] == null ? row[key] : dialect.parseJson(row[key]);
  return record as StoredRecord;
}

function toColumns(
  state: ScopeState,
  definition: AnyObjectDefinition,
  values: Record<string, unknown>,
): Record<string, unknown> {
  const { json } = schemasOf(definition);
  const dialect = state.engine.storage.sql;
  const row: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    row[key] = json.has(key) && value != null ? dialect.jsonParameter(value) : value;
  }
  return row;
}

function translateStorageError(
  state: ScopeState,
  definition: AnyObjectDefinition,
  error: unknown,
  id?: string,
): never {
  const kind = state.engine.storage.sql.classifyError(error);
  if (kind === 'unique') {
    throw new RapportError(
      'CONFLICT',
      `${definition.name}: a record with this id or external id exists`,
      {
        object: definition.name,
        ...(id === undefined ? {} : { id }),
        cause: error,
      },
    );
  }
  if (kind === 'foreign_key') {
    throw new RapportError(
      'CONFLICT',
      `${definition.name}: the record is referenced by or references a missing record`,
      {
        object: definition.name,
        ...(id === undefined ? {} : { id }),
        cause: error,
      },
    );
  }
  if (kind === 'serialization') {
    throw new RapportError('CONFLICT', `${definition.name}: a concurrent write conflicted; retry`, {
      object: definition.name,
      cause: error,
    });
  }
  throw error;
}

/** @internal Loads a record the actor may see, or undefined. */
export async function findVisible(
  state: ScopeState,
  definition: AnyObjectDefinition,
  id: string,
): Promise<StoredRecord | undefined> {
  const cached = state.tx?.records.get(`${definition.table}:${id}`);
  if (cached) return cached;
  let query = dbOf(state)
    .selectFrom(`${definition.table} as t`)
    .selectAll('t')
    .where('t.tenantId', '=', state.tenantId)
    .where('t.id', '=', id);
  const visible = await visibilityCondition(state, definition, 't');
  if (visible) query = query.where(visible);
  const row = await query.executeTakeFirst();
  if (!row) return undefined;
  const record = fromRow(state, definition, row);
  cacheRecord(state, definition, record);
  return record;
}

const recordCacheSize = 2_000;
const knownIdsPerTable = 200_000;

/** @internal Remembers a record for the rest of the transaction (oldest out first). */
export function cacheRecord(
  state: ScopeState,
  definition: AnyObjectDefinition,
  record: StoredRecord,
): void {
  const records = state.tx?.records;
  if (!records) return;
  const key = `${definition.table}:${record.id}`;
  records.delete(key);
  if (records.size >= recordCacheSize) {
    const oldest = records.keys().next().value;
    if (oldest !== undefined) records.delete(oldest);
  }
  records.set(key, record);
}

/** @internal Forgets the cached records of a table after a write outside the repository. */
export function forgetTable(state: ScopeState, table: string): void {
  markWritten(state, table);
  state.engine.shared.knownIds.delete(sharedKey(state.tenantId, table));
  const records = state.tx?.records;
  if (!records) return;
  for (const key of [...records.keys()]) if (key.startsWith(`${table}:`)) records.delete(key);
  state.tx?.knownIds.delete(table);
}

function forgetRecord(state: ScopeState, definition: AnyObjectDefinition, id: string): void {
  state.tx?.records.delete(`${definition.table}:${id}`);
  state.tx?.knownIds.get(definition.table)?.delete(id);
  // Also when this transaction rolls back later: the cache may only miss, never lie.
  state.engine.shared.knownIds.get(sharedKey(state.tenantId, definition.table))?.delete(id);
}

/** @internal Loads a record the actor may see, or throws NOT_FOUND. */
export async function getVisible(
  state: ScopeState,
  definition: AnyObjectDefinition,
  id: string,
): Promise<StoredRecord> {
  const record = await findVisible(state, definition, id);
  if (!record)
    throw new RapportError('NOT_FOUND', `${definition.name} ${id} not found`, {
      object: definition.name,
      id,
    });
  return record;
}

async function checkAccess(
  state: ScopeState,
  definition: AnyObjectDefinition,
  values: Record<string, unknown>,
): Promise<void> {
  if (definition.access === 'shared') {
    requireAdmin(state, `change ${definition.name} records`);
  } else if (definition.access === 'owned') {
    const ownerId = values.ownerId;
    if (typeof ownerId === 'string' && !(await canSeeOwner(state, ownerId))) {
      throw new RapportError(
        'FORBIDDEN',
        `${definition.name}: you may not write records owned by ${ownerId}`,
        {
          object: definition.name,
        },
      );
    }
  } else if (typeof values.opportunityId === 'string') {
    const parent = await findVisible(
      state,
      state.engine.objects.opportunity as AnyObjectDefinition,
      values.opportunityId,
    );
    if (!parent) {
      throw validationError(
        definition.name,
        ['opportunityId'],
        'references no opportunity you can see',
        'unknown_reference',
      );
    }
  }
}

async function checkReferences(
  state: ScopeState,
  definition: AnyObjectDefinition,
  values: Record<string, unknown>,
  previous: StoredRecord | undefined,
): Promise<void> {
  const issues: RapportIssue[] = [];
  for (const [field, target] of Object.entries(definition.references)) {
    const value = values[field];
    if (value == null || (previous && previous[field] === value)) continue;
    const targetDefinition = state.engine.objects[target];
    if (!targetDefinition) continue;
    if (await referenceExists(state, targetDefinition.table, String(value))) continue;
    issues.push({
      path: [field],
      code: 'unknown_reference',
      message: `references no ${target} ${String(value)} in this tenant`,
    });
  }
  if (issues.length > 0) {
    throw new RapportError(
      'VALIDATION',
      `${definition.name}: ${issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
      {
        object: definition.name,
        issues,
      },
    );
  }
}

/**
 * @internal Whether a record id exists in the tenant (cached for the transaction, and between
 * transactions when the engine's shared cache is valid).
 */
export async function referenceExists(
  state: ScopeState,
  table: string,
  id: string,
): Promise<boolean> {
  if (isKnown(state, table, id)) return true;
  const row = await dbOf(state)
    .selectFrom(table)
    .select('id')
    .where('tenantId', '=', state.tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (row) {
    rememberId(state, table, id);
    shareId(state, table, id);
  }
  return row !== undefined;
}

/** Whether an id is known to exist, by this transaction or by the engine's shared cache. */
function isKnown(state: ScopeState, table: string, id: string): boolean {
  const tx = state.tx;
  if (!tx) return false;
  if (tx.knownIds.get(table)?.has(id)) return true;
  return tx.shared?.knownIds.get(sharedKey(state.tenantId, table))?.has(id) === true;
}

function rememberId(state: ScopeState, table: string, id: string): void {
  if (!state.tx) return;
  let known = state.tx.knownIds.get(table);
  // Bounded, so that a transaction importing millions of rows does not hold every id.
  if (!known || known.size >= knownIdsPerTable) {
    known = new Set();
    state.tx.knownIds.set(table, known);
  }
  known.add(id);
}

/**
 * Shares an id read from the database with later transactions: only from a table this
 * transaction has not written, so the row is committed (a rollback cannot take it back).
 */
function shareId(state: ScopeState, table: string, id: string): void {
  const shared = state.tx?.shared;
  if (!shared || state.tx?.written.has(table)) return;
  const key = sharedKey(state.tenantId, table);
  let known = shared.knownIds.get(key);
  if (!known || known.size >= knownIdsPerTable) {
    known = new Set();
    shared.knownIds.set(key, known);
  }
  known.add(id);
}

async function checkCurrency(
  state: ScopeState,
  definition: AnyObjectDefinition,
  values: Record<string, unknown>,
): Promise<void> {
  const currency = values.currency;
  if (typeof currency !== 'string') return;
  const tenant = await loadTenant(state);
  if (currency === tenant.baseCurrency) return;
  const known = state.tx?.knownIds.get('exchangeRates');
  if (known?.has(currency)) return;
  const rate = await dbOf(state)
    .selectFrom('exchangeRates')
    .select('rate')
    .where('tenantId', '=', state.tenantId)
    .where('currency', '=', currency)
    .executeTakeFirst();
  if (!rate) {
    throw validationError(
      definition.name,
      ['currency'],
      `has no exchange rate to the base currency ${tenant.baseCurrency}; set one with scope.currencies.setRate`,
      'unknown_currency_rate',
    );
  }
  rememberId(state, 'exchangeRates', currency);
}

function validateCustom(
  state: ScopeState,
  definition: AnyObjectDefinition,
  custom: Record<string, unknown>,
): Record<string, unknown> {
  const schema = state.engine.customSchemas[definition.name];
  if (!schema) return custom;
  const parsed = schema.safeParse(custom);
  if (!parsed.success) throw fromZodError(definition.name, parsed.error, ['custom']);
  return parsed.data as Record<string, unknown>;
}

function hookContext(state: ScopeState, definition: AnyObjectDefinition): HookContext {
  return {
    tenantId: state.tenantId,
    actor: state.actor,
    object: definition.name,
    scope: state.engine.scopeFactory(state),
  };
}

function applyHookResult(
  definition: AnyObjectDefinition,
  values: Record<string, unknown>,
  result: void | Record<string, unknown>,
): { values: Record<string, unknown>; changed: boolean } {
  if (!result) return { values, changed: false };
  const { custom, ...rest } = result;
  const merged = { ...values, ...rest };
  if (custom !== undefined) {
    if (custom === null || typeof custom !== 'object') {
      throw validationError(
        definition.name,
        ['custom'],
        'a hook returned custom values that are not an object',
      );
    }
    merged.custom = { ...(values.custom as Record<string, unknown>), ...custom };
  }
  return { values: merged, changed: true };
}

function revalidate(
  definition: AnyObjectDefinition,
  values: Record<string, unknown>,
): Record<string, unknown> {
  const { custom, ...fields } = values;
  const parsed = definition.fields.safeParse(fields);
  if (!parsed.success) throw fromZodError(definition.name, parsed.error);
  return { ...(parsed.data as Record<string, unknown>), custom };
}

const blankByDefinition = new WeakMap<AnyObjectDefinition, Readonly<Record<string, null>>>();

function blankFields(definition: AnyObjectDefinition): Readonly<Record<string, null>> {
  let blank = blankByDefinition.get(definition);
  if (!blank) {
    blank = Object.fromEntries(Object.keys(definition.fields.shape).map((key) => [key, null]));
    blankByDefinition.set(definition, blank);
  }
  return blank;
}

/** @internal Throws FORBIDDEN for objects only the engine writes. */
export function requireWritable(definition: AnyObjectDefinition): void {
  if (definition.engineOnly) {
    throw new RapportError(
      'FORBIDDEN',
      `${definition.name} records are written by the engine only`,
      { object: definition.name },
    );
  }
}

/** @internal Parses and stores a new record (the public create). */
export async function createRecord(
  state: ScopeState,
  definition: AnyObjectDefinition,
  input: unknown,
): Promise<StoredRecord> {
  requireWritable(definition);
  const parsed = schemasOf(definition).create.safeParse(input);
  if (!parsed.success) throw fromZodError(definition.name, parsed.error);
  const { id, externalId, custom, values } = splitMeta(parsed.data as Record<string, unknown>);
  return inTransaction(state, (tx) =>
    insertRecord(tx, definition, values, {
      id: (id as string | undefined) ?? newId(tx.engine.now().getTime()),
      externalId: (externalId as string | null | undefined) ?? null,
      custom: (custom as Record<string, unknown> | undefined) ?? {},
    }),
  );
}

/**
 * @internal Splits parsed input into its identity and custom values and its fields (a loop,
 * not a rest pattern: measured several times faster on the write path).
 */
export function splitMeta(data: Record<string, unknown>): {
  id: unknown;
  externalId: unknown;
  custom: unknown;
  values: Record<string, unknown>;
} {
  const values: Record<string, unknown> = {};
  for (const key in data) {
    if (key !== 'id' && key !== 'externalId' && key !== 'custom') values[key] = data[key];
  }
  return { id: data.id, externalId: data.externalId, custom: data.custom, values };
}

/** @internal Identity and custom values of a record about to be inserted. */
export interface InsertMeta {
  readonly id: string;
  readonly externalId: string | null;
  readonly custom: Record<string, unknown>;
}

/** @internal Stores a new record from values the engine trusts to have the right shape. */
export async function insertRecord(
  state: ScopeState,
  definition: AnyObjectDefinition,
  input: Record<string, unknown>,
  meta: InsertMeta,
): Promise<StoredRecord> {
  const record = await buildRecord(state, definition, input, meta);
  await checkReferences(state, definition, record, undefined);
  await writeRows(state, definition, [record]);
  await finishInsert(state, definition, record);
  return record;
}

/**
 * @internal Everything before the write of a new record: defaults, rules, before hooks, custom
 * field validation, access and currency checks. References are checked by the caller (one by
 * one, or in bulk).
 */
export async function buildRecord(
  state: ScopeState,
  definition: AnyObjectDefinition,
  input: Record<string, unknown>,
  meta: InsertMeta,
): Promise<StoredRecord> {
  const tenant = await loadTenant(state);
  const shape = definition.fields.shape;
  // Copies below put literal keys before the spread and assign after it: on V8, spreading an
  // object and then adding keys was measured 10-30x slower than this order (Node 20).
  let values: Record<string, unknown> = input;
  if ('ownerId' in shape && definition.access === 'owned' && values.ownerId === undefined) {
    // Admin actors may be services (`system`, an import job) rather than users: say so plainly.
    if (state.actor.role === 'admin' && !(await referenceExists(state, 'users', state.actor.id))) {
      throw validationError(
        definition.name,
        ['ownerId'],
        `is required: the acting admin ${state.actor.id} is not a user of this tenant`,
        'required',
      );
    }
    values = { ownerId: state.actor.id, ...values };
    values.ownerId = state.actor.id;
  }
  if ('currency' in shape && values.currency === undefined) {
    values = { currency: tenant.baseCurrency, ...values };
    values.currency = tenant.baseCurrency;
  }
  const rules = state.engine.rules[definition.name];
  if (rules?.prepare) values = await rules.prepare(state, values, undefined);

  let finalValues = values;
  let rawCustom: unknown = meta.custom;
  const objectHooks = state.engine.hooks[definition.name];
  if (objectHooks?.some((hooks) => hooks.beforeCreate)) {
    let withCustom: Record<string, unknown> = { ...values, custom: meta.custom };
    let changedByHooks = false;
    for (const hooks of objectHooks) {
      if (!hooks.beforeCreate) continue;
      const result = applyHookResult(
        definition,
        withCustom,
        await hooks.beforeCreate({ ...hookContext(state, definition), data: withCustom }),
      );
      withCustom = result.values;
      changedByHooks ||= result.changed;
    }
    if (changedByHooks) withCustom = revalidate(definition, withCustom);
    const { custom: hookCustom, ...rest } = withCustom;
    finalValues = rest;
    rawCustom = hookCustom;
  }
  const custom = validateCustom(state, definition, rawCustom as Record<string, unknown>);

  await checkAccess(state, definition, finalValues);
  await checkCurrency(state, definition, finalValues);

  const now = state.engine.now().toISOString();
  const actorId = state.actor.id;
  const record: Record<string, unknown> = {
    tenantId: state.tenantId,
    id: meta.id,
    version: 1,
    createdAt: now,
    createdBy: actorId,
    updatedAt: now,
    updatedBy: actorId,
    externalId: meta.externalId,
    custom,
    ...blankFields(definition),
    ...finalValues,
  };
  // The identity and bookkeeping columns win over any field of the same name.
  record.tenantId = state.tenantId;
  record.id = meta.id;
  record.version = 1;
  record.createdAt = now;
  record.createdBy = actorId;
  record.updatedAt = now;
  record.updatedBy = actorId;
  record.externalId = meta.externalId;
  record.custom = custom;
  return record as StoredRecord;
}

/** @internal Inserts records, as many per statement as the dialect's parameter limit allows. */
export async function writeRows(
  state: ScopeState,
  definition: AnyObjectDefinition,
  records: readonly StoredRecord[],
): Promise<void> {
  const first = records[0];
  if (!first) return;
  markWritten(state, definition.table);
  const columns = Object.keys(first);
  // SQLite allows 32,766 bound parameters per statement, Postgres 65,535: stay under both.
  const rowsPerStatement = Math.max(1, Math.floor(30_000 / columns.length));
  for (let start = 0; start < records.length; start += rowsPerStatement) {
    const chunk = records.slice(start, start + rowsPerStatement);
    try {
      const parameters = insertParameters(state, definition, columns, chunk);
      const text =
        parameters && insertText(state.engine.db, definition.table, columns, chunk.length);
      if (parameters && text) {
        await dbOf(state).executeQuery(compiledInsert(text, parameters));
      } else {
        const jsonParameter = state.engine.storage.sql.jsonParameter;
        await dbOf(state)
          .insertInto(definition.table)
          .values(
            chunk.map((record) =>
              toColumns(state, definition, { ...record, custom: jsonParameter(record.custom) }),
            ),
          )
          .execute();
      }
    } catch (error) {
      translateStorageError(
        state,
        definition,
        error,
        chunk.length === 1 ? chunk[0]?.id : undefined,
      );
    }
  }
  for (const record of records) rememberId(state, definition.table, record.id);
}

/**
 * The flat parameters of a multi-row insert (JSON columns encoded), or undefined when a record
 * has other fields than the first (then kysely lines the columns up).
 */
function insertParameters(
  state: ScopeState,
  definition: AnyObjectDefinition,
  columns: readonly string[],
  records: readonly StoredRecord[],
): unknown[] | undefined {
  const { json } = schemasOf(definition);
  const jsonParameter = state.engine.storage.sql.jsonParameter;
  const encode = columns.map((column) => column === 'custom' || json.has(column));
  const parameters = new Array<unknown>(columns.length * records.length);
  let at = 0;
  for (const record of records) {
    let count = 0;
    for (const _key in record) count++;
    if (count !== columns.length) return undefined;
    for (let index = 0; index < columns.length; index++) {
      const column = columns[index] as string;
      if (!Object.hasOwn(record, column)) return undefined;
      const value = record[column];
      // kysely binds a missing value as the column default (null here); bind null.
      parameters[at++] =
        value === undefined || value === null ? null : encode[index] ? jsonParameter(value) : value;
    }
  }
  return parameters;
}

/** @internal Notes that the transaction wrote a table (what it reads from it may be uncommitted). */
export function markWritten(state: ScopeState, table: string): void {
  state.tx?.written.add(table);
}

/** @internal What follows a stored insert: caches, rules, after hooks, the event. */
export async function finishInsert(
  state: ScopeState,
  definition: AnyObjectDefinition,
  record: StoredRecord,
  options: { readonly rules?: boolean } = {},
): Promise<void> {
  rememberId(state, definition.table, record.id);
  cacheRecord(state, definition, record);
  const rules = state.engine.rules[definition.name];
  if (rules?.afterWrite && options.rules !== false)
    await rules.afterWrite(state, record, undefined);
  for (const hooks of state.engine.hooks[definition.name] ?? []) {
    await hooks.afterCreate?.({ ...hookContext(state, definition), record });
  }
  queueEvent(state, {
    type: 'record.created',
    payload: { tenantId: state.tenantId, actor: state.actor, object: definition.name, record },
  });
}

/**
 * @internal Checks the references of many new records with one query per referenced table and
 * chunk of ids; issues name the record's index.
 */
export async function checkReferencesMany(
  state: ScopeState,
  definition: AnyObjectDefinition,
  records: readonly StoredRecord[],
): Promise<void> {
  const issues: RapportIssue[] = [];
  for (const [field, target] of Object.entries(definition.references)) {
    const targetDefinition = state.engine.objects[target];
    if (!targetDefinition) continue;
    const table = targetDefinition.table;
    // Rows of one batch may reference each other (a parent account): one statement checks them.
    const inBatch = table === definition.table ? new Set(records.map((r) => r.id)) : undefined;
    const txKnown = state.tx?.knownIds.get(table);
    const sharedKnown = state.tx?.shared?.knownIds.get(sharedKey(state.tenantId, table));
    const wanted = new Set<string>();
    for (const record of records) {
      const value = record[field];
      if (
        typeof value === 'string' &&
        !wanted.has(value) &&
        !inBatch?.has(value) &&
        !txKnown?.has(value) &&
        !sharedKnown?.has(value)
      )
        wanted.add(value);
    }
    const found = new Set<string>();
    const ids = [...wanted];
    for (let start = 0; start < ids.length; start += 1000) {
      const rows = await dbOf(state)
        .selectFrom(targetDefinition.table)
        .select('id')
        .where('tenantId', '=', state.tenantId)
        .where('id', 'in', ids.slice(start, start + 1000))
        .execute();
      for (const row of rows) {
        const id = String(row.id);
        found.add(id);
        rememberId(state, table, id);
        shareId(state, table, id);
      }
    }
    for (const [index, record] of records.entries()) {
      const value = record[field];
      if (typeof value !== 'string' || !wanted.has(value) || found.has(value)) continue;
      issues.push({
        path: [index, field],
        code: 'unknown_reference',
        message: `references no ${target} ${value} in this tenant`,
      });
    }
  }
  if (issues.length > 0) {
    const shown = issues.slice(0, 5).map((i) => `${i.path.join('.')} ${i.message}`);
    throw new RapportError('VALIDATION', `${definition.name}: ${shown.join('; ')}`, {
      object: definition.name,
      issues,
    });
  }
}

/** @internal Parses a patch and updates a visible record with optimistic concurrency. */
export async function updateRecord(
  state: ScopeState,
  definition: AnyObjectDefinition,
  id: string,
  patch: unknown,
): Promise<StoredRecord> {
  requireWritable(definition);
  const parsed = schemasOf(definition).update.safeParse(patch);
  if (!parsed.success) throw fromZodError(definition.name, parsed.error);
  const { version, custom, ...parsedChanges } = parsed.data as Record<string, unknown>;
  // zod fills `.default()`s into keys a partial patch left out; only the keys given are changes.
  const changes = Object.fromEntries(
    Object.entries(parsedChanges).filter(([key]) => Object.hasOwn(patch as object, key)),
  );
  return inTransaction(state, async (tx) => {
    const previous = await getVisible(tx, definition, id);
    if (previous.version !== version) {
      throw new RapportError(
        'CONFLICT',
        `${definition.name} ${id} is at version ${previous.version}, not ${String(version)}`,
        {
          object: definition.name,
          id,
        },
      );
    }
    return applyUpdate(
      tx,
      definition,
      previous,
      changes,
      custom as Record<string, unknown> | undefined,
    );
  });
}

/**
 * @internal Writes changes to a record read in this transaction. The write only lands if the
 * stored version is still the one read; otherwise CONFLICT.
 */
export async function applyUpdate(
  state: ScopeState,
  definition: AnyObjectDefinition,
  previous: StoredRecord,
  changes: Record<string, unknown>,
  customChanges?: Record<string, unknown>,
): Promise<StoredRecord> {
  await checkAccess(state, definition, previous);
  const {
    tenantId: _t,
    id,
    version,
    createdAt: _ca,
    createdBy: _cb,
    updatedAt: _ua,
    updatedBy: _ub,
    custom: previousCustom,
    ...previousFields
  } = previous;
  let values: Record<string, unknown> = { ...previousFields, ...changes };
  const rules = state.engine.rules[definition.name];
  if (rules?.prepare) values = await rules.prepare(state, values, previous);

  let withCustom: Record<string, unknown> = {
    ...values,
    custom: { ...previousCustom, ...customChanges },
  };
  let changedByHooks = false;
  for (const hooks of state.engine.hooks[definition.name] ?? []) {
    if (!hooks.beforeUpdate) continue;
    const result = applyHookResult(
      definition,
      withCustom,
      await hooks.beforeUpdate({ ...hookContext(state, definition), data: withCustom, previous }),
    );
    withCustom = result.values;
    changedByHooks ||= result.changed;
  }
  const { externalId, ...checkedFields } = withCustom;
  if (changedByHooks) withCustom = { ...revalidate(definition, checkedFields), externalId };
  const { custom: rawCustom, ...finalValues } = withCustom;
  const custom = validateCustom(state, definition, rawCustom as Record<string, unknown>);

  if (finalValues.ownerId !== previous.ownerId) await checkAccess(state, definition, finalValues);
  await checkReferences(state, definition, finalValues, previous);
  if (finalValues.currency !== previous.currency)
    await checkCurrency(state, definition, finalValues);

  const now = state.engine.now().toISOString();
  const record: StoredRecord = {
    ...previous,
    ...finalValues,
    id,
    version: version + 1,
    updatedAt: now,
    updatedBy: state.actor.id,
    custom,
  };
  const changed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(finalValues)) {
    if (!sameValue(value, previous[key])) changed[key] = value;
  }
  // A write that changes nothing is not a write: no version bump, no history, no event.
  if (Object.keys(changed).length === 0 && sameValue(custom, previousCustom)) return previous;
  let result: { numUpdatedRows: bigint } | undefined;
  markWritten(state, definition.table);
  try {
    result = await dbOf(state)
      .updateTable(definition.table)
      .set({
        ...toColumns(state, definition, changed),
        custom: state.engine.storage.sql.jsonParameter(custom),
        version: version + 1,
        updatedAt: now,
        updatedBy: state.actor.id,
      })
      .where('tenantId', '=', state.tenantId)
      .where('id', '=', id)
      .where('version', '=', version)
      .executeTakeFirst();
  } catch (error) {
    translateStorageError(state, definition, error, id);
  }
  if (!result || result.numUpdatedRows === 0n) {
    forgetRecord(state, definition, id);
    throw new RapportError(
      'CONFLICT',
      `${definition.name} ${id} was changed by someone else; read it again`,
      {
        object: definition.name,
        id,
      },
    );
  }
  cacheRecord(state, definition, record);
  if (rules?.afterWrite) await rules.afterWrite(state, record, previous);
  for (const hooks of state.engine.hooks[definition.name] ?? []) {
    await hooks.afterUpdate?.({ ...hookContext(state, definition), record, previous });
  }
  queueEvent(state, {
    type: 'record.updated',
    payload: {
      tenantId: state.tenantId,
      actor: state.actor,
      object: definition.name,
      record,
      previous,
    },
  });
  return record;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  return stableJson(a) === stableJson(b);
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/** @internal Deletes a visible record; a given version must match. */
export async function deleteRecord(
  state: ScopeState,
  definition: AnyObjectDefinition,
  id: string,
  options: { readonly version?: number } = {},
): Promise<void> {
  requireWritable(definition);
  await inTransaction(state, async (tx) => {
    const record = await getVisible(tx, definition, id);
    if (options.version !== undefined && options.version !== record.version) {
      throw new RapportError(
        'CONFLICT',
        `${definition.name} ${id} is at version ${record.version}, not ${options.version}`,
        {
          object: definition.name,
          id,
        },
      );
    }
    await checkAccess(tx, definition, record);
    for (const hooks of tx.engine.hooks[definition.name] ?? []) {
      await hooks.beforeDelete?.({ ...hookContext(tx, definition), record });
    }
    const rules = tx.engine.rules[definition.name];
    if (rules?.beforeDelete) await rules.beforeDelete(tx, record);
    markWritten(tx, definition.table);
    forgetRecord(tx, definition, id);
    try {
      await dbOf(tx)
        .deleteFrom(definition.table)
        .where('tenantId', '=', tx.tenantId)
        .where('id', '=', id)
        .execute();
    } catch (error) {
      translateStorageError(tx, definition, error, id);
    }
    forgetRecord(tx, definition, id);
    if (rules?.afterDelete) await rules.afterDelete(tx, record);
    for (const hooks of tx.engine.hooks[definition.name] ?? []) {
      await hooks.afterDelete?.({ ...hookContext(tx, definition), record });
    }
    queueEvent(tx, {
      type: 'record.deleted',
      payload: { tenantId: tx.tenantId, actor: tx.actor, object: definition.name, record },
    });
  });
}

/** @internal Lists visible records with filters, sorting and keyset pagination. */
export async function listRecords(
  state: ScopeState,
  definition: AnyObjectDefinition,
  query: {
    readonly where?: Readonly<Record<string, unknown>>;
    readonly orderBy?: { readonly field: string; readonly direction?: 'asc' | 'desc' };
    readonly limit?: number;
    readonly cursor?: string;
  } = {},
): Promise<{ items: StoredRecord[]; nextCursor: string | null }> {
  const limit = query.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw validationError(
      definition.name,
      ['limit'],
      'must be a whole number from 1 to 1000',
      'invalid_limit',
    );
  }
  const field = query.orderBy?.field ?? 'createdAt';
  if (!queryableFields(definition).has(field)) {
    throw validationError(
      definition.name,
      ['orderBy', 'field'],
      `${field} is not a field of this object`,
      'unknown_field',
    );
  }
  const direction = query.orderBy?.direction ?? 'asc';
  if (direction !== 'asc' && direction !== 'desc') {
    throw validationError(
      definition.name,
      ['orderBy', 'direction'],
      'must be asc or desc',
      'invalid_direction',
    );
  }
  const cursor =
    query.cursor === undefined ? undefined : decodeCursor(definition.name, query.cursor);
  const visible = await visibilityCondition(state, definition, 't');
  const customSchema = state.engine.customSchemas[definition.name] ?? z.strictObject({});
  const rows = await dbOf(state)
    .selectFrom(`${definition.table} as t`)
    .selectAll('t')
    .where((eb) =>
      eb.and([
        eb('t.tenantId', '=', state.tenantId),
        ...(visible ? [visible] : []),
        ...whereConditions(eb, query.where, {
          definition,
          customSchema,
          dialect: state.engine.storage.sql,
          alias: 't',
        }),
        ...(cursor ? [afterCursor(eb, 't', field, direction, cursor)] : []),
      ]),
    )
    .orderBy(
      direction === 'asc'
        ? sql`${sql.ref(`t.${field}`)} asc nulls first`
        : sql`${sql.ref(`t.${field}`)} desc nulls last`,
    )
    .orderBy('t.id', direction)
    .limit(limit + 1)
    .execute();
  const items = rows.slice(0, limit).map((row) => fromRow(state, definition, row));
  const last = items[items.length - 1];
  const nextCursor =
    rows.length > limit && last ? encodeCursor({ value: last[field] ?? null, id: last.id }) : null;
  return { items, nextCursor };
}

/** @internal Counts visible records matching a filter. */
export async function countRecords(
  state: ScopeState,
  definition: AnyObjectDefinition,
  where?: Readonly<Record<string, unknown>>,
): Promise<number> {
  const visible = await visibilityCondition(state, definition, 't');
  const customSchema = state.engine.customSchemas[definition.name] ?? z.strictObject({});
  const row = await dbOf(state)
    .selectFrom(`${definition.table} as t`)
    .select((eb) => eb.fn.countAll().as('count'))
    .where((eb) =>
      eb.and([
        eb('t.tenantId', '=', state.tenantId),
        ...(visible ? [visible] : []),
        ...whereConditions(eb, where, {
          definition,
          customSchema,
          dialect: state.engine.storage.sql,
          alias: 't',
        }),
      ]),
    )
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** @internal Finds a visible record by external id. */
export async function findByExternalId(
  state: ScopeState,
  definition: AnyObjectDefinition,
  externalId: string,
): Promise<StoredRecord | undefined> {
  const page = await listRecords(state, definition, { where: { externalId }, limit: 1 });
  return page.items[0];
}

/**
 * @internal Creates or updates by external id: what imports use so that a re-run duplicates
 * nothing. The update applies over whatever version is stored (last writer wins, on purpose).
 */
export async function upsertRecord(
  state: ScopeState,
  definition: AnyObjectDefinition,
  input: Record<string, unknown>,
): Promise<{ record: StoredRecord; created: boolean }> {
  const externalId = input.externalId;
  if (typeof externalId !== 'string' || externalId.length === 0) {
    throw validationError(definition.name, ['externalId'], 'is required to upsert', 'required');
  }
  return inTransaction(state, async (tx) => {
    const existing = await findByExternalId(tx, definition, externalId);
    if (!existing) return { record: await createRecord(tx, definition, input), created: true };
    const { id: _id, ...patch } = input;
    return {
      record: await updateRecord(tx, definition, existing.id, {
        ...patch,
        version: existing.version,
      }),
      created: false,
    };
  });
}
