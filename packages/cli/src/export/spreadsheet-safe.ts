// OWASP "CSV Injection": a cell a spreadsheet may evaluate starts with one of these. LF is in the
// list because some spreadsheets strip a leading line break and then read the rest as a formula.
const formulaStart = /^[=+\-@\t\r\n]/;

/**
 * A CSV cell a spreadsheet will not run as a formula: text starting with `=`, `+`, `-`, `@`, a
 * tab, a carriage return or a line feed gets a leading single quote (OWASP's advice against CSV
 * injection). Quoting the cell (RFC 4180) is the CSV writer's job; both are needed.
 *
 * @example
 * spreadsheetSafe('=HYPERLINK("http://evil")'); // "'=HYPERLINK(\"http://evil\")"
 */
export function spreadsheetSafe(cell: string): string {
  return formulaStart.test(cell) ? `'${cell}` : cell;
}

/**
 * The CSV writer options every file Rapport writes for people uses: RFC 4180 line breaks (CRLF)
 * and quotes around every cell that holds a comma, a quote or a line break (quotes doubled).
 *
 * @example
 * import { stringify } from 'csv-stringify/sync';
 *
 * stringify([['=1+1']], { ...rfc4180 });
 */
export const rfc4180 = { record_delimiter: 'windows', quoted_match: /[\r\n",]/ } as const;
