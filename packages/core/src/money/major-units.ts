import { isCurrencyCode, minorUnitDigits } from './currency.js';

/**
 * What {@link parseMajorUnits} made of a decimal text: integer minor units, or why it is none.
 * `code` is stable: `not_a_number`, `unknown_currency`, `too_precise` (more decimals than the
 * currency has minor units) or `unsafe_money` (past `Number.MAX_SAFE_INTEGER` minor units).
 *
 * @example
 * const read: MajorUnitsResult = { minor: 1234 };
 */
export type MajorUnitsResult =
  | { readonly minor: number }
  | {
      readonly code: 'not_a_number' | 'unknown_currency' | 'too_precise' | 'unsafe_money';
      readonly reason: string;
    };

const decimalText = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * A decimal amount in major units, as a person writes it in a file or a form (`12.34`, `-0.5`,
 * `1.2e3`), as integer minor units of a currency. The digits are shifted as text, never through
 * a binary float, so the result is exact; an amount with more decimals than the currency has
 * minor units (`12.345` EUR, `12.5` JPY) is refused, not rounded. Trailing zeros are fine
 * (`12.340` EUR is 1234). Use {@link toMinorUnits} only where rounding is meant.
 *
 * @example
 * parseMajorUnits('12.34', 'EUR');  // { minor: 1234 }
 * parseMajorUnits('1234', 'JPY');   // { minor: 1234 }
 * parseMajorUnits('12.345', 'EUR'); // { code: 'too_precise', reason: '...' }
 */
export function parseMajorUnits(text: string, currency: string): MajorUnitsResult {
  const match = decimalText.exec(text.trim());
  const [, sign = '', whole = '', fraction = '', exponentText = '0'] = match ?? [];
  if (!match || whole.length + fraction.length === 0) {
    return { code: 'not_a_number', reason: `"${text}" is not a decimal number` };
  }
  if (!isCurrencyCode(currency)) {
    return { code: 'unknown_currency', reason: `"${currency}" is not an ISO 4217 currency code` };
  }
  const digits = minorUnitDigits(currency);
  const significant = (whole + fraction).replace(/^0+/, '');
  if (significant === '') return { minor: 0 };
  // Where the point of the minor units falls in the significant digits (which start non-zero).
  const leadingZeros = whole.length + fraction.length - significant.length;
  const point = whole.length - leadingZeros + Number(exponentText) + digits;
  const kept = point <= 0 ? '' : significant.slice(0, point);
  const dropped = point <= 0 ? significant : significant.slice(point);
  if (/[1-9]/.test(dropped)) {
    const minor = digits === 0 ? 'no minor unit' : `${digits} decimal${digits === 1 ? '' : 's'}`;
    return {
      code: 'too_precise',
      reason: `"${text}" has more decimals than ${currency} has (${minor}); amounts are not rounded`,
    };
  }
  // 17 digits are past every safe integer; this also bounds the zeros of `1e999`.
  if (point > 16) return unsafe(text, currency);
  const minor = Number(kept.padEnd(point, '0'));
  if (!Number.isSafeInteger(minor)) return unsafe(text, currency);
  return { minor: sign === '-' ? -minor : minor };
}

function unsafe(text: string, currency: string): MajorUnitsResult {
  return {
    code: 'unsafe_money',
    reason: `"${text}" ${currency} is past ${Number.MAX_SAFE_INTEGER} minor units`,
  };
}
