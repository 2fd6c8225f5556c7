import { type AnyObjectDefinition, fieldsOfKind } from '../objects/object-definition.js';
import type { DialectSql } from '../storage/storage-adapter.js';
import type { StoredRecord } from './stored-record.js';

/** The fields of an object stored as JSON (besides `custom`, which every record has). */
function jsonFields(definition: AnyObjectDefinition): ReadonlySet<string> {
  return fieldsOfKind(definition, 'json');
}

/** @internal Turns a database row into a record (JSON columns and `custom` parsed). */
export function decodeRow(
  dialect: DialectSql,
  definition: AnyObjectDefinition,
  row: Record<string, unknown>,
): StoredRecord {
  const record: Record<string, unknown> = { ...row };
  record.custom = row.custom == null ? {} : dialect.parseJson(row.custom);
  for (const key of jsonFields(definition)) {
    record[key] = row[key] == null ? row[key] : dialect.parseJson(row[key]);
  }
  // The row has the table's columns: id, version and (just set) custom among them.
  return record as StoredRecord;
}

/** @internal The column values of fields (JSON fields encoded as the dialect binds JSON). */
export function encodeColumns(
  dialect: DialectSql,
  definition: AnyObjectDefinition,
  values: Record<string, unknown>,
): Record<string, unknown> {
  const json = jsonFields(definition);
  const row: Record<string, unknown> = {};
  for (const key in values) {
    const value = values[key];
    row[key] =
      (key === 'custom' || json.has(key)) && value != null ? dialect.jsonParameter(value) : value;
  }
  return row;
}

/**
 * @internal The flat parameters of a multi-row insert of whole records (JSON columns and
 * `custom` encoded), or undefined when a record has other fields than `columns` (then kysely
 * lines the columns up).
 */
export function encodeInsertParameters(
  dialect: DialectSql,
  definition: AnyObjectDefinition,
  columns: readonly string[],
  records: readonly StoredRecord[],
): unknown[] | undefined {
  const json = jsonFields(definition);
  const jsonParameter = dialect.jsonParameter;
  const encode = columns.map((column) => column === 'custom' || json.has(column));
  const parameters = new Array<unknown>(columns.length * records.length);
  let at = 0;
  for (const record of records) {
    let count = 0;
    for (const _key in record) count++;
    if (count !== columns.length) return undefined;
    for (let index = 0; index < columns.length; index++) {
      const column = columns[index];
      if (column === undefined || !Object.hasOwn(record, column)) return undefined;
      const value = record[column];
      // kysely binds a missing value as the column default (null here); bind null.
      parameters[at++] =
        value === undefined || value === null ? null : encode[index] ? jsonParameter(value) : value;
    }
  }
  return parameters;
}
