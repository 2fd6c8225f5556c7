import { RapportError } from '../../errors/rapport-error.js';
import { fromZodError } from '../../errors/zod-issues.js';
import type { AnyObjectDefinition } from '../../objects/object-definition.js';
import { checkAccess, requireWritable } from '../checks/check-access.js';
import { checkCurrency } from '../checks/check-currency.js';
import { checkCustomFields } from '../checks/check-custom-fields.js';
import { checkMoney } from '../checks/check-money.js';
import { checkReferences } from '../checks/check-references.js';
import { dbOf, nowOf, type ScopeState } from '../engine-state.js';
import { getVisible } from '../read/find-record.js';
import { encodeColumns } from '../record-codec.js';
import { updateUpkeep } from '../record-upkeep.js';
import { translateStorageError } from '../storage-errors.js';
import type { StoredRecord } from '../stored-record.js';
import { inTransaction, queueEvent } from '../transaction.js';
import { changedFields, sameValue } from './record-changes.js';
import { runAfterUpdate, runBeforeUpdate } from './run-hooks.js';
import { writeSchemas } from './write-schemas.js';

/** @internal CONFLICT for a version that is not the stored one. */
export function staleVersion(
  definition: AnyObjectDefinition,
  id: string,
  stored: number,
  given: unknown,
): RapportError {
  return new RapportError(
    'CONFLICT',
    `${definition.name} ${id} is at version ${stored}, not ${String(given)}`,
    { object: definition.name, id },
  );
}

/**
 * @internal The public update: parse the patch, then in one transaction read the visible record,
 * compare versions and apply the changes.
 */
export async function updateRecord(
  state: ScopeState,
  definition: AnyObjectDefinition,
  id: string,
  patch: unknown,
): Promise<StoredRecord> {
  requireWritable(state, definition);
  const parsed = writeSchemas(definition).update.safeParse(patch);
  if (!parsed.success) throw fromZodError(definition.name, parsed.error);
  const { version, custom, ...parsedChanges } = parsed.data;
  // zod fills `.default()`s into keys a partial patch left out; only the keys given are changes.
  const given = patch as object; // it parsed as an object just above
  const changes: Record<string, unknown> = {};
  for (const key in parsedChanges) {
    if (Object.hasOwn(given, key)) changes[key] = parsedChanges[key];
  }
  return inTransaction(state, async (tx) => {
    const previous = await getVisible(tx, definition, id);
    if (previous.version !== version) throw staleVersion(definition, id, previous.version, version);
    // The update schema typed `custom` as an optional record.
    return applyUpdate(
      tx,
      definition,
      previous,
      changes,
      // Cast: the write schema validated custom fields as an object of the declared fields.
      custom as Record<string, unknown> | undefined,
    );
  });
}

/**
 * @internal Writes changes to a record read in this transaction: access, rules, before hooks,
 * checks, the write (only if the stored version is still the one read, else CONFLICT), then
 * rules, after hooks and the event. A change that changes nothing returns `previous` unwritten.
 * `access: false` is for the engine's own follow-up writes that an authorised write implies
 * (a converted lead's activities move with it): no access check, everything else as usual, so
 * hooks (the audit trail) and events see them.
 */
export async function applyUpdate(
  state: ScopeState,
  definition: AnyObjectDefinition,
  previous: StoredRecord,
  changes: Record<string, unknown>,
  customChanges?: Record<string, unknown>,
  options: { readonly access?: boolean } = {},
): Promise<StoredRecord> {
  const checked = options.access !== false;
  if (checked) await checkAccess(state, definition, previous);
  let values = mergeChanges(previous, changes);
  // A request that asks for nothing new is answered before the rules and hooks: a frozen record
  // (a converted lead) sent again unchanged, as a repeated import does, is no change to refuse.
  const askedCustom = { ...previous.custom, ...customChanges };
  if (changedFields(values, previous) === undefined && sameValue(askedCustom, previous.custom))
    return previous;
  const rules = state.engine.rules[definition.name];
  if (rules?.prepare) values = await rules.prepare(state, values, previous);
  const hooked = await runBeforeUpdate(
    state,
    definition,
    { values, custom: askedCustom },
    previous,
  );
  const custom = checkCustomFields(state, definition, hooked.custom);
  values = hooked.values;
  checkMoney(definition, values);

  if (checked && values.ownerId !== previous.ownerId) await checkAccess(state, definition, values);
  await checkReferences(state, definition, values, previous);
  if (values.currency !== previous.currency) await checkCurrency(state, definition, values);

  const changed = changedFields(values, previous);
  // A write that changes nothing is not a write: no version bump, no history, no event.
  if (changed === undefined && sameValue(custom, previous.custom)) return previous;
  const record = await updateRow(state, definition, previous, values, changed ?? {}, custom);
  if (rules?.afterWrite) await rules.afterWrite(state, record, previous);
  await runAfterUpdate(state, definition, record, previous);
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

/** The stored fields of a record (no bookkeeping columns, no custom values) with changes over them. */
function mergeChanges(
  previous: StoredRecord,
  changes: Record<string, unknown>,
): Record<string, unknown> {
  const {
    tenantId: _t,
    id: _id,
    version: _v,
    createdAt: _ca,
    createdBy: _cb,
    updatedAt: _ua,
    updatedBy: _ub,
    custom: _custom,
    ...fields
  } = previous;
  return { ...fields, ...changes };
}

/** Writes the changed columns where the version is still the one read; CONFLICT otherwise. */
async function updateRow(
  state: ScopeState,
  definition: AnyObjectDefinition,
  previous: StoredRecord,
  values: Record<string, unknown>,
  changed: Record<string, unknown>,
  custom: Record<string, unknown>,
): Promise<StoredRecord> {
  const { id, version } = previous;
  const now = nowOf(state).toISOString();
  const dialect = state.engine.storage.sql;
  const cache = state.tx?.cache;
  cache?.markWritten(definition.table);
  // Derived data (rollups) takes the old state out before the row changes and the new one in
  // after; a write that did not happen puts it back.
  const upkeep = await updateUpkeep(
    state,
    definition,
    previous,
    changed,
    !sameValue(custom, previous.custom),
  );
  let result: { numUpdatedRows: bigint } | undefined;
  try {
    result = await dbOf(state)
      .updateTable(definition.table)
      .set({
        ...encodeColumns(dialect, definition, changed),
        custom: dialect.jsonParameter(custom),
        version: version + 1,
        updatedAt: now,
        updatedBy: state.actor.id,
      })
      .where('tenantId', '=', state.tenantId)
      .where('id', '=', id)
      .where('version', '=', version)
      .executeTakeFirst();
  } catch (error) {
    // Where the failed statement left the transaction usable (SQLite), the kept data must be whole.
    await upkeep.restore().catch(() => undefined);
    translateStorageError(dialect, definition, error, id);
  }
  if (!result || result.numUpdatedRows === 0n) {
    await upkeep.restore();
    cache?.forgetRecord(definition.table, id);
    throw new RapportError(
      'CONFLICT',
      `${definition.name} ${id} was changed by someone else; read it again`,
      { object: definition.name, id },
    );
  }
  const record: StoredRecord = {
    ...previous,
    ...values,
    id,
    version: version + 1,
    updatedAt: now,
    updatedBy: state.actor.id,
    custom,
  };
  cache?.rememberRecord(definition.table, record);
  await upkeep.done(record);
  return record;
}
