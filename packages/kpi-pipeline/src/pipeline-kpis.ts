import { closedDeals, defineKpi, kpiDivide, measure, repQuotas } from '@rapport/core';
import { openDeals, openDealsByCloseDate } from './pipeline-sources.js';

/**
 * Dimensions of KPIs over opportunities.
 *
 * @example
 * dealDimensions.includes('stage'); // true
 */
export const dealDimensions = [
  'owner',
  'team',
  'stage',
  'product',
  'productFamily',
  'leadSource',
  'campaign',
  'accountSegment',
  'custom',
] as const;

const openDealCount = measure.count(openDeals);
const openAmount = measure.sum(openDeals, { money: 'amount' });

/**
 * Open opportunities now, by stage or any deal dimension.
 *
 * @example
 * const { 'pipeline.openCount': open } = await scope.kpis.evaluate(['pipeline.openCount'], { by: 'stage' });
 */
export const openCount = defineKpi({
  id: 'pipeline.openCount',
  group: 'pipeline',
  title: { en: 'Open opportunities', de: 'Offene Verkaufschancen' },
  description: 'number of open opportunities now (a snapshot)',
  unit: 'count',
  direction: 'neutral',
  dimensions: dealDimensions,
  reference:
    'Salesforce standard report "Opportunity Pipeline" (record count of open opportunities)',
  measures: { openDealCount },
  value: (m) => m.openDealCount,
});

/**
 * Open pipeline value: the amounts of open opportunities now, in the base currency.
 *
 * @example
 * const { 'pipeline.openValue': value } = await scope.kpis.evaluate(['pipeline.openValue'], { by: 'stage' });
 */
export const openValue = defineKpi({
  id: 'pipeline.openValue',
  group: 'pipeline',
  title: { en: 'Open pipeline value', de: 'Offenes Pipeline-Volumen' },
  description: 'sum of amount of open opportunities now, converted to the base currency',
  unit: 'money',
  direction: 'higher',
  dimensions: dealDimensions,
  reference:
    'Salesforce standard report "Opportunity Pipeline" (sum of Amount of open opportunities)',
  measures: { openDealCount, openAmount },
  value: (m) => m.openAmount,
  sampleSize: (m) => m.openDealCount,
});

/**
 * Weighted pipeline: amount x probability of open opportunities, in the base currency.
 *
 * @example
 * const { 'pipeline.weightedValue': weighted } = await scope.kpis.evaluate(['pipeline.weightedValue']);
 */
export const weightedValue = defineKpi({
  id: 'pipeline.weightedValue',
  group: 'pipeline',
  title: { en: 'Weighted pipeline', de: 'Gewichtete Pipeline' },
  description: 'sum of amount x probability / 100 of open opportunities now, in the base currency',
  unit: 'money',
  direction: 'higher',
  dimensions: dealDimensions,
  reference: 'Salesforce "Expected Revenue" (Amount x Probability), summed over open opportunities',
  measures: {
    openDealCount,
    weighted: measure.sum(openDeals, { times: [{ money: 'amount' }, 'probability'] }),
  },
  value: (m) => m.weighted / 100,
  sampleSize: (m) => m.openDealCount,
});

const closingCount = measure.count(openDealsByCloseDate);
const closingAmount = measure.sum(openDealsByCloseDate, { money: 'amount' });

/**
 * Expected close volume: amounts of open opportunities whose close date is in the period.
 *
 * @example
 * const { 'pipeline.expectedCloseVolume': volume } = await scope.kpis.evaluate(['pipeline.expectedCloseVolume'], { period: '2026-Q3' });
 */
export const expectedCloseVolume = defineKpi({
  id: 'pipeline.expectedCloseVolume',
  group: 'pipeline',
  title: { en: 'Expected close volume', de: 'Erwartetes Abschlussvolumen' },
  description:
    'sum of amount of open opportunities with a close date in the period, in the base currency',
  unit: 'money',
  direction: 'higher',
  dimensions: dealDimensions,
  reference: 'Salesforce forecasting: open pipeline by close date within the forecast period',
  measures: { closingCount, closingAmount },
  value: (m) => m.closingAmount,
  sampleSize: (m) => m.closingCount,
});

/**
 * Pipeline coverage: open pipeline closing in the period / remaining quota (quota - won).
 *
 * @example
 * const { 'pipeline.coverage': coverage } = await scope.kpis.evaluate(['pipeline.coverage'], { period: '2026-Q3', by: 'owner' });
 */
export const coverage = defineKpi({
  id: 'pipeline.coverage',
  group: 'pipeline',
  title: { en: 'Pipeline coverage', de: 'Pipeline-Abdeckung' },
  description:
    'open amount closing in the period / (quota of the period - amount won in the period); 3 = 3x coverage',
  unit: 'ratio',
  direction: 'higher',
  dimensions: ['owner', 'team'],
  reference:
    'Pipeline coverage ratio = pipeline / remaining quota (Gartner, Salesforce "pipeline coverage")',
  measures: {
    closingCount,
    closingAmount,
    quota: measure.sum(repQuotas, { money: 'amount' }),
    wonAmount: measure.sum(closedDeals, { money: 'amount' }, { status: 'won' }),
  },
  value: (m) => {
    if (m.quota === 0) return { value: null, reason: 'no quota in the period' };
    const remaining = m.quota - m.wonAmount;
    return remaining > 0
      ? kpiDivide(m.closingAmount, remaining)
      : { value: null, reason: 'quota already met' };
  },
  sampleSize: (m) => m.closingCount,
});

/**
 * Sales velocity: open opportunities x average won deal x win rate / average sales cycle: the
 * revenue the pipeline produces per day.
 *
 * @example
 * const { 'pipeline.salesVelocity': velocity } = await scope.kpis.evaluate(['pipeline.salesVelocity'], { period: '2026-Q2' });
 */
export const salesVelocity = defineKpi({
  id: 'pipeline.salesVelocity',
  group: 'pipeline',
  title: { en: 'Sales velocity', de: 'Vertriebsgeschwindigkeit' },
  description:
    'open opportunities x average won amount x win rate / average sales cycle (days), from deals closed in the period; money per day',
  unit: 'money',
  direction: 'higher',
  dimensions: [
    'owner',
    'team',
    'product',
    'productFamily',
    'leadSource',
    'campaign',
    'accountSegment',
    'custom',
  ],
  reference:
    'Sales velocity = (# opportunities x deal value x win rate) / sales cycle length (Salesforce, HubSpot "sales velocity")',
  measures: {
    openDealCount,
    won: measure.count(closedDeals, { status: 'won' }),
    lost: measure.count(closedDeals, { status: 'lost' }),
    wonAmount: measure.sum(closedDeals, { money: 'amount' }, { status: 'won' }),
    cycle: measure.avg(closedDeals, { daysBetween: ['openDate', 'closeDate'] }),
  },
  value: (m) => {
    if (m.won === 0) return { value: null, reason: 'no won opportunities' };
    if (m.cycle === null || m.cycle <= 0) return { value: null, reason: 'no sales cycle' };
    const winRate = m.won / (m.won + m.lost);
    return (m.openDealCount * (m.wonAmount / m.won) * winRate) / m.cycle;
  },
  sampleSize: (m) => m.won + m.lost,
});
