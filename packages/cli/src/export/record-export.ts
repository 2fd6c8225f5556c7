import { once } from 'node:events';
import {
  type CrmScope,
  fromMinorUnits,
  type ObjectName,
  publicFieldsOf,
  standardObjects,
  systemFieldNames,
} from '@rapport/core';
import { stringify } from 'csv-stringify';
import { repositoryKey } from '../objects/object-name.js';
import { rfc4180, spreadsheetSafe } from './spreadsheet-safe.js';

interface Lister {
  list(query: { readonly limit: number; readonly cursor?: string }): Promise<{
    readonly items: readonly Record<string, unknown>[];
    readonly nextCursor: string | null;
  }>;
}

function listerOf(scope: CrmScope, object: ObjectName): Lister {
  // Every repository lists the same way; the object is chosen at run time, so its record type is
  // erased to plain rows here.
  return scope[repositoryKey(object)] as unknown as Lister;
}

/**
 * Every visible record of an object, page by page with the cursor, so memory holds one page.
 *
 * @example
 * for await (const record of exportedRecords(scope, 'lead')) console.log(record.id);
 */
export async function* exportedRecords(
  scope: CrmScope,
  object: ObjectName,
  pageSize = 1000,
): AsyncGenerator<Record<string, unknown>> {
  const lister = listerOf(scope, object);
  let cursor: string | undefined;
  do {
    const page = await lister.list({
      limit: pageSize,
      ...(cursor === undefined ? {} : { cursor }),
    });
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

async function write(stream: NodeJS.WritableStream, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await once(stream, 'drain');
}

/**
 * Writes an object's records as CSV: system columns, fields (money in major units, as import
 * reads it), and custom fields as JSON; every cell spreadsheet-safe.
 *
 * @example
 * await exportCsv(scope, 'opportunity', process.stdout);
 */
export async function exportCsv(
  scope: CrmScope,
  object: ObjectName,
  out: NodeJS.WritableStream,
): Promise<number> {
  const definition = standardObjects[object];
  // Hidden fields never leave the engine: no column for them (the scope returns none either).
  const fields = Object.keys(publicFieldsOf(definition).shape);
  const money = new Set<string>(definition.moneyFields ?? []);
  const columns = [...systemFieldNames.filter((f) => f !== 'tenantId'), ...fields, 'custom'];
  const csv = stringify({ ...rfc4180, header: true, columns });
  csv.pipe(out, { end: false });
  const finished = once(csv, 'end');
  let count = 0;
  for await (const record of exportedRecords(scope, object)) {
    const currency = typeof record.currency === 'string' ? record.currency : undefined;
    const row = columns.map((column) => {
      const value = record[column];
      if (value === null || value === undefined) return '';
      if (column === 'custom')
        return Object.keys(value).length === 0 ? '' : spreadsheetSafe(JSON.stringify(value));
      if (money.has(column) && typeof value === 'number' && currency) {
        return String(fromMinorUnits(value, currency));
      }
      return spreadsheetSafe(typeof value === 'object' ? JSON.stringify(value) : String(value));
    });
    if (!csv.write(row)) await once(csv, 'drain');
    count++;
  }
  csv.end();
  await finished;
  return count;
}

/**
 * Writes an object's records as a JSON array, as the engine returns them (money in minor units).
 *
 * @example
 * await exportJson(scope, 'lead', process.stdout);
 */
export async function exportJson(
  scope: CrmScope,
  object: ObjectName,
  out: NodeJS.WritableStream,
): Promise<number> {
  let count = 0;
  await write(out, '[');
  for await (const record of exportedRecords(scope, object)) {
    await write(out, `${count === 0 ? '\n' : ',\n'}${JSON.stringify(record)}`);
    count++;
  }
  await write(out, count === 0 ? ']\n' : '\n]\n');
  return count;
}
