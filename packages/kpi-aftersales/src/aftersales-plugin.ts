import { definePlugin } from '@rapport/core';
import type { AftersalesOptions } from './aftersales-options.js';
import { historicalLifetimeValue, predictiveLifetimeValue } from './lifetime-value-kpis.js';
import { crossSellRate, repeatPurchaseRate } from './purchase-kpis.js';
import {
  arpa,
  churnRate,
  expansionRevenue,
  grossRevenueRetention,
  netRevenueRetention,
  revenueChurn,
} from './retention-kpis.js';

/**
 * Every aftersales KPI, in dashboard order, with the given options (gross margin).
 *
 * @example
 * const ids = aftersalesKpis().map((kpi) => kpi.id);
 */
export function aftersalesKpis(options: AftersalesOptions = {}) {
  return [
    churnRate,
    revenueChurn,
    grossRevenueRetention,
    netRevenueRetention,
    expansionRevenue,
    arpa,
    historicalLifetimeValue,
    predictiveLifetimeValue(options),
    repeatPurchaseRate,
    crossSellRate,
  ] as const;
}

/**
 * The aftersales KPIs as a plugin with options: `grossMargin` (default 0.8) for predictive
 * lifetime value.
 *
 * @example
 * const crm = createCrm({ storage: sqliteStorage(), plugins: [createAftersalesPlugin({ grossMargin: 0.65 })] });
 */
export function createAftersalesPlugin(options: AftersalesOptions = {}) {
  return definePlugin({ id: 'aftersales', kpis: aftersalesKpis(options) });
}

/**
 * The aftersales KPIs as a plugin with the default options: churn, revenue churn, gross and net
 * revenue retention, expansion revenue, ARPA, lifetime value, repeat purchase and cross-sell.
 *
 * @example
 * const crm = createCrm({ storage: sqliteStorage(), plugins: [aftersalesPlugin] });
 * const results = await crm.tenant('acme').system().kpis.evaluate(['aftersales.churnRate'], { period: '2026-03' });
 */
export const aftersalesPlugin = createAftersalesPlugin();
