/**
 * The system columns every generated row carries, as stored in core's tables (camelCase here,
 * snake_case in SQL through kysely's CamelCasePlugin).
 */
export interface GeneratedBase {
  readonly tenantId: string;
  readonly id: string;
  readonly version: number;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
  readonly externalId: string;
  /** Custom fields: none; `null` reads back as `{}`. */
  readonly custom: null;
}

/** A row of `teams`. */
export interface GeneratedTeam extends GeneratedBase {
  readonly name: string;
  readonly managerId: string | null;
  readonly region: string | null;
}

/** A row of `users`. */
export interface GeneratedUser extends GeneratedBase {
  readonly name: string;
  readonly email: string | null;
  readonly role: 'admin' | 'manager' | 'rep';
  readonly managerId: string | null;
  readonly teamId: string | null;
  readonly region: string | null;
}

/** A row of `accounts`. */
export interface GeneratedAccount extends GeneratedBase {
  readonly name: string;
  readonly ownerId: string;
  readonly industry: string | null;
  readonly type: string | null;
  readonly segment: string | null;
  readonly billingCountry: string | null;
  readonly annualRevenue: number | null;
  readonly numberOfEmployees: number | null;
  readonly yearStarted: number | null;
  readonly parentId: string | null;
}

/** A row of `products`. */
export interface GeneratedProduct extends GeneratedBase {
  readonly name: string;
  readonly family: string | null;
  readonly productCode: string | null;
  readonly listPrice: number;
  readonly currency: string;
}

/** A row of `campaigns`. */
export interface GeneratedCampaign extends GeneratedBase {
  readonly name: string;
  readonly type: string | null;
  readonly status: string | null;
  readonly startDate: string | null;
  readonly endDate: string | null;
  readonly budgetedCost: number;
  readonly actualCost: number;
  readonly currency: string;
}

/** A row of `leads`. */
export interface GeneratedLead extends GeneratedBase {
  readonly lastName: string;
  readonly firstName: string | null;
  readonly company: string;
  readonly email: string | null;
  readonly phone: string | null;
  readonly title: string | null;
  readonly status: string;
  readonly leadSource: string | null;
  readonly campaignId: string | null;
  readonly ownerId: string;
  readonly rating: string | null;
  readonly convertedAt: string | null;
  readonly convertedAccountId: string | null;
  readonly convertedContactId: string | null;
  readonly convertedOpportunityId: string | null;
}

/** A row of `opportunities`. */
export interface GeneratedOpportunity extends GeneratedBase {
  readonly name: string;
  readonly accountId: string | null;
  readonly ownerId: string;
  readonly pipelineId: string;
  readonly stage: string;
  readonly status: 'open' | 'won' | 'lost';
  readonly amount: number | null;
  readonly currency: string;
  readonly probability: number;
  readonly forecastCategory: string;
  readonly openDate: string;
  readonly closeDate: string;
  readonly type: string | null;
  readonly leadSource: string | null;
  readonly campaignId: string | null;
  readonly nextStep: string | null;
  readonly lostReason: string | null;
  readonly description: string | null;
}

/** A row of `stageHistory`: one change of an opportunity's stage. */
export interface GeneratedStageHistory extends GeneratedBase {
  readonly opportunityId: string;
  readonly stage: string;
  readonly previousStage: string | null;
  readonly status: 'open' | 'won' | 'lost';
  readonly amount: number | null;
  readonly previousAmount: number | null;
  readonly currency: string;
  readonly probability: number;
  readonly previousProbability: number | null;
  readonly forecastCategory: string;
  readonly closeDate: string;
  readonly previousCloseDate: string | null;
}

/** A row of `activities`. */
export interface GeneratedActivity extends GeneratedBase {
  readonly type: 'task' | 'call' | 'meeting' | 'email';
  readonly subject: string;
  readonly ownerId: string;
  readonly leadId: string | null;
  readonly contactId: string | null;
  readonly accountId: string | null;
  readonly opportunityId: string | null;
  readonly dueAt: string | null;
  readonly completedAt: string | null;
  readonly description: string | null;
}

/** A row of `quotas`. */
export interface GeneratedQuota extends GeneratedBase {
  readonly ownerId: string | null;
  readonly teamId: string | null;
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly amount: number;
  readonly currency: string;
}

/** A row of `contracts`. */
export interface GeneratedContract extends GeneratedBase {
  readonly accountId: string;
  readonly productId: string | null;
  readonly ownerId: string;
  readonly status: 'Draft' | 'Activated' | 'Cancelled' | 'Expired';
  readonly startDate: string;
  readonly endDate: string | null;
  readonly monthlyAmount: number;
  readonly currency: string;
  readonly renewalOfId: string | null;
}

/**
 * Generated rows by core table name. The keys are the tables' TypeScript names, so a batch can be
 * inserted with `db.insertInto(batch.table).values(batch.rows)` on a kysely instance with the
 * CamelCasePlugin.
 */
export interface GeneratedTables {
  teams: GeneratedTeam;
  users: GeneratedUser;
  accounts: GeneratedAccount;
  products: GeneratedProduct;
  campaigns: GeneratedCampaign;
  leads: GeneratedLead;
  opportunities: GeneratedOpportunity;
  stageHistory: GeneratedStageHistory;
  activities: GeneratedActivity;
  quotas: GeneratedQuota;
  contracts: GeneratedContract;
}

/** The name of a table the generator writes. */
export type GeneratedTable = keyof GeneratedTables;

/**
 * Rows of one table. Batches come in an order that respects foreign keys: a row only references
 * rows of earlier batches (or of the same batch for self references).
 *
 * @example
 * for await (const batch of generateCrmData(options)) {
 *   if (batch.table === 'opportunities') batch.rows[0]?.amount; // typed per table
 * }
 */
export type GeneratedBatch = {
  [TTable in GeneratedTable]: { readonly table: TTable; readonly rows: GeneratedTables[TTable][] };
}[GeneratedTable];
