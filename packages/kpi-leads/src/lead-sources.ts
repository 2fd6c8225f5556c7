import { kpiSource } from '@rapport/core';

/**
 * Leads created in the period (by `createdAt`, cut in the tenant's time zone). Every lead KPI is a
 * cohort of this source: what became of the leads that came in during the period.
 *
 * @example
 * const leads = measure.count(newLeads);
 */
export const newLeads = kpiSource({ object: 'lead', date: 'createdAt' });
