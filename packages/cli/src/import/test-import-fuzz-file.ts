/** @internal The CSV files of the import fuzz: valid rows, each with its one bad cell. */
import type { BadCell } from './test-import-fuzz-cells.js';

/** A cell as CSV bytes: always quoted (RFC 4180), so commas, quotes and breaks stay inside. */
function csvCell(value: string | Uint8Array): Buffer {
  if (typeof value !== 'string') return Buffer.concat([Buffer.from('"'), value, Buffer.from('"')]);
  return Buffer.from(`"${value.replaceAll('"', '""')}"`);
}

function lineBreaks(bytes: Buffer): number {
  let count = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 10 || (bytes[i] === 13 && bytes[i + 1] !== 10)) count++;
  }
  return count;
}

/** Fields the valid row must leave empty when the fuzzed field is given (one of the two). */
const exclusive: Readonly<Record<string, string>> = { 'quota.teamId': 'ownerId' };

/** A file of rows for one object, each row valid but for its one bad cell; the rows' lines. */
export function fuzzFile(
  base: Readonly<Record<string, string>>,
  cells: readonly BadCell[],
  firstId: number,
): { bytes: Buffer; lines: number[]; header: string[] } {
  const header = ['externalId', ...Object.keys(base)];
  for (const cell of cells) if (!header.includes(cell.field)) header.push(cell.field);
  const parts: Buffer[] = [Buffer.from(`${header.join(',')}\r\n`)];
  const lines: number[] = [];
  let line = 2;
  for (const [index, cell] of cells.entries()) {
    const row = Buffer.concat(
      header.flatMap((column, at) => {
        const value =
          column === cell.field
            ? cell.value
            : column === 'externalId'
              ? `fz-${firstId + index}`
              : exclusive[`${cell.object}.${cell.field}`] === column
                ? ''
                : (base[column] ?? '');
        return at === 0 ? [csvCell(value)] : [Buffer.from(','), csvCell(value)];
      }),
    );
    lines.push(line);
    line += lineBreaks(row) + 1;
    parts.push(row, Buffer.from('\r\n'));
  }
  return { bytes: Buffer.concat(parts), lines, header };
}
