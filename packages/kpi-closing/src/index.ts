/**
 * `@rapport/kpi-closing`: win rate, won revenue, deal size, sales cycle, quota attainment and
 * loss reasons, as a Rapport plugin.
 *
 * @packageDocumentation
 */

// Core's shared sources, re-exported for the plugins written against this one's earlier API.
export { closedDeals, repQuotas } from '@rapport/core';
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
