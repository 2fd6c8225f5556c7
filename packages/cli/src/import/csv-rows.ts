import { createReadStream, existsSync, statSync } from 'node:fs';
import { parse } from 'csv-parse';
import { InputError } from '../errors/cli-errors.js';
import { assertUtf8 } from './utf8-check.js';

/**
 * One data row of a CSV file: its values by header column and the line it starts on.
 *
 * @example
 * const row: CsvRow = { line: 2, values: ['Acme', '1200'] };
 */
export interface CsvRow {
  /** The line (1-based) where the row starts; the header is line 1. */
  readonly line: number;
  /** The values in header order (missing trailing values are empty strings). */
  readonly values: readonly string[];
}

/**
 * A CSV file read as a stream: the header, then the rows one by one, so memory stays flat
 * whatever the file size.
 *
 * @example
 * const file = await openCsv('leads.csv');
 * for await (const row of file.rows) console.log(row.line, row.values);
 */
export interface CsvFile {
  readonly header: readonly string[];
  readonly rows: AsyncIterable<CsvRow>;
  /** Bytes read so far, and the file size (for a progress bar). */
  progress(): { readonly bytes: number; readonly total: number };
}

function lineBreaks(raw: string): number {
  let count = 0;
  for (let i = 0; i < raw.length; i++) {
    const char = raw.charCodeAt(i);
    if (char === 10) count++;
    else if (char === 13 && raw.charCodeAt(i + 1) !== 10) count++;
  }
  return count;
}

/**
 * Opens a CSV file: UTF-8 with or without a BOM (a byte that is not UTF-8 is an input error
 * naming its line, code `INVALID_UTF8`), LF or CRLF, quoted fields (with commas, quotes
 * and line breaks inside), blank lines skipped. A row with fewer values than the header gets
 * empty strings; extra values must be empty (a trailing comma), else it is an input error.
 *
 * @example
 * const { header, rows } = await openCsv('leads.csv');
 */
export async function openCsv(path: string): Promise<CsvFile> {
  if (!existsSync(path)) throw new InputError(`file ${path} not found`);
  // A whole pass first, so that a file that is not UTF-8 is refused before any row lands.
  await assertUtf8(path);
  const stream = createReadStream(path);
  const total = statSync(path).size;
  const parser = stream.pipe(
    parse({ bom: true, raw: true, info: true, relax_column_count: true, skip_empty_lines: false }),
  );
  // Cast: csv-parse types its records as any; with columns: true each is a record of strings.
  const iterator = parser[Symbol.asyncIterator]() as AsyncIterator<{
    record: string[];
    raw: string;
  }>;
  let nextLine = 1;
  const read = async (): Promise<{ line: number; record: string[] } | undefined> => {
    for (;;) {
      let result: IteratorResult<{ record: string[]; raw: string }>;
      try {
        result = await iterator.next();
      } catch (error) {
        throw new InputError(
          `${path}: not a valid CSV file (${error instanceof Error ? error.message : String(error)})`,
        );
      }
      if (result.done) return undefined;
      const line = nextLine;
      nextLine += lineBreaks(result.value.raw);
      const record = result.value.record;
      if (record.length === 1 && record[0] === '') continue;
      return { line, record };
    }
  };
  const first = await read();
  if (!first) throw new InputError(`${path} is empty: it needs a header row`);
  const header = first.record.map((name) => name.trim());
  async function* rows(): AsyncGenerator<CsvRow> {
    for (;;) {
      const next = await read();
      if (!next) return;
      const { line, record } = next;
      for (let i = header.length; i < record.length; i++) {
        if ((record[i] ?? '').trim() !== '') {
          throw new InputError(
            `${path}:${line}: ${record.length} values but the header has ${header.length} columns`,
          );
        }
      }
      const values = header.map((_, i) => record[i] ?? '');
      yield { line, values };
    }
  }
  return { header, rows: rows(), progress: () => ({ bytes: stream.bytesRead, total }) };
}
