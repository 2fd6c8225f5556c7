import { RapportError } from '../../errors/rapport-error.js';
import type { AnyObjectDefinition } from '../../objects/object-definition.js';
import { dbOf, type ScopeState } from '../engine-state.js';
import { decodeRow } from '../record-codec.js';
import type { StoredRecord } from '../stored-record.js';
import { ownersCondition, readProvingTenant } from '../visibility.js';

/** @internal Loads a record the actor may see, or undefined (cached for the transaction). */
export async function findVisible(
  state: ScopeState,
  definition: AnyObjectDefinition,
  id: string,
): Promise<StoredRecord | undefined> {
  // No stored id holds a NUL (ids are checked on create), and PostgreSQL cannot even compare
  // one: a raw "invalid byte sequence" error instead of NOT_FOUND.
  if (id.includes('\u0000')) return undefined;
  const cache = state.tx?.cache;
  const cached = cache?.record(definition.table, id);
  if (cached) return cached;
  // A found row proves the tenant; only a miss reads the tenant row (NOT_FOUND for the tenant).
  const row = await readProvingTenant(
    state,
    async () => {
      const query = dbOf(state)
        .selectFrom(`${definition.table} as t`)
        .selectAll('t')
        .where('t.tenantId', '=', state.tenantId)
        .where('t.id', '=', id);
      const visible = await ownersCondition(state, definition, 't');
      return visible ? query.where(visible) : query;
    },
    (statement) => statement.executeTakeFirst(),
    (found) => found !== undefined,
  );
  if (!row) return undefined;
  const record = decodeRow(state.engine.storage.sql, definition, row);
  cache?.rememberRecord(definition.table, record);
  return record;
}

/** @internal Loads a record the actor may see, or throws NOT_FOUND. */
export async function getVisible(
  state: ScopeState,
  definition: AnyObjectDefinition,
  id: string,
): Promise<StoredRecord> {
  const record = await findVisible(state, definition, id);
  if (!record) {
    throw new RapportError('NOT_FOUND', `${definition.name} ${id} not found`, {
      object: definition.name,
      id,
    });
  }
  return record;
}
