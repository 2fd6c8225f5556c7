import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { stringify } from 'csv-stringify';
import { rfc4180, spreadsheetSafe } from '../export/spreadsheet-safe.js';
import type { CsvRow } from './csv-rows.js';
import type { RowError } from './import-records.js';

/**
 * Writes rejected rows: the original columns, then `line` and `error`. Every cell is
 * spreadsheet-safe (a rejected cell is attacker-controlled text) and quoted per RFC 4180.
 */
export interface ErrorRowWriter {
  write(row: CsvRow, errors: readonly RowError[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the errors file of an import with `--skip-invalid`.
 *
 * @example
 * const errors = openErrorRows('errors.csv', header);
 * await errors.write(row, rowErrors);
 * await errors.close();
 */
export function openErrorRows(path: string, header: readonly string[]): ErrorRowWriter {
  const file = createWriteStream(path);
  const csv = stringify({
    ...rfc4180,
    header: true,
    columns: [...header, 'line', 'error'].map(spreadsheetSafe),
  });
  csv.pipe(file);
  return {
    async write(row, errors) {
      const message = errors
        .map((e) => `${e.column ? `${e.column}: ` : e.field ? `${e.field}: ` : ''}${e.message}`)
        .join('; ');
      const cells = [...row.values, String(row.line), message].map(spreadsheetSafe);
      if (!csv.write(cells)) await once(csv, 'drain');
    },
    async close() {
      csv.end();
      await once(file, 'close');
    },
  };
}
