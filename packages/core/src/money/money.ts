import { minorUnitDigits } from './currency.js';

/**
 * An amount of money: an integer in minor units (cents) and an ISO 4217 code.
 *
 * @example
 * const price: Money = { amount: 123456, currency: 'EUR' }; // 1.234,56 EUR
 */
export interface Money {
  /** Integer minor units. */
  readonly amount: number;
  /** ISO 4217 code. */
  readonly currency: string;
}

/**
 * Converts minor units of one currency to minor units of another with a rate given as
 * "1 unit of `from` is `rate` units of `to`", rounding half away from zero.
 *
 * @example
 * convertMinor(10000, 'USD', 'EUR', 0.9); // 9000
 * convertMinor(100, 'EUR', 'JPY', 160);   // 160 (JPY has no minor unit)
 */
export function convertMinor(amount: number, from: string, to: string, rate: number): number {
  const scale = 10 ** (minorUnitDigits(to) - minorUnitDigits(from));
  const value = amount * rate * scale;
  return Math.sign(value) * Math.round(Math.abs(value));
}

/**
 * Formats minor units for people in a locale, e.g. `1.234,56 €` in German.
 *
 * @example
 * formatMoney({ amount: 123456, currency: 'EUR' }, 'de-DE'); // '1.234,56 €'
 */
export function formatMoney(money: Money, locale = 'en-US'): string {
  const digits = minorUnitDigits(money.currency);
  return new Intl.NumberFormat(locale, { style: 'currency', currency: money.currency }).format(
    money.amount / 10 ** digits,
  );
}

/**
 * Major units to integer minor units, for a currency, rounding to the nearest minor unit: for
 * amounts computed in floating point (a converted source's prices). Input a person wrote goes
 * through `parseMajorUnits`, which refuses what it would have to round.
 *
 * @example
 * toMinorUnits(2360.91, 'EUR'); // 236091
 */
export function toMinorUnits(major: number, currency: string): number {
  return Math.round(major * 10 ** minorUnitDigits(currency));
}

/**
 * Integer minor units to major units, for a currency.
 *
 * @example
 * fromMinorUnits(236091, 'EUR'); // 2360.91
 */
export function fromMinorUnits(minor: number, currency: string): number {
  return minor / 10 ** minorUnitDigits(currency);
}
