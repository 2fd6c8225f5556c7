import type { z } from 'zod';
import {
  accountObject,
  campaignObject,
  contactObject,
  leadObject,
  teamObject,
  userObject,
} from './customer-objects.js';
import {
  activityObject,
  contractObject,
  lineItemObject,
  opportunityObject,
  pipelineObject,
  type pipelineStageSchema,
  productObject,
  quotaObject,
  stageHistoryObject,
} from './sales-objects.js';

export {
  accountObject,
  campaignObject,
  contactObject,
  leadObject,
  teamObject,
  userObject,
} from './customer-objects.js';
export {
  activityTypes,
  contractStatuses,
  forecastCategories,
  leadStatuses,
  stageStatuses,
  userRoles,
} from './picklists.js';
export {
  activityObject,
  contractObject,
  lineItemObject,
  opportunityObject,
  pipelineObject,
  pipelineStageSchema,
  productObject,
  quotaObject,
  stageHistoryObject,
} from './sales-objects.js';

/**
 * Every standard object by its name.
 *
 * @example
 * standardObjects.opportunity.table; // 'opportunities'
 */
export const standardObjects = {
  user: userObject,
  team: teamObject,
  account: accountObject,
  contact: contactObject,
  campaign: campaignObject,
  lead: leadObject,
  product: productObject,
  pipeline: pipelineObject,
  opportunity: opportunityObject,
  lineItem: lineItemObject,
  activity: activityObject,
  stageHistory: stageHistoryObject,
  quota: quotaObject,
  contract: contractObject,
} as const;

/** The standard objects' type map. */
export type StandardObjects = typeof standardObjects;

/** The name of a standard object: `'opportunity'`, `'lead'`, ... */
export type ObjectName = keyof StandardObjects;

/**
 * The Salesforce default sales process: ten stages with their default probabilities.
 *
 * @example
 * defaultPipelineStages[0]; // { name: 'Prospecting', probability: 10, ... }
 */
export const defaultPipelineStages = [
  { name: 'Prospecting', probability: 10, forecastCategory: 'Pipeline', status: 'open' },
  { name: 'Qualification', probability: 10, forecastCategory: 'Pipeline', status: 'open' },
  { name: 'Needs Analysis', probability: 20, forecastCategory: 'Pipeline', status: 'open' },
  { name: 'Value Proposition', probability: 50, forecastCategory: 'Pipeline', status: 'open' },
  { name: 'Id. Decision Makers', probability: 60, forecastCategory: 'Pipeline', status: 'open' },
  { name: 'Perception Analysis', probability: 70, forecastCategory: 'Pipeline', status: 'open' },
  { name: 'Proposal/Price Quote', probability: 75, forecastCategory: 'Pipeline', status: 'open' },
  { name: 'Negotiation/Review', probability: 90, forecastCategory: 'Pipeline', status: 'open' },
  { name: 'Closed Won', probability: 100, forecastCategory: 'Closed', status: 'won' },
  { name: 'Closed Lost', probability: 0, forecastCategory: 'Omitted', status: 'lost' },
] as const satisfies readonly z.input<typeof pipelineStageSchema>[];
