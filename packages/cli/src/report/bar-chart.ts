/** One bar of a {@link renderBarChart}. */
export interface Bar {
  readonly label: string;
  /** The length is proportional to this (negative values draw no bar). */
  readonly value: number;
  /** What is printed after the bar. */
  readonly text: string;
}

const eighths = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/**
 * A horizontal bar chart in the terminal with unicode block characters (eighths of a cell).
 *
 * @example
 * renderBarChart([{ label: 'Anna', value: 0.7, text: '70.00 %' }, { label: 'Ben', value: 0.35, text: '35.00 %' }], 20);
 * // Anna  ████████████████████  70.00 %
 * // Ben   ██████████            35.00 %
 */
export function renderBarChart(bars: readonly Bar[], width = 30): string {
  const max = Math.max(0, ...bars.map((b) => b.value));
  const labelWidth = Math.max(0, ...bars.map((b) => [...b.label].length));
  return bars
    .map((bar) => {
      const cells = max > 0 ? (Math.max(0, bar.value) / max) * width : 0;
      const whole = Math.floor(cells);
      const part = eighths[Math.round((cells - whole) * 8)] ?? '';
      const drawn = '█'.repeat(whole) + (whole < width ? part : '');
      const label = bar.label + ' '.repeat(labelWidth - [...bar.label].length);
      return `${label}  ${drawn}${' '.repeat(Math.max(0, width + 1 - [...drawn].length))} ${bar.text}`.trimEnd();
    })
    .join('\n');
}
