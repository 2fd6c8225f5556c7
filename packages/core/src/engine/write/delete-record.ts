import type { AnyObjectDefinition } from '../../objects/object-definition.js';
import {
  addContributions,
  addRowRecords,
  rollupsOf,
  splitRollups,
} from '../../rollups/rollup-upkeep.js';
import { checkAccess, requireWritable } from '../checks/check-access.js';
import { dbOf, type ScopeState } from '../engine-state.js';
import { getVisible } from '../read/find-record.js';
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
  requireWritable(definition);
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

async function deleteRow(state: ScopeState, definition: AnyObjectDefinition, record: StoredRecord) {
  const { id } = record;
  const cache = state.tx?.cache;
  cache?.markWritten(definition.table);
  // Forgotten before and after: the cache may only miss, never lie, even if the delete fails.
  cache?.forgetRecord(definition.table, id);
  const rollups = rollupsOf(state, definition);
  const split = splitRollups(rollups);
  await addContributions(state, split.sql, [id], -1);
  try {
    await dbOf(state)
      .deleteFrom(definition.table)
      .where('tenantId', '=', state.tenantId)
      .where('id', '=', id)
      .execute();
  } catch (error) {
    // Where the failed statement left the transaction usable (SQLite), the cells must be whole.
    await addContributions(state, split.sql, [id], 1).catch(() => undefined);
    translateStorageError(state.engine.storage.sql, definition, error, id);
  }
  cache?.forgetRecord(definition.table, id);
  // The record as read in this transaction is the row just deleted: its contributions go out.
  await addRowRecords(state, split.rows, [record], -1);
}
