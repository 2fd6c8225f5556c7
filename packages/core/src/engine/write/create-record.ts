import { validationError } from '../../errors/rapport-error.js';
import { fromZodError } from '../../errors/zod-issues.js';
import { newId } from '../../ids/id.js';
import type { AnyObjectDefinition } from '../../objects/object-definition.js';
import { checkAccess, requireWritable } from '../checks/check-access.js';
import { checkCurrency } from '../checks/check-currency.js';
import { checkCustomFields } from '../checks/check-custom-fields.js';
import { checkMoney } from '../checks/check-money.js';
import { checkReferences, referenceExists } from '../checks/check-references.js';
import { nowOf, type ScopeState } from '../engine-state.js';
import type { StoredRecord } from '../stored-record.js';
import { inTransaction, queueEvent } from '../transaction.js';
import { loadTenant } from '../visibility.js';
import { insertRows } from './insert-rows.js';
import { runAfterCreate, runBeforeCreate } from './run-hooks.js';
import { splitMeta, writeSchemas } from './write-schemas.js';

/** @internal Identity and custom values of a record about to be inserted. */
export interface InsertMeta {
  readonly id: string;
  readonly externalId: string | null;
  readonly custom: Record<string, unknown>;
  /** A history import's own creation date and author (else now and the actor). */
  readonly createdAt?: string | undefined;
  readonly createdBy?: string | undefined;
}

/**
 * @internal The public create: parse the input, then in one transaction prepare the record,
 * check its references, insert it and finish (rules, hooks, event).
 */
export async function createRecord(
  state: ScopeState,
  definition: AnyObjectDefinition,
  input: unknown,
): Promise<StoredRecord> {
  requireWritable(state, definition);
  const parsed = writeSchemas(definition).create.safeParse(input);
  if (!parsed.success) throw fromZodError(definition.name, parsed.error);
  const { id, externalId, custom, values } = splitMeta(parsed.data);
  return inTransaction(state, (tx) =>
    insertRecord(tx, definition, values, {
      id: id ?? newId(nowOf(tx).getTime()),
      externalId,
      custom,
    }),
  );
}

/** @internal Stores a new record from values the engine trusts to have the right shape. */
export async function insertRecord(
  state: ScopeState,
  definition: AnyObjectDefinition,
  input: Record<string, unknown>,
  meta: InsertMeta,
): Promise<StoredRecord> {
  const record = await prepareRecord(state, definition, input, meta);
  await checkReferences(state, definition, record, undefined);
  await insertRows(state, definition, [record]);
  await finishInsert(state, definition, record);
  return record;
}

/**
 * @internal Everything before the write of a new record: defaults, rules, before hooks, then
 * the checks of custom fields, money, access and currency. References are checked by the caller (one
 * by one, or in bulk).
 */
export async function prepareRecord(
  state: ScopeState,
  definition: AnyObjectDefinition,
  input: Record<string, unknown>,
  meta: InsertMeta,
): Promise<StoredRecord> {
  let values = await withDefaults(state, definition, input);
  const rules = state.engine.rules[definition.name];
  if (rules?.prepare) values = await rules.prepare(state, values, undefined);
  const hooked = await runBeforeCreate(state, definition, { values, custom: meta.custom });
  const custom = checkCustomFields(state, definition, hooked.custom);
  checkMoney(definition, hooked.values);
  await checkAccess(state, definition, hooked.values);
  await checkCurrency(state, definition, hooked.values);
  return newRecord(state, definition, hooked.values, meta, custom);
}

/** The owner (the actor) and currency (the tenant's base) of a new record when not given. */
async function withDefaults(
  state: ScopeState,
  definition: AnyObjectDefinition,
  input: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  // Also what makes a write in a tenant that does not exist NOT_FOUND (cached per scope).
  const tenant = await loadTenant(state);
  const shape = definition.fields.shape;
  // Copies put literal keys before the spread and assign after it: on V8, spreading an object
  // and then adding keys was measured 10-30x slower than this order (Node 20).
  let values = input;
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
  return values;
}

const blankByDefinition = new WeakMap<AnyObjectDefinition, Readonly<Record<string, null>>>();

/** Every field of the object as null: a new record has every column, in one order. */
function blankFields(definition: AnyObjectDefinition): Readonly<Record<string, null>> {
  let blank = blankByDefinition.get(definition);
  if (!blank) {
    blank = Object.fromEntries(Object.keys(definition.fields.shape).map((key) => [key, null]));
    blankByDefinition.set(definition, blank);
  }
  return blank;
}

/** The stored form of a new record: bookkeeping columns, every field, custom values. */
function newRecord(
  state: ScopeState,
  definition: AnyObjectDefinition,
  values: Record<string, unknown>,
  meta: InsertMeta,
  custom: Record<string, unknown>,
): StoredRecord {
  const now = nowOf(state).toISOString();
  const actorId = state.actor.id;
  const createdAt = meta.createdAt ?? now;
  const createdBy = meta.createdBy ?? actorId;
  const record: StoredRecord = {
    tenantId: state.tenantId,
    id: meta.id,
    version: 1,
    createdAt,
    createdBy,
    updatedAt: now,
    updatedBy: actorId,
    externalId: meta.externalId,
    custom,
    ...blankFields(definition),
    ...values,
  };
  // The identity and bookkeeping columns win over any field of the same name.
  const columns: Record<string, unknown> = record;
  columns.tenantId = state.tenantId;
  columns.id = meta.id;
  columns.version = 1;
  columns.createdAt = createdAt;
  columns.createdBy = createdBy;
  columns.updatedAt = now;
  columns.updatedBy = actorId;
  columns.externalId = meta.externalId;
  columns.custom = custom;
  return record;
}

/** @internal What follows a stored insert: caches, rules (unless bulk ran them), after hooks, the event. */
export async function finishInsert(
  state: ScopeState,
  definition: AnyObjectDefinition,
  record: StoredRecord,
  options: { readonly rules?: boolean } = {},
): Promise<void> {
  const cache = state.tx?.cache;
  cache?.rememberWrittenId(definition.table, record.id);
  cache?.rememberRecord(definition.table, record);
  const rules = state.engine.rules[definition.name];
  if (rules?.afterWrite && options.rules !== false) {
    await rules.afterWrite(state, record, undefined);
  }
  await runAfterCreate(state, definition, record);
  queueEvent(state, {
    type: 'record.created',
    payload: { tenantId: state.tenantId, actor: state.actor, object: definition.name, record },
  });
}
