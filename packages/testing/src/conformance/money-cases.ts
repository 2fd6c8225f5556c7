import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AnyScope,
  type ConformanceSetup,
  expectNothingWritten,
  expectRapportError,
  newTenant,
  useCrm,
} from './conformance-context.js';

/** @internal Money in minor units, ISO 4217 codes, exchange rates and conversion. */
export function moneyCases(setup: ConformanceSetup): void {
  describe('money and currencies', () => {
    const crm = useCrm(setup);
    let admin: AnyScope;
    let ownerId: string;
    const deal = (extra: { currency?: string; amount?: number | null }) =>
      admin.opportunities.create({ name: 'Money', ownerId, closeDate: '2026-12-31', ...extra });
    beforeAll(async () => {
      admin = (await newTenant(crm())).admin;
      ownerId = (await admin.users.create({ name: 'Money Owner' })).id;
    });

    it('money defaults to the base currency and keeps the largest safe integer exactly', async () => {
      const plain = await deal({ amount: 1_234_56 });
      expect(plain.currency).toBe('EUR');
      const huge = await deal({ amount: Number.MAX_SAFE_INTEGER });
      expect((await admin.opportunities.get(huge.id)).amount).toBe(Number.MAX_SAFE_INTEGER);
      expect(await admin.opportunities.count({ amount: Number.MAX_SAFE_INTEGER })).toBe(1);
      await expectNothingWritten(admin, () => deal({ amount: 10.5 }), 'VALIDATION', ['amount']);
      await expectNothingWritten(admin, () => deal({ amount: -1 }), 'VALIDATION', ['amount']);
    });

    it('a currency that is not ISO 4217 is a VALIDATION error', async () => {
      for (const currency of ['EURO', 'eur', 'XYZ', '']) {
        await expectNothingWritten(admin, () => deal({ currency }), 'VALIDATION', ['currency']);
      }
    });

    it('a currency without an exchange rate is a VALIDATION error', async () => {
      const error = await expectNothingWritten(
        admin,
        () => deal({ currency: 'CHF', amount: 100_00 }),
        'VALIDATION',
        ['currency'],
      );
      expect(error.issues[0]?.code).toBe('unknown_currency_rate');
      await expectRapportError(
        admin.currencies.convert({ amount: 100, currency: 'CHF' }),
        'VALIDATION',
        ['currency'],
      );
      await expectRapportError(
        admin.currencies.convert({ amount: 100, currency: 'EUR' }, 'CHF'),
        'VALIDATION',
        ['currency'],
      );
    });

    it('setRate adds and replaces rates; then the currency can be used', async () => {
      const set = await admin.currencies.setRate('USD', 0.9);
      expect(set).toMatchObject({ currency: 'USD', rate: 0.9 });
      const replaced = await admin.currencies.setRate('USD', 0.923456789);
      expect(replaced.rate).toBe(0.923456789);
      const rates = await admin.currencies.rates();
      expect(rates.filter((r) => r.currency === 'USD')).toEqual([
        { currency: 'USD', rate: 0.923456789, updatedAt: replaced.updatedAt },
      ]);
      const dollars = await deal({ currency: 'USD', amount: 100_00 });
      expect(await admin.opportunities.get(dollars.id)).toMatchObject({
        currency: 'USD',
        amount: 100_00,
      });
    });

    it('setRate rejects bad codes, the base currency and non-positive rates', async () => {
      await expectNothingWritten(admin, () => admin.currencies.setRate('EUR', 1), 'VALIDATION', [
        'currency',
      ]);
      await expectNothingWritten(admin, () => admin.currencies.setRate('XYZ', 1), 'VALIDATION', [
        'currency',
      ]);
      await expectNothingWritten(admin, () => admin.currencies.setRate('GBP', 0), 'VALIDATION', [
        'rate',
      ]);
      await expectNothingWritten(admin, () => admin.currencies.setRate('GBP', -2), 'VALIDATION', [
        'rate',
      ]);
    });

    it('convert goes through the base currency and respects minor units (JPY 0, BHD 3)', async () => {
      await admin.currencies.setRate('USD', 0.92);
      await admin.currencies.setRate('JPY', 0.0062);
      await admin.currencies.setRate('BHD', 2.4);
      const { convert } = admin.currencies;
      expect(await convert({ amount: 100_00, currency: 'EUR' })).toEqual({
        amount: 100_00,
        currency: 'EUR',
      });
      expect(await convert({ amount: 100_00, currency: 'USD' })).toEqual({
        amount: 92_00,
        currency: 'EUR',
      });
      expect(await convert({ amount: 92_00, currency: 'EUR' }, 'USD')).toEqual({
        amount: 100_00,
        currency: 'USD',
      });
      // 100 EUR / 0.0062 = 16129.03 JPY; the yen has no minor unit.
      expect(await convert({ amount: 100_00, currency: 'EUR' }, 'JPY')).toEqual({
        amount: 16_129,
        currency: 'JPY',
      });
      expect(await convert({ amount: 16_129, currency: 'JPY' })).toEqual({
        amount: 100_00,
        currency: 'EUR',
      });
      // 100 USD -> 92 EUR -> 14838.7 JPY.
      expect(await convert({ amount: 100_00, currency: 'USD' }, 'JPY')).toEqual({
        amount: 14_839,
        currency: 'JPY',
      });
      // 1.000 BHD (three decimals) = 2.40 EUR.
      expect(await convert({ amount: 1_000, currency: 'BHD' })).toEqual({
        amount: 240,
        currency: 'EUR',
      });
    });

    it('a tenant may have another base currency', async () => {
      const dollars = (await newTenant(crm(), { baseCurrency: 'USD' })).admin;
      const owner = await dollars.users.create({ name: 'Dollar Owner' });
      const usd = await dollars.opportunities.create({
        name: 'US deal',
        ownerId: owner.id,
        closeDate: '2026-12-31',
        amount: 50_00,
      });
      expect(usd.currency).toBe('USD');
      await expectRapportError(
        dollars.opportunities.create({
          name: 'Euro deal',
          ownerId: owner.id,
          closeDate: '2026-12-31',
          currency: 'EUR',
        }),
        'VALIDATION',
        ['currency'],
      );
      await dollars.currencies.setRate('EUR', 1.08);
      expect(await dollars.currencies.convert({ amount: 100_00, currency: 'EUR' })).toEqual({
        amount: 108_00,
        currency: 'USD',
      });
      await expectRapportError(dollars.updateSettings({ baseCurrency: 'GBP' }), 'VALIDATION', [
        'baseCurrency',
      ]);
      await expectRapportError(
        crm().createTenant({ id: 'bad-currency', name: 'Bad', baseCurrency: 'EURO' }),
        'VALIDATION',
        ['baseCurrency'],
      );
    });

    it('line items take the currency of their opportunity', async () => {
      await admin.currencies.setRate('USD', 0.92);
      const product = await admin.products.create({
        name: 'Priced in USD',
        listPrice: 20_00,
        currency: 'USD',
      });
      const usdDeal = await deal({ currency: 'USD' });
      const item = await admin.lineItems.create({
        opportunityId: usdDeal.id,
        productId: product.id,
        quantity: 2,
      });
      expect(item).toMatchObject({ currency: 'USD', totalPrice: 40_00 });
      expect(await admin.opportunities.get(usdDeal.id)).toMatchObject({
        currency: 'USD',
        amount: 40_00,
      });
      await expectRapportError(
        admin.opportunities.update(usdDeal.id, {
          version: (await admin.opportunities.get(usdDeal.id)).version,
          currency: 'EUR',
        }),
        'VALIDATION',
        ['currency'],
      );
    });
  });
}
