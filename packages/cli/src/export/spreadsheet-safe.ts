const formulaStart = /^[=+\-@\t\r]/;

/**
 * A CSV cell a spreadsheet will not run as a formula: text starting with `=`, `+`, `-`, `@`, a
 * tab or a carriage return gets a leading single quote (OWASP's advice against CSV injection).
 *
 * @example
 * spreadsheetSafe('=HYPERLINK("http://evil")'); // "'=HYPERLINK(\"http://evil\")"
 */
export function spreadsheetSafe(cell: string): string {
  return formulaStart.test(cell) ? `'${cell}` : cell;
}
