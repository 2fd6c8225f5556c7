import { z } from 'zod';
import {
  dateSchema,
  idSchema,
  minorUnitsSchema,
  optionalCurrency,
  optionalRef,
  optionalText,
  percentSchema,
  timestampSchema,
} from './field-schemas.js';
import { defineObject } from './object-definition.js';

const text = z.string().min(1).max(255);

/** Forecast categories, as in Salesforce. */
export const forecastCategories = ['Pipeline', 'BestCase', 'Commit', 'Closed', 'Omitted'] as const;
/** Whether a stage is open, won or lost. */
export const stageStatuses = ['open', 'won', 'lost'] as const;
/** Lead statuses, as in Salesforce's default lead process. */
export const leadStatuses = [
  'Open - Not Contacted',
  'Working - Contacted',
  'Closed - Converted',
  'Closed - Not Converted',
] as const;
/** Activity types. */
export const activityTypes = ['task', 'call', 'meeting', 'email'] as const;
/** User roles, which decide visibility. */
export const userRoles = ['admin', 'manager', 'rep'] as const;
/** Contract statuses. */
export const contractStatuses = ['Draft', 'Activated', 'Cancelled', 'Expired'] as const;

/** A sales user: rep, manager or admin; `managerId` builds the hierarchy visibility follows. */
export const userObject = defineObject({
  name: 'user',
  table: 'users',
  fields: z.strictObject({
    name: text,
    email: z.email().nullable().optional(),
    role: z.enum(userRoles).default('rep'),
    managerId: optionalRef,
    teamId: optionalRef,
    region: optionalText,
  }),
  readonlyFields: [],
  references: { managerId: 'user', teamId: 'team' },
  access: 'shared',
});

/** A sales team. */
export const teamObject = defineObject({
  name: 'team',
  table: 'teams',
  fields: z.strictObject({ name: text, managerId: optionalRef, region: optionalText }),
  readonlyFields: [],
  references: { managerId: 'user' },
  access: 'shared',
});

/** A customer or prospect company (Salesforce Account). */
export const accountObject = defineObject({
  name: 'account',
  table: 'accounts',
  fields: z.strictObject({
    name: text,
    ownerId: idSchema.optional(),
    industry: optionalText,
    type: optionalText,
    segment: optionalText,
    billingCountry: optionalText,
    annualRevenue: z.number().nonnegative().nullable().optional(),
    numberOfEmployees: z.number().int().nonnegative().nullable().optional(),
    yearStarted: z.number().int().min(1000).max(3000).nullable().optional(),
    parentId: optionalRef,
  }),
  readonlyFields: [],
  references: { ownerId: 'user', parentId: 'account' },
  access: 'owned',
});

/** A person at an account (Salesforce Contact). */
export const contactObject = defineObject({
  name: 'contact',
  table: 'contacts',
  fields: z.strictObject({
    lastName: text,
    firstName: optionalText,
    accountId: optionalRef,
    ownerId: idSchema.optional(),
    email: z.email().nullable().optional(),
    phone: optionalText,
    title: optionalText,
    leadSource: optionalText,
  }),
  readonlyFields: [],
  references: { accountId: 'account', ownerId: 'user' },
  access: 'owned',
});

/** A marketing campaign with budgeted and actual cost in minor units. */
export const campaignObject = defineObject({
  name: 'campaign',
  table: 'campaigns',
  fields: z.strictObject({
    name: text,
    type: optionalText,
    status: optionalText,
    startDate: dateSchema.nullable().optional(),
    endDate: dateSchema.nullable().optional(),
    budgetedCost: minorUnitsSchema.default(0),
    actualCost: minorUnitsSchema.default(0),
    currency: optionalCurrency,
  }),
  readonlyFields: [],
  references: {},
  access: 'shared',
  moneyFields: ['budgetedCost', 'actualCost'],
});

/** A prospect before qualification (Salesforce Lead). */
export const leadObject = defineObject({
  name: 'lead',
  table: 'leads',
  fields: z.strictObject({
    lastName: text,
    firstName: optionalText,
    company: text,
    email: z.email().nullable().optional(),
    phone: optionalText,
    title: optionalText,
    status: z.enum(leadStatuses).default('Open - Not Contacted'),
    leadSource: optionalText,
    campaignId: optionalRef,
    ownerId: idSchema.optional(),
    rating: optionalText,
    convertedAt: timestampSchema.nullable().optional(),
    convertedAccountId: optionalRef,
    convertedContactId: optionalRef,
    convertedOpportunityId: optionalRef,
  }),
  readonlyFields: [
    'convertedAt',
    'convertedAccountId',
    'convertedContactId',
    'convertedOpportunityId',
  ],
  references: {
    campaignId: 'campaign',
    ownerId: 'user',
    convertedAccountId: 'account',
    convertedContactId: 'contact',
    convertedOpportunityId: 'opportunity',
  },
  access: 'owned',
});

/** A product with a list price in minor units. */
export const productObject = defineObject({
  name: 'product',
  table: 'products',
  fields: z.strictObject({
    name: text,
    family: optionalText,
    productCode: optionalText,
    listPrice: minorUnitsSchema.default(0),
    currency: optionalCurrency,
  }),
  readonlyFields: [],
  references: {},
  access: 'shared',
  moneyFields: ['listPrice'],
});

/** One stage of a pipeline. */
export const pipelineStageSchema = z.strictObject({
  name: text,
  probability: percentSchema,
  forecastCategory: z.enum(forecastCategories),
  status: z.enum(stageStatuses),
});

/** A sales process: an ordered list of stages with probability, forecast category and status. */
export const pipelineObject = defineObject({
  name: 'pipeline',
  table: 'pipelines',
  fields: z.strictObject({
    name: text,
    stages: z
      .array(pipelineStageSchema)
      .min(2)
      .superRefine((stages, ctx) => {
        const names = new Set<string>();
        for (const [index, stage] of stages.entries()) {
          if (names.has(stage.name)) {
            ctx.addIssue({
              code: 'custom',
              path: [index, 'name'],
              message: `duplicate stage ${stage.name}`,
            });
          }
          names.add(stage.name);
        }
        for (const status of ['open', 'won', 'lost'] as const) {
          if (!stages.some((s) => s.status === status)) {
            ctx.addIssue({ code: 'custom', message: `needs at least one ${status} stage` });
          }
        }
      }),
  }),
  readonlyFields: [],
  references: {},
  access: 'shared',
});

/** A deal (Salesforce Opportunity). `status`, and by default probability and forecast category, follow the stage. */
export const opportunityObject = defineObject({
  name: 'opportunity',
  table: 'opportunities',
  fields: z.strictObject({
    name: text,
    accountId: optionalRef,
    ownerId: idSchema.optional(),
    pipelineId: idSchema.optional(),
    stage: text.optional(),
    status: z.enum(stageStatuses).optional(),
    amount: minorUnitsSchema.nullable().optional(),
    currency: optionalCurrency,
    probability: percentSchema.optional(),
    forecastCategory: z.enum(forecastCategories).optional(),
    openDate: dateSchema.optional(),
    closeDate: dateSchema,
    type: optionalText,
    leadSource: optionalText,
    campaignId: optionalRef,
    nextStep: optionalText,
    lostReason: optionalText,
    description: z.string().max(32_000).nullable().optional(),
  }),
  readonlyFields: ['status'],
  references: {
    accountId: 'account',
    ownerId: 'user',
    pipelineId: 'pipeline',
    campaignId: 'campaign',
  },
  access: 'owned',
  moneyFields: ['amount'],
});

/** A product on an opportunity; the opportunity amount is the sum of its line items' totals. */
export const lineItemObject = defineObject({
  name: 'lineItem',
  table: 'opportunityLineItems',
  fields: z.strictObject({
    opportunityId: idSchema,
    productId: idSchema,
    quantity: z.number().positive().max(1e9),
    unitPrice: minorUnitsSchema.optional(),
    discount: percentSchema.default(0),
    totalPrice: minorUnitsSchema.optional(),
    currency: optionalCurrency,
  }),
  readonlyFields: ['totalPrice', 'currency'],
  references: { opportunityId: 'opportunity', productId: 'product' },
  access: 'opportunity',
  moneyFields: ['unitPrice', 'totalPrice'],
});

/** A task, call, meeting or email, linked to a lead or contact and an account or opportunity. */
export const activityObject = defineObject({
  name: 'activity',
  table: 'activities',
  fields: z.strictObject({
    type: z.enum(activityTypes),
    subject: text,
    ownerId: idSchema.optional(),
    leadId: optionalRef,
    contactId: optionalRef,
    accountId: optionalRef,
    opportunityId: optionalRef,
    dueAt: timestampSchema.nullable().optional(),
    completedAt: timestampSchema.nullable().optional(),
    description: z.string().max(32_000).nullable().optional(),
  }),
  readonlyFields: [],
  references: {
    ownerId: 'user',
    leadId: 'lead',
    contactId: 'contact',
    accountId: 'account',
    opportunityId: 'opportunity',
  },
  access: 'owned',
});

/** One change of an opportunity's stage, amount, probability or close date (Salesforce OpportunityHistory). */
export const stageHistoryObject = defineObject({
  name: 'stageHistory',
  table: 'stageHistory',
  fields: z.strictObject({
    opportunityId: idSchema,
    stage: text,
    previousStage: text.nullable(),
    status: z.enum(stageStatuses),
    amount: minorUnitsSchema.nullable(),
    previousAmount: minorUnitsSchema.nullable(),
    currency: z.string(),
    probability: percentSchema,
    previousProbability: percentSchema.nullable(),
    forecastCategory: z.enum(forecastCategories),
    closeDate: dateSchema,
    previousCloseDate: dateSchema.nullable(),
  }),
  readonlyFields: [],
  references: { opportunityId: 'opportunity' },
  access: 'opportunity',
  engineOnly: true,
  moneyFields: ['amount', 'previousAmount'],
});

/** A sales target for a user or a team over a period of days (inclusive). */
export const quotaObject = defineObject({
  name: 'quota',
  table: 'quotas',
  fields: z.strictObject({
    ownerId: optionalRef,
    teamId: optionalRef,
    periodStart: dateSchema,
    periodEnd: dateSchema,
    amount: minorUnitsSchema,
    currency: optionalCurrency,
  }),
  readonlyFields: [],
  references: { ownerId: 'user', teamId: 'team' },
  access: 'shared',
  moneyFields: ['amount'],
});

/** A recurring-revenue agreement with an account: what aftersales KPIs count. */
export const contractObject = defineObject({
  name: 'contract',
  table: 'contracts',
  fields: z.strictObject({
    accountId: idSchema,
    productId: optionalRef,
    ownerId: idSchema.optional(),
    status: z.enum(contractStatuses).default('Activated'),
    startDate: dateSchema,
    endDate: dateSchema.nullable().optional(),
    monthlyAmount: minorUnitsSchema,
    currency: optionalCurrency,
    renewalOfId: optionalRef,
  }),
  readonlyFields: [],
  references: {
    accountId: 'account',
    productId: 'product',
    ownerId: 'user',
    renewalOfId: 'contract',
  },
  access: 'owned',
  moneyFields: ['monthlyAmount'],
});

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
