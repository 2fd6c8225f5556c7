import {
  defineKpi,
  type KpiOutcome,
  type KpiQueryContext,
  type KpiRow,
  type KpiValue,
  kpiDivide,
  kpiRatio,
} from '@rapport/core';
import { accounts } from './aftersales-sources.js';
import { type CustomerRevenueFacts, customerRevenue } from './customer-revenue.js';

/** What a customer KPI can be broken down and filtered by: fields of the account. */
export const customerDimensions = ['owner', 'team', 'accountSegment', 'custom'] as const;

const unbounded: KpiOutcome = {
  value: null,
  reason: 'needs a period with a start and an end',
};
const noCustomersAtStart = 'no customers at the start of the period';
const noMrrAtStart = 'no recurring revenue at the start of the period';

/** Query rows from the revenue facts; `needsPeriod` KPIs have no value for `all`. */
async function fromRevenue(
  ctx: KpiQueryContext,
  value: (facts: CustomerRevenueFacts) => KpiValue,
  sampleSize: (facts: CustomerRevenueFacts) => number,
  needsPeriod = true,
): Promise<KpiRow[]> {
  return (await customerRevenue(ctx)).map((facts) => ({
    key: facts.key,
    label: facts.label,
    range: facts.range,
    value: needsPeriod && facts.days.start === null ? unbounded : value(facts),
    sampleSize: sampleSize(facts),
  }));
}

/**
 * Customer churn rate: of the accounts with an active contract on the period's first day, the
 * share with none the day after the period. Comes with a 95% Wilson interval.
 *
 * @example
 * const { 'aftersales.churnRate': churn } = await scope.kpis.evaluate(['aftersales.churnRate'], { period: '2026-03' });
 */
export const churnRate = defineKpi({
  id: 'aftersales.churnRate',
  group: 'aftersales',
  title: { en: 'Customer churn rate', de: 'Kundenabwanderungsrate' },
  description:
    'customers lost in the period / customers at its start; a customer is an account with an active (non-draft) contract, lost = active on the first day and none active the day after the period',
  unit: 'ratio',
  direction: 'lower',
  dimensions: customerDimensions,
  sources: [accounts],
  bothRanges: true,
  reference:
    'ChartMogul, "Customer churn rate" (churned customers / customers at the start of the period); Baremetrics, "User churn"',
  query: (ctx) =>
    fromRevenue(
      ctx,
      (f) => kpiRatio(f.churned, f.customersAtStart, noCustomersAtStart),
      (f) => f.customersAtStart,
    ),
});

/**
 * Revenue churn: MRR lost in the period (from customers who left and from downgrades of those
 * who stayed) / MRR at its start.
 *
 * @example
 * const { 'aftersales.revenueChurn': churn } = await scope.kpis.evaluate(['aftersales.revenueChurn'], { period: '2026-Q1' });
 */
export const revenueChurn = defineKpi({
  id: 'aftersales.revenueChurn',
  group: 'aftersales',
  title: { en: 'Revenue churn rate', de: 'Umsatzabwanderungsrate' },
  description:
    '(churned MRR + contraction MRR) / MRR at the start, for the customers at the start; churned MRR = start MRR of lost customers, contraction = start MRR - end MRR of customers who stayed with less',
  unit: 'ratio',
  direction: 'lower',
  dimensions: customerDimensions,
  sources: [accounts],
  bothRanges: true,
  reference:
    'ChartMogul, "Gross MRR churn rate" ((churned MRR + contraction MRR) / MRR at the start of the period); Baremetrics, "Revenue churn"',
  query: (ctx) =>
    fromRevenue(
      ctx,
      (f) => kpiDivide(f.churnedMrr + f.contraction, f.mrrAtStart, noMrrAtStart),
      (f) => f.customersAtStart,
    ),
});

/**
 * Gross revenue retention: the share of the starting MRR the customers at the start still pay
 * at the end, expansions left out (at most 1).
 *
 * @example
 * const { 'aftersales.grossRevenueRetention': grr } = await scope.kpis.evaluate(['aftersales.grossRevenueRetention'], { period: '2026' });
 */
export const grossRevenueRetention = defineKpi({
  id: 'aftersales.grossRevenueRetention',
  group: 'aftersales',
  title: { en: 'Gross revenue retention', de: 'Bruttoumsatzbindung' },
  description:
    '(MRR at start - churned MRR - contraction MRR) / MRR at start, for the cohort of customers active at the start',
  unit: 'ratio',
  direction: 'higher',
  dimensions: customerDimensions,
  sources: [accounts],
  bothRanges: true,
  reference:
    'KeyBanc Capital Markets SaaS Survey, "Gross dollar retention"; ChartMogul, "Gross revenue retention"',
  query: (ctx) =>
    fromRevenue(
      ctx,
      (f) => kpiDivide(f.mrrAtStart - f.churnedMrr - f.contraction, f.mrrAtStart, noMrrAtStart),
      (f) => f.customersAtStart,
    ),
});

/**
 * Net revenue retention: what the customers at the start pay at the end, expansions included,
 * as a share of what they paid at the start (above 1 when expansion outgrows churn).
 *
 * @example
 * const { 'aftersales.netRevenueRetention': nrr } = await scope.kpis.evaluate(['aftersales.netRevenueRetention'], { period: '2026' });
 */
export const netRevenueRetention = defineKpi({
  id: 'aftersales.netRevenueRetention',
  group: 'aftersales',
  title: { en: 'Net revenue retention', de: 'Nettoumsatzbindung' },
  description:
    '(MRR at start - churned MRR - contraction MRR + expansion MRR) / MRR at start, for the cohort of customers active at the start',
  unit: 'ratio',
  direction: 'higher',
  dimensions: customerDimensions,
  sources: [accounts],
  bothRanges: true,
  reference:
    'KeyBanc Capital Markets SaaS Survey, "Net dollar retention"; ChartMogul, "Net revenue retention"',
  query: (ctx) =>
    fromRevenue(
      ctx,
      (f) =>
        kpiDivide(
          f.mrrAtStart - f.churnedMrr - f.contraction + f.expansion,
          f.mrrAtStart,
          noMrrAtStart,
        ),
      (f) => f.customersAtStart,
    ),
});

/**
 * Expansion revenue: how much the MRR of the customers at the start grew by the end (upsells,
 * more seats, new contracts), counting only those whose MRR rose.
 *
 * @example
 * const { 'aftersales.expansionRevenue': expansion } = await scope.kpis.evaluate(['aftersales.expansionRevenue'], { period: '2026-Q1', by: 'owner' });
 */
export const expansionRevenue = defineKpi({
  id: 'aftersales.expansionRevenue',
  group: 'aftersales',
  title: { en: 'Expansion revenue', de: 'Expansionsumsatz' },
  description:
    'sum over customers at the start whose MRR rose of (MRR the day after the period - MRR on its first day), monthly, in the base currency',
  unit: 'money',
  direction: 'higher',
  dimensions: customerDimensions,
  sources: [accounts],
  bothRanges: true,
  reference: 'ChartMogul, "Expansion MRR" (MRR increase from existing customers)',
  query: (ctx) =>
    fromRevenue(
      ctx,
      (f) => f.expansion,
      (f) => f.customersAtStart,
    ),
});

/**
 * ARPA, average revenue per account: MRR / customers on the period's last day (today for `all`).
 *
 * @example
 * const { 'aftersales.arpa': arpa } = await scope.kpis.evaluate(['aftersales.arpa'], { period: '2026-03', by: 'accountSegment' });
 */
export const arpa = defineKpi({
  id: 'aftersales.arpa',
  group: 'aftersales',
  title: { en: 'Average revenue per account (ARPA)', de: 'Durchschnittsumsatz pro Kunde (ARPA)' },
  description:
    'MRR / accounts with an active contract, both on the last day of the period (today for all), monthly, in the base currency',
  unit: 'money',
  direction: 'higher',
  dimensions: customerDimensions,
  sources: [accounts],
  bothRanges: true,
  reference: 'ChartMogul, "ARPA" (MRR / number of active customers)',
  query: (ctx) =>
    fromRevenue(
      ctx,
      (f) => kpiDivide(f.mrr, f.customers, 'no customers with an active contract'),
      (f) => f.customers,
      false,
    ),
});
