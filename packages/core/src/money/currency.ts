import { z } from 'zod';

const isoCurrencies: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

/**
 * Whether a code is an ISO 4217 currency code known to this runtime's ICU data (`EUR`, `USD`).
 *
 * @example
 * isCurrencyCode('EUR'); // true
 * isCurrencyCode('EURO'); // false
 */
export function isCurrencyCode(code: string): boolean {
  return code.length === 3 && isoCurrencies.has(code);
}

/**
 * zod schema of an ISO 4217 currency code.
 *
 * @example
 * currencyCodeSchema.parse('USD');
 */
export const currencyCodeSchema = z
  .string()
  .refine(isCurrencyCode, { message: 'is not an ISO 4217 currency code' });

/**
 * How many minor units a currency has (EUR 2, JPY 0, BHD 3), after ISO 4217 as ICU knows it.
 *
 * @example
 * minorUnitDigits('JPY'); // 0
 */
export function minorUnitDigits(currency: string): number {
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    const format = new Intl.NumberFormat('en', { style: 'currency', currency });
    digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    digitsByCurrency.set(currency, digits);
  }
  return digits;
}

// Building an Intl.NumberFormat costs microseconds; money math calls this per row.
const digitsByCurrency = new Map<string, number>();
