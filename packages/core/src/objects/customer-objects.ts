import { z } from 'zod';
import {
  dateSchema,
  idSchema,
  minorUnitsSchema,
  optionalCurrency,
  optionalRef,
  optionalText,
  requiredText as text,
  timestampSchema,
} from './field-schemas.js';
import { defineObject } from './object-definition.js';
import { leadStatuses, userRoles } from './picklists.js';

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
  columns: {
    name: 'text',
    email: 'text',
    role: 'text',
    managerId: 'text',
    teamId: 'text',
    region: 'text',
  },
  readonlyFields: [],
  references: { managerId: 'user', teamId: 'team' },
  access: 'shared',
});

/** A sales team. */
export const teamObject = defineObject({
  name: 'team',
  table: 'teams',
  fields: z.strictObject({ name: text, managerId: optionalRef, region: optionalText }),
  columns: { name: 'text', managerId: 'text', region: 'text' },
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
  columns: {
    name: 'text',
    ownerId: 'text',
    industry: 'text',
    type: 'text',
    segment: 'text',
    billingCountry: 'text',
    annualRevenue: 'number',
    numberOfEmployees: 'integer',
    yearStarted: 'integer',
    parentId: 'text',
  },
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
  columns: {
    lastName: 'text',
    firstName: 'text',
    accountId: 'text',
    ownerId: 'text',
    email: 'text',
    phone: 'text',
    title: 'text',
    leadSource: 'text',
  },
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
  columns: {
    name: 'text',
    type: 'text',
    status: 'text',
    startDate: 'date',
    endDate: 'date',
    budgetedCost: 'money',
    actualCost: 'money',
    currency: 'text',
  },
  readonlyFields: [],
  references: {},
  access: 'shared',
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
    /**
     * The status (`open`, `won`, `lost`) of the converted opportunity now, null without one; kept
     * by the engine as the deal moves (`sales/converted-status.ts`), so rollups can count won leads.
     */
    convertedOpportunityStatus: z.enum(['open', 'won', 'lost']).nullable().optional(),
    /** The converted opportunity's amount now (minor units of its currency); kept like its status. */
    convertedOpportunityAmount: minorUnitsSchema.nullable().optional(),
    /** The converted opportunity's currency now, the currency of `convertedOpportunityAmount`. */
    convertedOpportunityCurrency: optionalText,
    /** When the lead's first completed activity happened; kept by the engine as activities change. */
    firstActivityAt: timestampSchema.nullable().optional(),
  }),
  columns: {
    lastName: 'text',
    firstName: 'text',
    company: 'text',
    email: 'text',
    phone: 'text',
    title: 'text',
    status: 'text',
    leadSource: 'text',
    campaignId: 'text',
    ownerId: 'text',
    rating: 'text',
    convertedAt: 'timestamp',
    convertedAccountId: 'text',
    convertedContactId: 'text',
    convertedOpportunityId: 'text',
    convertedOpportunityStatus: 'text',
    convertedOpportunityAmount: 'money',
    convertedOpportunityCurrency: 'text',
    firstActivityAt: 'timestamp',
  },
  readonlyFields: [
    'convertedAt',
    'convertedAccountId',
    'convertedContactId',
    'convertedOpportunityId',
    'convertedOpportunityStatus',
    'convertedOpportunityAmount',
    'convertedOpportunityCurrency',
    'firstActivityAt',
  ],
  // What the lead keeps of its converted deal is for the KPI engine: a rep who may read the lead
  // but not the deal must not read the deal's status or amount through the lead.
  hiddenFields: [
    'convertedOpportunityStatus',
    'convertedOpportunityAmount',
    'convertedOpportunityCurrency',
  ],
  hiddenFrom: 'opportunity',
  currencyField: 'convertedOpportunityCurrency',
  references: {
    campaignId: 'campaign',
    ownerId: 'user',
    convertedAccountId: 'account',
    convertedContactId: 'contact',
    convertedOpportunityId: 'opportunity',
  },
  access: 'owned',
});
