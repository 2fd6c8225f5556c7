import { dayInTimeZone, minorUnitDigits, previousPeriod, resolvePeriod } from '@rapport/core';
import type Database from 'better-sqlite3';
import { benchNow, benchTenant } from './dataset.js';

/** The ranges every implementation filters on, computed once the way Rapport computes them. */
export interface BenchRanges {
  /** Evaluated period: days [cs, ce) and instants [csi, cei). */
  readonly cs: string;
  readonly ce: string;
  readonly csi: string;
  readonly cei: string;
  /** Previous period. */
  readonly ps: string;
  readonly pe: string;
  readonly psi: string;
  readonly pei: string;
  /** Last days of the evaluated and the previous period (ce and pe minus a day). */
  readonly cl: string;
  readonly pl: string;
  /** Today in the tenant's time zone. */
  readonly today: string;
  /** Deals without activity since this instant are stale (30 days before today). */
  readonly staleCutoff: string;
}

/** The period and its previous one in the bench tenant's calendar. */
export function benchRanges(period: string): BenchRanges {
  const today = dayInTimeZone(benchNow, benchTenant.timeZone);
  const calendar = { timeZone: benchTenant.timeZone, fiscalYearStartMonth: 1, today };
  // The bench period is a literal such as '2026'; resolvePeriod validates it at run time.
  const current = resolvePeriod(period as '2026', calendar);
  const previous = previousPeriod(current, calendar);
  const [year, month, date] = today.split('-').map(Number) as [number, number, number];
  const cutoffDay = new Date(Date.UTC(year, month - 1, date - 30)).toISOString().slice(0, 10);
  const cutoff = resolvePeriod({ from: cutoffDay, to: cutoffDay }, calendar);
  const need = (value: string | null | undefined, what: string): string => {
    if (!value) throw new Error(`the bench period needs limits (${what})`);
    return value;
  };
  const dayBefore = (day: string) => {
    const [y, m, d] = day.split('-').map(Number) as [number, number, number];
    return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
  };
  return {
    cl: dayBefore(need(current.end, 'end')),
    pl: dayBefore(need(previous?.end, 'previous end')),
    cs: need(current.start, 'start'),
    ce: need(current.end, 'end'),
    csi: need(current.startInstant, 'start'),
    cei: need(current.endInstant, 'end'),
    ps: need(previous?.start, 'previous start'),
    pe: need(previous?.end, 'previous end'),
    psi: need(previous?.startInstant, 'previous start'),
    pei: need(previous?.endInstant, 'previous end'),
    today,
    staleCutoff: need(cutoff.startInstant, 'cutoff'),
  };
}

/**
 * Months of a period from its first day to its exclusive end, as predictive lifetime value
 * counts them: whole calendar months when both days are firsts of a month, else days x 12 / 365.
 */
export function periodMonths(start: string, end: string): number {
  if (start.endsWith('-01') && end.endsWith('-01'))
    return (
      Number(end.slice(0, 4)) * 12 +
      Number(end.slice(5, 7)) -
      (Number(start.slice(0, 4)) * 12 + Number(start.slice(5, 7)))
    );
  return (((Date.parse(end) - Date.parse(start)) / 86_400_000) * 12) / 365;
}

/**
 * Factors from minor units of each currency to minor units of the base currency, from the
 * tenant's exchange rates (as Rapport converts before it adds).
 */
export function moneyFactors(database: Database.Database): Map<string, number> {
  const tenant = database
    .prepare('select base_currency as base from tenants where id = ?')
    .get(benchTenant.id) as { base: string };
  const factors = new Map([[tenant.base, 1]]);
  const rates = database
    .prepare('select currency, rate from exchange_rates where tenant_id = ?')
    .all(benchTenant.id) as { currency: string; rate: number }[];
  const baseDigits = minorUnitDigits(tenant.base);
  for (const { currency, rate } of rates)
    factors.set(currency, rate * 10 ** (baseDigits - minorUnitDigits(currency)));
  return factors;
}

/** `amount` in the base currency as a SQL CASE over the currency column (SQLite and DuckDB). */
export function moneySql(
  factors: ReadonlyMap<string, number>,
  amount: string,
  currency: string,
): string {
  const cases = [...factors].map(([code, factor]) => `when '${code}' then ${amount} * ${factor}`);
  return `(case ${currency} ${cases.join(' ')} else null end)`;
}
