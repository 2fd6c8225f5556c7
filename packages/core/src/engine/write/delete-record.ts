import type { AnyObjectDefinition } from '../../objects/object-definition.js';
import { addContributions, rollupsOf } from '../../rollups/rollup-upkeep.js';
import { checkAccess, requireWritable } from '../checks/check-access.js';
import { dbOf, type ScopeState } from '../engine-state.js';
import { getVisible } from '../read/find-record.js';
import { translateStorageError } from '../storage-errors.js';
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
    await deleteRow(tx, definition, id);
    if (rules?.afterDelete) await rules.afterDelete(tx, record);
    await runAfterDelete(tx, definition, record);
    queueEvent(tx, {
      type: 'record.deleted',
      payload: { tenantId: tx.tenantId, actor: tx.actor, object: definition.name, record },
    });
  });
}

async function deleteRow(state: ScopeState, definition: AnyObjectDefinition, id: string) {
  const cache = state.tx?.cache;
  cache?.markWritten(definition.table);
  // Forgotten before and after: the cache may only miss, never lie, even if the delete fails.
  cache?.forgetRecord(definition.table, id);
  const rollups = rollupsOf(state, definition);
  await addContributions(state, rollups, [id], -1);
  try {
    await dbOf(state)
      .deleteFrom(definition.table)
      .where('tenantId', '=', state.tenantId)
      .where('id', '=', id)
      .execute();
  } catch (error) {
    // Where the failed statement left the transaction usable (SQLite), the cells must be whole.
    await addContributions(state, rollups, [id], 1).catch(() => undefined);
    translateStorageError(state.engine.storage.sql, definition, error, id);
  }
  cache?.forgetRecord(definition.table, id);
}
