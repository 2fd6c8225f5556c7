import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currencyCodeSchema, isCurrencyCode, minorUnitDigits } from './currency.js';
import { convertMinor, formatMoney, fromMinorUnits, toMinorUnits } from './money.js';

describe('currency codes', () => {
  it('accepts ISO 4217 codes and rejects everything else', () => {
    for (const code of ['EUR', 'USD', 'JPY', 'CHF', 'BHD', 'GBP'])
      expect(isCurrencyCode(code)).toBe(true);
    for (const code of ['EURO', 'eur', 'XYZ', 'EU', '', 'BTC', ' EUR'])
      expect(isCurrencyCode(code)).toBe(false);
    expect(currencyCodeSchema.safeParse('USD').success).toBe(true);
    expect(currencyCodeSchema.safeParse('usd').success).toBe(false);
  });

  it('knows the minor units of each currency', () => {
    expect(minorUnitDigits('EUR')).toBe(2);
    expect(minorUnitDigits('USD')).toBe(2);
    expect(minorUnitDigits('JPY')).toBe(0);
    expect(minorUnitDigits('KRW')).toBe(0);
    expect(minorUnitDigits('BHD')).toBe(3);
    expect(minorUnitDigits('KWD')).toBe(3);
  });
});

describe('convertMinor', () => {
  it('converts minor units with a rate, between currencies of different minor units', () => {
    expect(convertMinor(100_00, 'USD', 'EUR', 0.9)).toBe(90_00);
    // 1.00 EUR at 160 JPY per EUR is 160 yen (the yen has no minor unit).
    expect(convertMinor(100, 'EUR', 'JPY', 160)).toBe(160);
    expect(convertMinor(16_000, 'JPY', 'EUR', 1 / 160)).toBe(100_00);
    // 1.000 BHD at 2.4 EUR is 2.40 EUR.
    expect(convertMinor(1_000, 'BHD', 'EUR', 2.4)).toBe(240);
    expect(convertMinor(240, 'EUR', 'BHD', 1 / 2.4)).toBe(1_000);
    expect(convertMinor(12_345, 'EUR', 'EUR', 1)).toBe(12_345);
  });

  it('rounds half away from zero', () => {
    expect(convertMinor(1, 'EUR', 'USD', 0.5)).toBe(1);
    expect(convertMinor(3, 'EUR', 'USD', 0.5)).toBe(2);
    expect(convertMinor(-1, 'EUR', 'USD', 0.5)).toBe(-1);
    expect(convertMinor(-3, 'EUR', 'USD', 0.5)).toBe(-2);
    expect(convertMinor(1, 'EUR', 'USD', 0.49)).toBe(0);
    // 0 is never -0.
    expect(Object.is(convertMinor(0, 'EUR', 'USD', 2), 0)).toBe(true);
  });

  it('always gives whole minor units, and rate 1 between equal currencies is the identity', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 1e12 }),
        fc.double({ min: 1e-4, max: 1e4, noNaN: true }),
        fc.constantFrom('EUR', 'USD', 'JPY', 'BHD'),
        fc.constantFrom('EUR', 'USD', 'JPY', 'BHD'),
        (amount, rate, from, to) => {
          expect(Number.isInteger(convertMinor(amount, from, to, rate))).toBe(true);
          expect(convertMinor(amount, from, from, 1)).toBe(amount);
        },
      ),
    );
  });
});

describe('formatMoney', () => {
  // ICU separates amount and symbol with a no-break space; compare with plain spaces.
  const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

  it('formats minor units in a locale', () => {
    expect(plain(formatMoney({ amount: 123_456, currency: 'EUR' }, 'de-DE'))).toBe('1.234,56 €');
    expect(formatMoney({ amount: 123_456, currency: 'EUR' }, 'en-US')).toBe('€1,234.56');
    expect(formatMoney({ amount: 123_456, currency: 'USD' })).toBe('$1,234.56');
    expect(plain(formatMoney({ amount: 5, currency: 'EUR' }, 'de-DE'))).toBe('0,05 €');
  });

  it('formats currencies without or with three minor units', () => {
    expect(formatMoney({ amount: 1_234, currency: 'JPY' }, 'en-US')).toBe('¥1,234');
    expect(plain(formatMoney({ amount: 1_234, currency: 'JPY' }, 'de-DE'))).toBe('1.234 ¥');
    expect(plain(formatMoney({ amount: 1_234, currency: 'BHD' }, 'en-US'))).toBe('BHD 1.234');
  });

  it('formats negative amounts', () => {
    expect(plain(formatMoney({ amount: -99, currency: 'EUR' }, 'de-DE'))).toBe('-0,99 €');
  });
});

describe('toMinorUnits and fromMinorUnits', () => {
  it('scale by the currency’s minor units and round to whole units', () => {
    expect(toMinorUnits(2360.91, 'EUR')).toBe(236_091);
    expect(toMinorUnits(0.1 + 0.2, 'EUR')).toBe(30);
    expect(toMinorUnits(1234, 'JPY')).toBe(1234);
    expect(toMinorUnits(1.2345, 'BHD')).toBe(1235);
    expect(toMinorUnits(19.99, 'USD')).toBe(1999);
    expect(fromMinorUnits(236_091, 'EUR')).toBe(2360.91);
    expect(fromMinorUnits(1234, 'JPY')).toBe(1234);
    expect(fromMinorUnits(1_235, 'BHD')).toBe(1.235);
  });

  it('round-trip every amount with two decimals', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e13 }), (minor) => {
        expect(toMinorUnits(fromMinorUnits(minor, 'EUR'), 'EUR')).toBe(minor);
      }),
    );
  });
});
