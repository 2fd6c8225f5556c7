import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { minorUnitDigits } from './currency.js';
import { parseMajorUnits } from './major-units.js';

describe('parseMajorUnits', () => {
  it('reads decimal text as exact minor units of the currency', () => {
    expect(parseMajorUnits('12.34', 'EUR')).toEqual({ minor: 1234 });
    expect(parseMajorUnits('12.340', 'EUR')).toEqual({ minor: 1234 });
    expect(parseMajorUnits(' 0.05 ', 'EUR')).toEqual({ minor: 5 });
    expect(parseMajorUnits('.5', 'USD')).toEqual({ minor: 50 });
    expect(parseMajorUnits('7.', 'USD')).toEqual({ minor: 700 });
    expect(parseMajorUnits('+3', 'EUR')).toEqual({ minor: 300 });
    expect(parseMajorUnits('-0.99', 'EUR')).toEqual({ minor: -99 });
    expect(parseMajorUnits('-0', 'EUR')).toEqual({ minor: 0 });
    expect(parseMajorUnits('000', 'EUR')).toEqual({ minor: 0 });
    expect(parseMajorUnits('1234', 'JPY')).toEqual({ minor: 1234 });
    expect(parseMajorUnits('1234.000', 'JPY')).toEqual({ minor: 1234 });
    expect(parseMajorUnits('1.234', 'BHD')).toEqual({ minor: 1234 });
    expect(parseMajorUnits('1.2e3', 'EUR')).toEqual({ minor: 120_000 });
    expect(parseMajorUnits('1234.5E-2', 'BHD')).toEqual({ minor: 12_345 });
    expect(parseMajorUnits('0.3', 'EUR')).toEqual({ minor: 30 });
    expect(parseMajorUnits('90071992547409.91', 'EUR')).toEqual({
      minor: Number.MAX_SAFE_INTEGER,
    });
  });

  it('refuses more decimals than the currency has, instead of rounding', () => {
    for (const [text, currency] of [
      ['12.345', 'EUR'],
      ['0.001', 'USD'],
      ['12.5', 'JPY'],
      ['1.0001', 'BHD'],
      ['1234.5E-2', 'EUR'],
      ['1e-999', 'EUR'],
      ['0.0000000000000000001', 'EUR'],
    ] as const) {
      const read = parseMajorUnits(text, currency);
      expect(read).toMatchObject({ code: 'too_precise' });
      expect('reason' in read && read.reason).toContain(currency);
    }
  });

  it('refuses amounts past a safe integer of minor units, and text that is no number', () => {
    expect(parseMajorUnits('90071992547409.92', 'EUR')).toMatchObject({ code: 'unsafe_money' });
    expect(parseMajorUnits('1e999', 'EUR')).toMatchObject({ code: 'unsafe_money' });
    expect(parseMajorUnits('9'.repeat(40), 'JPY')).toMatchObject({ code: 'unsafe_money' });
    for (const text of ['', '.', 'e3', '1,5', '1.2.3', 'NaN', 'Infinity', '0x10', '1 000', '--1']) {
      expect(parseMajorUnits(text, 'EUR')).toMatchObject({ code: 'not_a_number' });
    }
    expect(parseMajorUnits('1', 'EURO')).toMatchObject({ code: 'unknown_currency' });
  });

  it('gives back every whole number of minor units written with the currency’s decimals', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
        fc.constantFrom('EUR', 'JPY', 'BHD'),
        fc.nat({ max: 3 }),
        (minor, currency, extraZeros) => {
          const digits = minorUnitDigits(currency);
          const text = Math.abs(minor)
            .toString()
            .padStart(digits + 1, '0');
          const written =
            digits === 0
              ? text
              : `${text.slice(0, -digits)}.${text.slice(-digits)}${'0'.repeat(extraZeros)}`;
          const expected = minor === 0 ? 0 : minor;
          expect(parseMajorUnits(`${minor < 0 ? '-' : ''}${written}`, currency)).toEqual({
            minor: expected,
          });
        },
      ),
    );
  });
});
