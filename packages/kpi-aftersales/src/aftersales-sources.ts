import { kpiSource } from '@rapport/core';

/**
 * The accounts the viewer can see: the customers every aftersales KPI counts. Their contracts and
 * won opportunities are read per account, so a breakdown by owner or segment is one of accounts.
 * No date field: whether an account is a customer on a day depends on its contracts.
 *
 * @example
 * const rows = await (await ctx.source(accounts, 'a')).select('a.id').execute();
 */
export const accounts = kpiSource({ object: 'account' });
