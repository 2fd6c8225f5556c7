import { validationError } from '../../errors/rapport-error.js';
import type { AnyObjectDefinition } from '../../objects/object-definition.js';
import type { ScopeState } from '../engine-state.js';
import { findByExternalId } from '../read/list-records.js';
import type { StoredRecord } from '../stored-record.js';
import { inTransaction } from '../transaction.js';
import { createRecord } from './create-record.js';
import { updateRecord } from './update-record.js';

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
    const record = await updateRecord(tx, definition, existing.id, {
      ...patch,
      version: existing.version,
    });
    return { record, created: false };
  });
}
