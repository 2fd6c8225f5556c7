/** @internal The verdict of the import fuzz on one imported file of bad cells. */
import { InputError } from '../errors/cli-errors.js';
import { ImportRejected } from './import-records.js';
import type { BadCell } from './test-import-fuzz-cells.js';

/** A bad cell whose import broke the rule, with what happened. */
export interface ImportFinding {
  readonly cell: { object: string; field: string; category: string; value: string };
  readonly problem: string;
}

const printable = (value: string | Uint8Array) =>
  (typeof value === 'string' ? value : Buffer.from(value).toString('latin1')).slice(0, 80);

/** The findings of one imported file of bad cells (an empty list when every row was refused well). */
export function judgeImport(
  cells: readonly BadCell[],
  lines: readonly number[],
  outcome: unknown,
): ImportFinding[] {
  const findings: ImportFinding[] = [];
  const finding = (cell: BadCell, problem: string) =>
    findings.push({
      cell: {
        object: cell.object,
        field: cell.field,
        category: cell.category,
        value: printable(cell.value),
      },
      problem,
    });
  const utf8 = cells.findIndex((cell) => cell.category === 'not UTF-8');
  if (utf8 >= 0) {
    const cell = cells[utf8] as BadCell;
    const ok =
      outcome instanceof InputError &&
      outcome.code === 'INVALID_UTF8' &&
      outcome.message.includes(`:${lines[utf8]}: INVALID_UTF8`);
    if (!ok)
      finding(cell, `expected INVALID_UTF8 at line ${lines[utf8]}, got ${describe(outcome)}`);
    return findings;
  }
  if (!(outcome instanceof ImportRejected)) {
    for (const cell of cells) finding(cell, `expected the rows rejected, got ${describe(outcome)}`);
    return findings;
  }
  if (outcome.rowsWithErrors !== cells.length) {
    findings.push({
      cell: { object: cells[0]?.object ?? '', field: '*', category: 'row count', value: '' },
      problem: `${outcome.rowsWithErrors} of ${cells.length} rows rejected`,
    });
  }
  for (const [index, cell] of cells.entries()) {
    const errors = outcome.errors.filter((error) => error.line === lines[index]);
    const named = errors.some(
      (error) =>
        error.column === cell.field ||
        error.field === cell.field ||
        error.field?.startsWith(`${cell.field}.`),
    );
    if (!named) {
      finding(cell, `line ${lines[index]}: no error names the field: ${JSON.stringify(errors)}`);
    }
    for (const error of errors) {
      if (
        error.code !== 'VALIDATION' ||
        error.message.trim() === '' ||
        /undefined|\[object/.test(error.message)
      ) {
        finding(cell, `line ${lines[index]}: unclear error ${JSON.stringify(error)}`);
      }
    }
  }
  return findings;
}

function describe(outcome: unknown): string {
  if (outcome instanceof Error) return `${outcome.name}: ${outcome.message.slice(0, 200)}`;
  return `success ${JSON.stringify(outcome).slice(0, 200)}`;
}
