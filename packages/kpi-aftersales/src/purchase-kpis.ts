import {
  defineKpi,
  type KpiQueryContext,
  type KpiRow,
  type KpiValue,
  kpiRatio,
} from '@rapport/core';
import { accounts } from './aftersales-sources.js';
import { type CustomerPurchaseFacts, customerPurchases } from './customer-purchases.js';
import { customerDimensions } from './retention-kpis.js';

const noBuyers = 'no customers with a won opportunity';

async function fromPurchases(
  ctx: KpiQueryContext,
  value: (facts: CustomerPurchaseFacts) => KpiValue,
): Promise<KpiRow[]> {
  return (await customerPurchases(ctx)).map((facts) => ({
    key: facts.key,
    label: facts.label,
    range: facts.range,
    value: value(facts),
    sampleSize: facts.buyers,
  }));
}

/**
 * Repeat purchase rate: of the accounts that have won opportunities closed before the period
 * ends, the share with two or more. Comes with a 95% Wilson interval.
 *
 * @example
 * const { 'aftersales.repeatPurchaseRate': repeat } = await scope.kpis.evaluate(['aftersales.repeatPurchaseRate'], { period: '2026' });
 */
export const repeatPurchaseRate = defineKpi({
  id: 'aftersales.repeatPurchaseRate',
  group: 'aftersales',
  title: { en: 'Repeat purchase rate', de: 'Wiederkaufrate' },
  description:
    'accounts with 2 or more won opportunities / accounts with 1 or more, counting won opportunities closed before the end of the period',
  unit: 'ratio',
  direction: 'higher',
  dimensions: customerDimensions,
  sources: [accounts],
  bothRanges: true,
  reference:
    'Shopify Help Center, "Returning customer rate" (customers with more than one order / all customers)',
  query: (ctx) => fromPurchases(ctx, (f) => kpiRatio(f.repeatBuyers, f.buyers, noBuyers)),
});

/**
 * Cross-sell rate: of the accounts that have won opportunities closed before the period ends,
 * the share whose won line items span two or more product families. Comes with a 95% Wilson
 * interval.
 *
 * @example
 * const { 'aftersales.crossSellRate': crossSell } = await scope.kpis.evaluate(['aftersales.crossSellRate'], { by: 'accountSegment' });
 */
export const crossSellRate = defineKpi({
  id: 'aftersales.crossSellRate',
  group: 'aftersales',
  title: { en: 'Cross-sell rate', de: 'Cross-Selling-Quote' },
  description:
    'accounts whose won line items (opportunities closed before the end of the period) are in 2 or more product families / accounts with 1 or more won opportunity',
  unit: 'ratio',
  direction: 'higher',
  dimensions: customerDimensions,
  sources: [accounts],
  bothRanges: true,
  reference:
    'Verhoef, Franses & Hoekstra, "The impact of satisfaction and payment equity on cross-buying", Journal of Retailing 2001 (cross-buying: number of product categories bought)',
  query: (ctx) => fromPurchases(ctx, (f) => kpiRatio(f.crossBuyers, f.buyers, noBuyers)),
});
