import type { AnyObjectDefinition } from '../../objects/object-definition.js';
import { checkAccess, requireWritable } from '../checks/check-access.js';
import { dbOf, type ScopeState } from '../engine-state.js';
import { getVisible } from '../read/find-record.js';
import { decodeRow } from '../record-codec.js';
import { deleteUpkeep } from '../record-upkeep.js';
import { translateStorageError } from '../storage-errors.js';
import type { StoredRecord } from '../stored-record.js';
import { inTransaction, queueEvent } from '../transaction.js';
import { runAfterDelete, runBeforeDelete } from './run-hooks.js';
import { staleVersion } from './update-record.js';

/**
 * @internal The public delete, in one transaction: read the visible record, compare a given
 * version, check access, before hooks and rules, the delete (a referenced record is CONFLICT),
 * then rules, after hooks and the event.
 */
export async function deleteRecord(
  state: ScopeState,
  definition: AnyObjectDefinition,
  id: string,
  options: { readonly version?: number } = {},
): Promise<void> {
  requireWritable(state, definition);
  await inTransaction(state, async (tx) => {
    const record = await getVisible(tx, definition, id);
    if (options.version !== undefined && options.version !== record.version) {
      throw staleVersion(definition, id, record.version, options.version);
    }
    await checkAccess(tx, definition, record);
    await runBeforeDelete(tx, definition, record);
    const rules = tx.engine.rules[definition.name];
    if (rules?.beforeDelete) await rules.beforeDelete(tx, record);
    await deleteRow(tx, definition, record);
    if (rules?.afterDelete) await rules.afterDelete(tx, record);
    await runAfterDelete(tx, definition, record);
    queueEvent(tx, {
      type: 'record.deleted',
      payload: { tenantId: tx.tenantId, actor: tx.actor, object: definition.name, record },
    });
  });
}

/**
 * @internal Deletes the records of `definition` whose `field` is `parentId`: the children that go
 * with a deleted parent (an opportunity's line items and stage history). Each goes through the
 * delete hooks and event, so the audit trail sees it, in the parent's transaction; no access
 * check (the parent's delete was authorised) and no per-record rules (their parent is going).
 */
export async function deleteChildren(
  state: ScopeState,
  definition: AnyObjectDefinition,
  field: string,
  parentId: string,
): Promise<void> {
  const db = dbOf(state);
  const dialect = state.engine.storage.sql;
  const rows = await db
    .selectFrom(definition.table)
    .selectAll()
    .where('tenantId', '=', state.tenantId)
    .where(field, '=', parentId)
    .execute();
  const records = rows.map((row) => decodeRow(dialect, definition, row));
  for (const record of records) await runBeforeDelete(state, definition, record);
  if (records.length > 0) {
    state.tx?.cache.markWritten(definition.table);
    // Children whose data is kept (rollups) leave it like any delete.
    const upkeep = await deleteUpkeep(state, definition, records);
    await db
      .deleteFrom(definition.table)
      .where('tenantId', '=', state.tenantId)
      .where(field, '=', parentId)
      .execute();
    await upkeep.done();
  }
  state.tx?.cache.forgetTable(definition.table);
  for (const record of records) {
    await runAfterDelete(state, definition, record);
    queueEvent(state, {
      type: 'record.deleted',
      payload: { tenantId: state.tenantId, actor: state.actor, object: definition.name, record },
    });
  }
}

async function deleteRow(state: ScopeState, definition: AnyObjectDefinition, record: StoredRecord) {
  const { id } = record;
  const cache = state.tx?.cache;
  cache?.markWritten(definition.table);
  // Forgotten before and after: the cache may only miss, never lie, even if the delete fails.
  cache?.forgetRecord(definition.table, id);
  const upkeep = await deleteUpkeep(state, definition, [record]);
  try {
    await dbOf(state)
      .deleteFrom(definition.table)
      .where('tenantId', '=', state.tenantId)
      .where('id', '=', id)
      .execute();
  } catch (error) {
    // Where the failed statement left the transaction usable (SQLite), the kept data must be whole.
    await upkeep.restore().catch(() => undefined);
    translateStorageError(state.engine.storage.sql, definition, error, id);
  }
  cache?.forgetRecord(definition.table, id);
  await upkeep.done();
}
