import { z } from 'zod';
import {
  dateSchema,
  idSchema,
  longText,
  minorUnitsSchema,
  optionalCurrency,
  optionalRef,
  optionalText,
  percentSchema,
  plainText,
  requiredText as text,
  timestampSchema,
} from './field-schemas.js';
import { defineObject } from './object-definition.js';
import { activityTypes, contractStatuses, forecastCategories, stageStatuses } from './picklists.js';

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
  columns: {
    name: 'text',
    family: 'text',
    productCode: 'text',
    listPrice: 'money',
    currency: 'text',
  },
  readonlyFields: [],
  references: {},
  access: 'shared',
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
  columns: { name: 'text', stages: 'json' },
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
    description: longText.nullable().optional(),
    /**
     * The product of the line item with the largest total (ties: the smallest line item id);
     * null without line items. Kept by the engine as line items change.
     */
    mainProductId: optionalRef,
  }),
  columns: {
    name: 'text',
    accountId: 'text',
    ownerId: 'text',
    pipelineId: 'text',
    stage: 'text',
    status: 'text',
    amount: 'money',
    currency: 'text',
    probability: 'number',
    forecastCategory: 'text',
    openDate: 'date',
    closeDate: 'date',
    type: 'text',
    leadSource: 'text',
    campaignId: 'text',
    nextStep: 'text',
    lostReason: 'text',
    description: 'text',
    mainProductId: 'text',
  },
  readonlyFields: ['status', 'mainProductId'],
  references: {
    accountId: 'account',
    ownerId: 'user',
    pipelineId: 'pipeline',
    campaignId: 'campaign',
  },
  access: 'owned',
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
  columns: {
    opportunityId: 'text',
    productId: 'text',
    quantity: 'number',
    unitPrice: 'money',
    discount: 'number',
    totalPrice: 'money',
    currency: 'text',
  },
  readonlyFields: ['totalPrice', 'currency'],
  references: { opportunityId: 'opportunity', productId: 'product' },
  access: 'opportunity',
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
    description: longText.nullable().optional(),
  }),
  columns: {
    type: 'text',
    subject: 'text',
    ownerId: 'text',
    leadId: 'text',
    contactId: 'text',
    accountId: 'text',
    opportunityId: 'text',
    dueAt: 'timestamp',
    completedAt: 'timestamp',
    description: 'text',
  },
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
    currency: plainText,
    probability: percentSchema,
    previousProbability: percentSchema.nullable(),
    forecastCategory: z.enum(forecastCategories),
    closeDate: dateSchema,
    previousCloseDate: dateSchema.nullable(),
    /**
     * When the deal left this entry's stage: the first later entry of the deal in another stage;
     * null while it stays. Kept by the engine as the deal's history grows.
     */
    exitedAt: timestampSchema.nullable().optional(),
    /**
     * When the deal first moved on from this entry's stage to another stage that is not lost
     * (what stage conversion counts as advanced); null if it never did. Kept by the engine.
     */
    advancedAt: timestampSchema.nullable().optional(),
  }),
  columns: {
    opportunityId: 'text',
    stage: 'text',
    previousStage: 'text',
    status: 'text',
    amount: 'money',
    previousAmount: 'money',
    currency: 'text',
    probability: 'number',
    previousProbability: 'number',
    forecastCategory: 'text',
    closeDate: 'date',
    previousCloseDate: 'date',
    exitedAt: 'timestamp',
    advancedAt: 'timestamp',
  },
  readonlyFields: ['exitedAt', 'advancedAt'],
  references: { opportunityId: 'opportunity' },
  access: 'opportunity',
  engineOnly: true,
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
  columns: {
    ownerId: 'text',
    teamId: 'text',
    periodStart: 'date',
    periodEnd: 'date',
    amount: 'money',
    currency: 'text',
  },
  readonlyFields: [],
  references: { ownerId: 'user', teamId: 'team' },
  access: 'assigned',
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
  columns: {
    accountId: 'text',
    productId: 'text',
    ownerId: 'text',
    status: 'text',
    startDate: 'date',
    endDate: 'date',
    monthlyAmount: 'money',
    currency: 'text',
    renewalOfId: 'text',
  },
  readonlyFields: [],
  references: {
    accountId: 'account',
    productId: 'product',
    ownerId: 'user',
    renewalOfId: 'contract',
  },
  access: 'owned',
});
