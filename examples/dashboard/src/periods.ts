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

/**
 * The exclusive end (`YYYY-MM-DD`) of a calendar year (`2026`), quarter (`2026-Q3`) or month
 * (`2026-03`), read from the label alone; null for any other period (relative ones such as
 * `thisMonth` depend on the tenant's today, fiscal years on its calendar).
 */
export function periodEnd(period: string): string | null {
  const match = /^(\d{4})(?:-Q([1-4])|-(0[1-9]|1[0-2]))?$/.exec(period);
  if (!match) return null;
  const year = Number(match[1]);
  const monthAfter = match[2] ? Number(match[2]) * 3 + 1 : match[3] ? Number(match[3]) + 1 : 13;
  const index = year * 12 + monthAfter - 1;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}
