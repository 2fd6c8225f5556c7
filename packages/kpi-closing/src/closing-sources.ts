import { kpiSource } from '@rapport/core';

/**
 * Opportunities closed (won or lost) in the period, by close date. Every closing KPI over deals
 * reads this one source, so the engine computes them all in one query.
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
 * Personal quotas (with an owner) whose period starts in the evaluated period.
 *
 * @example
 * const quota = measure.sum(repQuotas, { money: 'amount' });
 */
export const repQuotas = kpiSource({
  object: 'quota',
  where: { ownerId: { isNull: false } },
  date: 'periodStart',
});
