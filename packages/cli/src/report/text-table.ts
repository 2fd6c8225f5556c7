/** A column of a {@link renderTable}. */
export interface TableColumn {
  readonly title: string;
  /** Right-align (numbers). */
  readonly right?: boolean;
}

/** Visible width of a string in a terminal (no wide characters are used in reports). */
function width(text: string): number {
  return [...text].length;
}

/**
 * A plain text table: a header, a rule, and padded cells.
 *
 * @example
 * renderTable([{ title: 'KPI' }, { title: 'Value', right: true }], [['Win rate', '63.15 %']]);
 */
export function renderTable(
  columns: readonly TableColumn[],
  rows: readonly (readonly string[])[],
): string {
  const widths = columns.map((column, i) =>
    Math.max(width(column.title), ...rows.map((row) => width(row[i] ?? ''))),
  );
  const line = (cells: readonly string[]) =>
    columns
      .map((column, i) => {
        const cell = cells[i] ?? '';
        const pad = ' '.repeat((widths[i] ?? 0) - width(cell));
        return column.right ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  return [
    line(columns.map((c) => c.title)),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...rows.map(line),
  ].join('\n');
}
