import { definePlugin } from '@rapport/core';
import { closingKpis } from './closing-kpis.js';

/**
 * The closing KPIs as a plugin: win rate, won revenue, deal size, sales cycle, quota attainment
 * and loss reasons.
 *
 * @example
 * const crm = createCrm({ storage: sqliteStorage(), plugins: [closingPlugin] });
 * const results = await crm.tenant('acme').system().kpis.evaluate(['closing.winRate'], { period: '2026-Q1' });
 */
export const closingPlugin = definePlugin({ id: 'closing', kpis: closingKpis });
