/**
 * `@rapport/kpi-closing`: win rate, won revenue, deal size, sales cycle, quota attainment and
 * loss reasons, as a Rapport plugin.
 *
 * @packageDocumentation
 */
export {
  averageDealSize,
  averageSalesCycle,
  closingKpis,
  lossReasons,
  medianDealSize,
  medianSalesCycle,
  quotaAttainment,
  winRate,
  wonRevenue,
} from './closing-kpis.js';
export { closingPlugin } from './closing-plugin.js';
export { closedDeals, repQuotas } from './closing-sources.js';
