import type { SourceSystem } from './source-system.js';

// Column names are Salesforce's field API names, as Data Export (Setup > Data Export) and Data
// Loader write them; dates are ISO (CloseDate 2026-03-31, ConvertedDate 2026-03-31).
// OwnerId holds Salesforce user ids: import User.csv first or pass --owner.

/** Salesforce: Account, Contact, Lead, Opportunity, OpportunityHistory (stage changes). */
export const salesforce: SourceSystem = {
  id: 'salesforce',
  mappings: {
    account: {
      object: 'account',
      ignoreUnmapped: true,
      columns: {
        Id: 'externalId',
        Name: 'name',
        Type: 'type',
        Industry: 'industry',
        AnnualRevenue: 'annualRevenue',
        NumberOfEmployees: 'numberOfEmployees',
        BillingCountry: 'billingCountry',
        ParentId: 'parentId',
        CreatedDate: 'createdAt',
        OwnerId: null,
      },
    },
    contact: {
      object: 'contact',
      ignoreUnmapped: true,
      columns: {
        Id: 'externalId',
        AccountId: 'accountId',
        FirstName: 'firstName',
        LastName: 'lastName',
        Email: 'email',
        Phone: 'phone',
        Title: 'title',
        LeadSource: 'leadSource',
        CreatedDate: 'createdAt',
        OwnerId: null,
      },
    },
    lead: {
      object: 'lead',
      ignoreUnmapped: true,
      columns: {
        Id: 'externalId',
        FirstName: 'firstName',
        LastName: 'lastName',
        Company: 'company',
        Email: 'email',
        Phone: 'phone',
        Title: 'title',
        Status: 'status',
        LeadSource: 'leadSource',
        Rating: 'rating',
        IsConverted: {
          field: 'converted',
          values: { true: true, false: false, '1': true, '0': false },
        },
        ConvertedDate: 'convertedAt',
        ConvertedAccountId: 'convertedAccountId',
        ConvertedContactId: 'convertedContactId',
        ConvertedOpportunityId: 'convertedOpportunityId',
        CreatedDate: 'createdAt',
        OwnerId: null,
      },
    },
    opportunity: {
      object: 'opportunity',
      ignoreUnmapped: true,
      columns: {
        Id: 'externalId',
        AccountId: 'accountId',
        Name: 'name',
        StageName: 'stage',
        Amount: 'amount',
        CurrencyIsoCode: 'currency',
        CloseDate: 'closeDate',
        Probability: 'probability',
        Type: 'type',
        LeadSource: 'leadSource',
        NextStep: 'nextStep',
        Description: 'description',
        ForecastCategoryName: {
          field: 'forecastCategory',
          values: {
            'Best Case': 'BestCase',
            Pipeline: 'Pipeline',
            Commit: 'Commit',
            Closed: 'Closed',
            Omitted: 'Omitted',
          },
        },
        CreatedDate: 'createdAt',
        OwnerId: null,
      },
    },
    opportunityHistory: {
      object: 'stageHistory',
      ignoreUnmapped: true,
      columns: {
        OpportunityId: 'opportunityId',
        StageName: 'stage',
        Amount: 'amount',
        Probability: 'probability',
        CloseDate: 'closeDate',
        CreatedDate: 'changedAt',
        CreatedById: 'changedBy',
      },
    },
  },
  order: [
    { files: ['Account.csv'], mapping: 'salesforce.account' },
    { files: ['Contact.csv'], mapping: 'salesforce.contact' },
    { files: ['Opportunity.csv'], mapping: 'salesforce.opportunity' },
    { files: ['OpportunityHistory.csv'], mapping: 'salesforce.opportunityHistory' },
    { files: ['Lead.csv'], mapping: 'salesforce.lead' },
  ],
};
