import type { Strings } from './i18n.js';

/** A period choice in the filter. */
export interface PeriodOption {
  readonly value: string;
  readonly label: string;
}

const relative = [
  'thisMonth',
  'lastMonth',
  'thisQuarter',
  'lastQuarter',
  'thisYear',
  'lastYear',
  'all',
];

/**
 * The period choices: relative periods, then every year and quarter between the first and the
 * last close date in the data (newest first), so sample data from past years can be browsed.
 */
export function periodOptions(
  strings: Strings,
  firstYear: number | null,
  lastYear: number | null,
): PeriodOption[] {
  const options: PeriodOption[] = [];
  if (firstYear !== null && lastYear !== null) {
    for (let year = lastYear; year >= Math.max(firstYear, lastYear - 5); year--) {
      options.push({ value: String(year), label: String(year) });
      for (let quarter = 4; quarter >= 1; quarter--) {
        options.push({ value: `${year}-Q${quarter}`, label: `${year} Q${quarter}` });
      }
    }
  }
  for (const value of relative) options.push({ value, label: strings.periods[value] ?? value });
  return options;
}

/** The twelve months up to the month before `endExclusive` (`YYYY-MM-DD`), oldest first. */
export function monthsBefore(endExclusive: string, count = 12): string[] {
  const [year = 2000, month = 1] = endExclusive.split('-').map(Number);
  const months: string[] = [];
  for (let back = count; back >= 1; back--) {
    const index = year * 12 + (month - 1) - back;
    const y = Math.floor(index / 12);
    const m = (index % 12) + 1;
    months.push(`${y}-${String(m).padStart(2, '0')}`);
  }
  return months;
}
