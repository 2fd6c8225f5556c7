import { definePlugin } from '@rapport/core';
import { leadKpis } from './lead-kpis.js';

/**
 * The lead generation and lead quality KPIs as a plugin: new leads, cost per lead, conversion
 * to opportunity and to won, time to first activity, cost per won customer, revenue per lead.
 *
 * @example
 * const crm = createCrm({ storage: sqliteStorage(), plugins: [leadsPlugin] });
 * const results = await crm.tenant('acme').system().kpis.evaluate(['leads.costPerLead'], { period: '2026-Q1', by: 'campaign' });
 */
export const leadsPlugin = definePlugin({ id: 'leads', kpis: leadKpis });
