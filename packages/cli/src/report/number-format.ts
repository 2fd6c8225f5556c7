/** The languages of reports. */
export type ReportLanguage = 'en' | 'de';

/**
 * Formats numbers, money, ratios, durations and changes for a language with Intl:
 * `1,234.56 €` in English, `1.234,56 €` in German.
 *
 * @example
 * const format = createNumberFormat('de');
 * format.money(123456, 'EUR'); // '1.234,56 €'
 * format.ratio(0.6315); // '63,15 %'
 */
export interface NumberFormat {
  readonly language: ReportLanguage;
  /** A plain number with up to `digits` decimals. */
  number(value: number, digits?: number): string;
  /** Minor units of a currency as money. */
  money(minor: number, currency: string): string;
  /** A fraction as a percentage with two decimals and a space before `%`. */
  ratio(value: number): string;
  /** Days. */
  duration(days: number): string;
  /** A whole count. */
  count(value: number): string;
  /** A signed change: percentage points for ratios, else relative percent. */
  change(unit: string, change: number | null, relativeChange: number | null): string;
}

const locales: Record<ReportLanguage, string> = { en: 'en-US', de: 'de-DE' };

/**
 * Whether a string names a report language.
 *
 * @example
 * isReportLanguage('de'); // true
 */
export function isReportLanguage(value: string): value is ReportLanguage {
  return value === 'en' || value === 'de';
}

/** Makes the {@link NumberFormat} of a language. */
export function createNumberFormat(language: ReportLanguage): NumberFormat {
  const locale = locales[language];
  const cache = new Map<string, Intl.NumberFormat>();
  const intl = (key: string, options: Intl.NumberFormatOptions) => {
    let format = cache.get(key);
    if (!format) {
      format = new Intl.NumberFormat(locale, options);
      cache.set(key, format);
    }
    return format;
  };
  const number = (value: number, digits = 2) =>
    intl(`n${digits}`, { maximumFractionDigits: digits })
      .format(value)
      .replace(/[\u00a0\u202f]/g, ' ');
  const fixed = (value: number, digits: number, sign = false) =>
    intl(`f${digits}${sign}`, {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
      ...(sign ? { signDisplay: 'exceptZero' as const } : {}),
    }).format(value);
  return {
    language,
    number,
    money(minor, currency) {
      const format = intl(`c${currency}`, { style: 'currency', currency });
      const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
      // Intl puts no-break spaces around the symbol; terminals and greps expect plain ones.
      return format.format(minor / 10 ** digits).replace(/[\u00a0\u202f]/g, ' ');
    },
    ratio: (value) => `${fixed(value * 100, 2)} %`,
    duration: (days) => `${fixed(days, 1)} ${language === 'de' ? 'Tage' : 'days'}`,
    count: (value) => number(value, 0),
    change(unit, change, relativeChange) {
      if (unit === 'ratio' && change !== null) {
        return `${fixed(change * 100, 2, true)} ${language === 'de' ? 'Pp.' : 'pp'}`;
      }
      if (relativeChange !== null) return `${fixed(relativeChange * 100, 1, true)} %`;
      return '–';
    },
  };
}

/**
 * A KPI value in its unit: money in the currency, ratios as percent, durations in days.
 *
 * @example
 * formatKpiValue(createNumberFormat('en'), { unit: 'ratio', value: 0.6315, currency: null }); // '63.15 %'
 */
export function formatKpiValue(
  format: NumberFormat,
  kpi: { readonly unit: string; readonly value: number | null; readonly currency: string | null },
): string {
  const { value } = kpi;
  if (value === null) return '–';
  switch (kpi.unit) {
    case 'money':
      return kpi.currency ? format.money(value, kpi.currency) : format.number(value);
    case 'ratio':
      return format.ratio(value);
    case 'duration':
      return format.duration(value);
    case 'count':
      return format.count(value);
    default:
      return format.number(value);
  }
}
