import type { Period } from '@rapport/core';

/**
 * The days an aftersales KPI looks at: the first day of the period, the day after it (the state
 * "at its end", which is the next period's start, so periods chain without gaps) and its last day.
 * Without limits (`all`) there is no start and end, and the last day is today.
 *
 * @example
 * customerDays(march, '2026-06-15'); // { start: '2026-03-01', end: '2026-04-01', last: '2026-03-31', months: 1 }
 */
export interface CustomerDays {
  /** First day of the period; null for `all`. */
  readonly start: string | null;
  /** The day after the period (its exclusive end); null for `all`. */
  readonly end: string | null;
  /** The period's last day, or today for `all`. */
  readonly last: string;
  /** The period's length in months: whole calendar months, else days x 12 / 365; null for `all`. */
  readonly months: number | null;
}

function dayBefore(day: string): string {
  const date = new Date(`${day}T00:00:00.000Z`);
  date.setUTCDate(date.getUTCDate() - 1);
  return date.toISOString().slice(0, 10);
}

function monthIndex(day: string): number {
  return Number(day.slice(0, 4)) * 12 + Number(day.slice(5, 7));
}

/**
 * The days of a KPI query's range (see {@link CustomerDays}).
 *
 * @example
 * const { start, end, last } = customerDays(ctx.range, ctx.today);
 */
export function customerDays(range: Period | null, today: string): CustomerDays {
  if (!range?.start || !range.end) return { start: null, end: null, last: today, months: null };
  const wholeMonths = range.start.endsWith('-01') && range.end.endsWith('-01');
  const days = (Date.parse(range.end) - Date.parse(range.start)) / 86_400_000;
  return {
    start: range.start,
    end: range.end,
    last: dayBefore(range.end),
    months: wholeMonths ? monthIndex(range.end) - monthIndex(range.start) : (days * 12) / 365,
  };
}
