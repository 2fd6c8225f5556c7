import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { stringify } from 'csv-stringify';
import type { CsvRow } from './csv-rows.js';
import type { RowError } from './import-records.js';

/** Writes rejected rows: the original columns, then `line` and `error`. */
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
  const csv = stringify({ header: true, columns: [...header, 'line', 'error'] });
  csv.pipe(file);
  return {
    async write(row, errors) {
      const message = errors
        .map((e) => `${e.column ? `${e.column}: ` : e.field ? `${e.field}: ` : ''}${e.message}`)
        .join('; ');
      if (!csv.write([...row.values, String(row.line), message])) await once(csv, 'drain');
    },
    async close() {
      csv.end();
      await once(file, 'close');
    },
  };
}
