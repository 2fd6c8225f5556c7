import { defineKpi, type KpiOutcome, kpiDivide } from '@rapport/core';
import { type AftersalesOptions, grossMarginOf } from './aftersales-options.js';
import { accounts } from './aftersales-sources.js';
import { type CustomerRevenueFacts, customerRevenue } from './customer-revenue.js';
import { customerDimensions } from './retention-kpis.js';

/**
 * Historical customer lifetime value: what the customers so far (active or churned) have paid on
 * average, from their contracts up to the period's last day.
 *
 * @example
 * const { 'aftersales.historicalLifetimeValue': clv } = await scope.kpis.evaluate(['aftersales.historicalLifetimeValue'], { period: '2026' });
 */
export const historicalLifetimeValue = defineKpi({
  id: 'aftersales.historicalLifetimeValue',
  group: 'aftersales',
  title: {
    en: 'Customer lifetime value (historical)',
    de: 'Kundenlebenszeitwert (historisch)',
  },
  description:
    'sum over non-draft contracts started by the last day of the period of monthly amount x days from start to min(end, last day) inclusive x 12 / 365, in the base currency / accounts with such a contract',
  unit: 'money',
  direction: 'higher',
  dimensions: customerDimensions,
  sources: [accounts],
  bothRanges: true,
  reference:
    'Klaviyo, "Historic customer lifetime value" (revenue a customer has already generated); ChartMogul, "Customer lifetime value"',
  async query(ctx) {
    return (await customerRevenue(ctx)).map((f) => ({
      key: f.key,
      label: f.label,
      range: f.range,
      value: kpiDivide(f.lifetimeRevenue, f.lifetimeCustomers, 'no customers with a contract'),
      sampleSize: f.lifetimeCustomers,
    }));
  },
});

/** Predictive lifetime value from the revenue facts (see {@link predictiveLifetimeValue}). */
function predictiveValue(f: CustomerRevenueFacts, grossMargin: number): KpiOutcome | number {
  if (f.days.months === null)
    return { value: null, reason: 'needs a period with a start and an end' };
  if (f.customers === 0) return { value: null, reason: 'no customers with an active contract' };
  if (f.customersAtStart === 0)
    return { value: null, reason: 'no customers at the start of the period' };
  if (f.churned === 0)
    return { value: null, reason: 'no customer churned in the period: the lifetime is unbounded' };
  // ARPA is monthly and churn is per period: the expected lifetime is months / churn rate.
  const arpaValue = f.mrr / f.customers;
  const churn = f.churned / f.customersAtStart;
  return (arpaValue * grossMargin * f.days.months) / churn;
}

/**
 * Predictive customer lifetime value: ARPA x gross margin / churn rate, the margin a customer is
 * expected to bring over the lifetime the churn rate implies. The churn rate of a period longer
 * than a month is per that period, so the monthly ARPA is multiplied by the period's months.
 *
 * @example
 * const clv = predictiveLifetimeValue({ grossMargin: 0.7 });
 */
export function predictiveLifetimeValue(options: AftersalesOptions = {}) {
  const grossMargin = grossMarginOf(options);
  return defineKpi({
    id: 'aftersales.predictiveLifetimeValue',
    group: 'aftersales',
    title: {
      en: 'Customer lifetime value (predictive)',
      de: 'Kundenlebenszeitwert (prognostiziert)',
    },
    description: `ARPA (last day of the period) x gross margin (${grossMargin}) x months in the period / customer churn rate of the period, in the base currency`,
    unit: 'money',
    direction: 'higher',
    dimensions: customerDimensions,
    sources: [accounts],
    bothRanges: true,
    reference:
      'ChartMogul, "Customer lifetime value" (ARPA x gross margin / customer churn rate); Skok, "SaaS Metrics 2.0"',
    async query(ctx) {
      return (await customerRevenue(ctx)).map((f) => ({
        key: f.key,
        label: f.label,
        range: f.range,
        value: predictiveValue(f, grossMargin),
        sampleSize: f.customersAtStart,
      }));
    },
  });
}
