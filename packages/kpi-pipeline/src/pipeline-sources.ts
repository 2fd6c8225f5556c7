import { kpiSource } from '@rapport/core';

/**
 * Open opportunities now (a snapshot: the period does not cut it).
 *
 * @example
 * const open = measure.count(openDeals);
 */
export const openDeals = kpiSource({ object: 'opportunity', where: { status: 'open' } });

/**
 * Open opportunities whose expected close date falls in the period.
 *
 * @example
 * const closing = measure.sum(openDealsByCloseDate, { money: 'amount' });
 */
export const openDealsByCloseDate = kpiSource({
  object: 'opportunity',
  where: { status: 'open' },
  date: 'closeDate',
});

/**
 * Opportunities closed (won or lost) in the period. The same source as `@rapport/kpi-closing`'s,
 * so KPIs of both plugins fuse into one query (sources are compared by content).
 *
 * @example
 * const won = measure.count(closedDeals, { status: 'won' });
 */
export const closedDeals = kpiSource({
  object: 'opportunity',
  where: { status: { in: ['won', 'lost'] } },
  date: 'closeDate',
});

/**
 * Personal quotas whose period starts in the evaluated period.
 *
 * @example
 * const quota = measure.sum(repQuotas, { money: 'amount' });
 */
export const repQuotas = kpiSource({
  object: 'quota',
  where: { ownerId: { isNull: false } },
  date: 'periodStart',
});

/**
 * Entries into an open stage (stage history rows of open stages), by the time they happened.
 *
 * @example
 * const entries = await (await ctx.source(stageEntries, 'h')).select('h.stage').execute();
 */
export const stageEntries = kpiSource({
  object: 'stageHistory',
  where: { status: 'open' },
  date: 'createdAt',
});
