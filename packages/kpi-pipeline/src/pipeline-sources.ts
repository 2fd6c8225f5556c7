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
