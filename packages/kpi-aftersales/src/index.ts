/**
 * `@rapport/kpi-aftersales`: cross-sell and aftersales KPIs (customer and revenue churn, gross
 * and net revenue retention, expansion revenue, ARPA, lifetime value, repeat purchase rate,
 * cross-sell rate), as a Rapport plugin.
 *
 * @packageDocumentation
 */
export {
  type AftersalesOptions,
  defaultGrossMargin,
  grossMarginOf,
} from './aftersales-options.js';
export { aftersalesKpis, aftersalesPlugin, createAftersalesPlugin } from './aftersales-plugin.js';
export { accounts } from './aftersales-sources.js';
export { type CustomerDays, customerDays } from './customer-days.js';
export { type CustomerPurchaseFacts, customerPurchases } from './customer-purchases.js';
export { type CustomerRevenueFacts, customerRevenue } from './customer-revenue.js';
export { historicalLifetimeValue, predictiveLifetimeValue } from './lifetime-value-kpis.js';
export { crossSellRate, repeatPurchaseRate } from './purchase-kpis.js';
export {
  arpa,
  churnRate,
  customerDimensions,
  expansionRevenue,
  grossRevenueRetention,
  netRevenueRetention,
  revenueChurn,
} from './retention-kpis.js';
