import type { AnyObjectDefinition } from '../../objects/object-definition.js';
import { dbOf, type ScopeState } from '../engine-state.js';
import { compiledInsert, insertText } from '../insert-statements.js';
import { encodeColumns, encodeInsertParameters } from '../record-codec.js';
import { upkeepOf } from '../record-upkeep.js';
import { translateStorageError } from '../storage-errors.js';
import type { StoredRecord } from '../stored-record.js';

/** SQLite allows 32,766 bound parameters per statement, Postgres 65,535: stay under both. */
const parametersPerStatement = 30_000;

/**
 * @internal Inserts whole records, as many per statement as the parameter limit allows: through
 * an insert text kysely compiled once when every record has the first one's columns, else
 * through kysely's builder.
 */
export async function insertRows(
  state: ScopeState,
  definition: AnyObjectDefinition,
  records: readonly StoredRecord[],
): Promise<void> {
  const first = records[0];
  if (!first) return;
  const cache = state.tx?.cache;
  cache?.markWritten(definition.table);
  const dialect = state.engine.storage.sql;
  const columns = Object.keys(first);
  const rowsPerStatement = Math.max(1, Math.floor(parametersPerStatement / columns.length));
  for (let start = 0; start < records.length; start += rowsPerStatement) {
    const chunk = records.slice(start, start + rowsPerStatement);
    try {
      const parameters = encodeInsertParameters(dialect, definition, columns, chunk);
      const text =
        parameters && insertText(state.engine.db, definition.table, columns, chunk.length);
      if (parameters && text) {
        await dbOf(state).executeQuery(compiledInsert(text, parameters));
      } else {
        await dbOf(state)
          .insertInto(definition.table)
          .values(chunk.map((record) => encodeColumns(dialect, definition, record)))
          .execute();
      }
    } catch (error) {
      translateStorageError(
        dialect,
        definition,
        error,
        chunk.length === 1 ? chunk[0]?.id : undefined,
      );
    }
  }
  if (cache) for (const record of records) cache.rememberWrittenId(definition.table, record.id);
  // The new rows' contributions, in the same transaction: once per batch, not once per row.
  await upkeepOf(state)?.inserted(state, definition, records);
}
