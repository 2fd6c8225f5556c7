import type { KpiInfo, KpiInterval } from './api-client.js';
import { type Lang, localeOf } from './i18n.js';

/** How a KPI is measured: its unit and, for money, the currency. */
export interface Measured {
  readonly unit: KpiInfo['unit'];
  readonly currency: string | null;
}

const fractionDigits = new Map<string, number>();

/** Digits after the decimal point of a currency's minor unit (2 for EUR, 0 for JPY). */
export function minorDigits(currency: string): number {
  let digits = fractionDigits.get(currency);
  if (digits === undefined) {
    digits =
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
        .maximumFractionDigits ?? 2;
    fractionDigits.set(currency, digits);
  }
  return digits;
}

/** A value in the unit people read: money in major units, ratios as fractions. */
export function displayNumber(kpi: Measured, value: number): number {
  return kpi.unit === 'money' && kpi.currency ? value / 10 ** minorDigits(kpi.currency) : value;
}

/**
 * A KPI value for people: `63.2%`, `€1,234,567`, `48.0 days`; in German `63,2 %`,
 * `1.234.567 €`, `48,0 Tage`.
 */
export function formatValue(kpi: Measured, value: number | null, lang: Lang): string {
  if (value === null) return '–';
  const locale = localeOf(lang);
  switch (kpi.unit) {
    case 'ratio':
      return new Intl.NumberFormat(locale, {
        style: 'percent',
        minimumFractionDigits: 1,
        maximumFractionDigits: 1,
      }).format(value);
    case 'money': {
      const major = displayNumber(kpi, value);
      return new Intl.NumberFormat(locale, {
        style: kpi.currency ? 'currency' : 'decimal',
        ...(kpi.currency ? { currency: kpi.currency } : {}),
        maximumFractionDigits: Math.abs(major) >= 1000 ? 0 : 2,
      }).format(major);
    }
    case 'count':
      return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(value);
    case 'duration':
      return `${new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value)} ${lang === 'de' ? 'Tage' : 'days'}`;
    default:
      return new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(value);
  }
}

/** The change against the previous period: percentage points for ratios, else relative. */
export function formatChange(
  kpi: Measured,
  change: number | null,
  relativeChange: number | null,
  lang: Lang,
): string | null {
  const locale = localeOf(lang);
  if (kpi.unit === 'ratio' && change !== null) {
    const points = new Intl.NumberFormat(locale, {
      maximumFractionDigits: 1,
      signDisplay: 'exceptZero',
    }).format(change * 100);
    return `${points} ${lang === 'de' ? 'Pp.' : 'pp'}`;
  }
  if (relativeChange === null) return null;
  return new Intl.NumberFormat(locale, {
    style: 'percent',
    maximumFractionDigits: 1,
    signDisplay: 'exceptZero',
  }).format(relativeChange);
}

/** A 95% interval as `58.1–66.0%`. */
export function formatInterval(interval: KpiInterval, lang: Lang): string {
  const percent = new Intl.NumberFormat(localeOf(lang), {
    style: 'percent',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });
  return `${percent.format(interval.lower)}–${percent.format(interval.upper)}`;
}
