import { closedDeals, defineKpi, kpiDivide, kpiRatio, measure, repQuotas } from '@rapport/core';

const dealDimensions = [
  'owner',
  'team',
  'product',
  'productFamily',
  'leadSource',
  'campaign',
  'accountSegment',
  'custom',
] as const;

const won = measure.count(closedDeals, { status: 'won' });
const lost = measure.count(closedDeals, { status: 'lost' });
const wonAmount = measure.sum(closedDeals, { money: 'amount' }, { status: 'won' });
const cycle = { daysBetween: ['openDate', 'closeDate'] } as const;

/**
 * Win rate = won / (won + lost) of the opportunities closed in the period: never won / all, since
 * open deals have not been decided. Comes with a 95% Wilson interval.
 *
 * @example
 * const { 'closing.winRate': r } = await scope.kpis.evaluate(['closing.winRate'], { period: '2026-Q1', by: 'owner' });
 */
export const winRate = defineKpi({
  id: 'closing.winRate',
  group: 'closing',
  title: { en: 'Win rate', de: 'Gewinnquote' },
  description:
    'won / (won + lost): of the opportunities closed in the period, the share that was won. Open opportunities are not counted.',
  unit: 'ratio',
  direction: 'higher',
  dimensions: dealDimensions,
  reference:
    'Salesforce Help, "Win Rate" (closed won / (closed won + closed lost)); HubSpot, "Deal win rate"',
  measures: { won, lost },
  value: (m) => kpiRatio(m.won, m.won + m.lost, 'no closed opportunities'),
  sampleSize: (m) => m.won + m.lost,
});

/**
 * Won revenue: the sum of the amounts of the opportunities won in the period, each converted to
 * the base currency before adding (minor units).
 *
 * @example
 * const { 'closing.wonRevenue': revenue } = await scope.kpis.evaluate(['closing.wonRevenue'], { period: '2026' });
 */
export const wonRevenue = defineKpi({
  id: 'closing.wonRevenue',
  group: 'closing',
  title: { en: 'Won revenue', de: 'Gewonnener Umsatz' },
  description: 'sum of amount of opportunities won in the period, converted to the base currency',
  unit: 'money',
  direction: 'higher',
  dimensions: dealDimensions,
  reference: 'Salesforce standard report "Closed Won Opportunities" (sum of Amount)',
  measures: { won, wonAmount },
  value: (m) => m.wonAmount,
  sampleSize: (m) => m.won,
});

/**
 * Average deal size: won revenue / number of won opportunities.
 *
 * @example
 * const { 'closing.averageDealSize': size } = await scope.kpis.evaluate(['closing.averageDealSize']);
 */
export const averageDealSize = defineKpi({
  id: 'closing.averageDealSize',
  group: 'closing',
  title: { en: 'Average deal size', de: 'Durchschnittliche Auftragsgröße' },
  description: 'won revenue / number of won opportunities, in the base currency',
  unit: 'money',
  direction: 'higher',
  dimensions: dealDimensions,
  reference: 'HubSpot, "Average deal size" (total revenue of won deals / number of won deals)',
  measures: { won, wonAmount },
  value: (m) => kpiDivide(m.wonAmount, m.won, 'no won opportunities'),
  sampleSize: (m) => m.won,
});

/**
 * Median deal size of the opportunities won in the period: robust to a few huge deals.
 *
 * @example
 * const { 'closing.medianDealSize': median } = await scope.kpis.evaluate(['closing.medianDealSize']);
 */
export const medianDealSize = defineKpi({
  id: 'closing.medianDealSize',
  group: 'closing',
  title: { en: 'Median deal size', de: 'Median der Auftragsgröße' },
  description: 'median amount of the opportunities won in the period, in the base currency',
  unit: 'money',
  direction: 'higher',
  dimensions: dealDimensions,
  reference:
    'median as the robust counterpart of the average deal size (HubSpot, "Average deal size")',
  measures: { won, median: measure.median(closedDeals, { money: 'amount' }, { status: 'won' }) },
  value: (m) => (m.median === null ? { value: null, reason: 'no won opportunities' } : m.median),
  sampleSize: (m) => m.won,
});

/**
 * Average sales cycle: mean days from open date to close date of the opportunities closed (won or
 * lost) in the period.
 *
 * @example
 * const { 'closing.averageSalesCycle': cycle } = await scope.kpis.evaluate(['closing.averageSalesCycle']);
 */
export const averageSalesCycle = defineKpi({
  id: 'closing.averageSalesCycle',
  group: 'closing',
  title: { en: 'Average sales cycle', de: 'Durchschnittliche Vertriebszykluslänge' },
  description: 'mean of (close date - open date) in days over opportunities closed in the period',
  unit: 'duration',
  direction: 'lower',
  dimensions: dealDimensions,
  reference: 'HubSpot, "Sales cycle length" (average days from first contact/creation to close)',
  measures: { won, lost, days: measure.avg(closedDeals, cycle) },
  value: (m) => (m.days === null ? { value: null, reason: 'no closed opportunities' } : m.days),
  sampleSize: (m) => m.won + m.lost,
});

/**
 * Median sales cycle in days over the opportunities closed in the period.
 *
 * @example
 * const { 'closing.medianSalesCycle': cycle } = await scope.kpis.evaluate(['closing.medianSalesCycle']);
 */
export const medianSalesCycle = defineKpi({
  id: 'closing.medianSalesCycle',
  group: 'closing',
  title: { en: 'Median sales cycle', de: 'Median der Vertriebszykluslänge' },
  description: 'median of (close date - open date) in days over opportunities closed in the period',
  unit: 'duration',
  direction: 'lower',
  dimensions: dealDimensions,
  reference: 'HubSpot, "Sales cycle length"; median as its robust counterpart',
  measures: { won, lost, days: measure.median(closedDeals, cycle) },
  value: (m) => (m.days === null ? { value: null, reason: 'no closed opportunities' } : m.days),
  sampleSize: (m) => m.won + m.lost,
});

/**
 * Quota attainment: won revenue / quota of the reps, for quotas whose period starts in the
 * evaluated period.
 *
 * @example
 * const { 'closing.quotaAttainment': q } = await scope.kpis.evaluate(['closing.quotaAttainment'], { period: '2026-Q1', by: 'owner' });
 */
export const quotaAttainment = defineKpi({
  id: 'closing.quotaAttainment',
  group: 'closing',
  title: { en: 'Quota attainment', de: 'Zielerreichung' },
  description:
    'won revenue / quota: won amounts of the period over the personal quotas starting in it (1 = 100%)',
  unit: 'ratio',
  direction: 'higher',
  dimensions: ['owner', 'team'],
  reference: 'Salesforce Help, "Quota attainment" (closed won amount / quota amount)',
  measures: { won, wonAmount, quota: measure.sum(repQuotas, { money: 'amount' }) },
  value: (m) => kpiDivide(m.wonAmount, m.quota, 'no quota in the period'),
  sampleSize: (m) => m.won,
});

/**
 * Lost opportunities, to be broken down by `lostReason` (the loss reasons report).
 *
 * @example
 * const { 'closing.lossReasons': lossReasons } = await scope.kpis.evaluate(['closing.lossReasons'], { by: 'lostReason' });
 */
export const lossReasons = defineKpi({
  id: 'closing.lossReasons',
  group: 'closing',
  title: { en: 'Loss reasons', de: 'Verlustgründe' },
  description:
    'number of opportunities lost in the period; break down by lostReason for the reasons',
  unit: 'count',
  direction: 'lower',
  dimensions: [...dealDimensions, 'lostReason'],
  reference: 'Salesforce standard report "Opportunities lost by reason" (count by Loss Reason)',
  measures: { lost },
  value: (m) => m.lost,
  sampleSize: (m) => m.lost,
});

/**
 * Every closing KPI, in dashboard order.
 *
 * @example
 * const ids = closingKpis.map((kpi) => kpi.id);
 */
export const closingKpis = [
  winRate,
  wonRevenue,
  averageDealSize,
  medianDealSize,
  averageSalesCycle,
  medianSalesCycle,
  quotaAttainment,
  lossReasons,
] as const;
