import type { SourceSystem } from './source-system.js';

// Column names are the property labels HubSpot's CRM export (Contacts/Companies/Deals > Export)
// writes in English; associations come as "Associated Company IDs". HubSpot's default sales
// pipeline stages map to Salesforce's default stages, which Rapport's default pipeline uses.

const dealStages = {
  'Appointment Scheduled': 'Prospecting',
  'Qualified To Buy': 'Qualification',
  'Presentation Scheduled': 'Value Proposition',
  'Decision Maker Bought-In': 'Id. Decision Makers',
  'Contract Sent': 'Proposal/Price Quote',
  'Closed Won': 'Closed Won',
  'Closed Lost': 'Closed Lost',
};

/** HubSpot: companies, contacts, deals. */
export const hubspot: SourceSystem = {
  id: 'hubspot',
  mappings: {
    companies: {
      object: 'account',
      ignoreUnmapped: true,
      columns: {
        'Record ID': 'externalId',
        'Company name': 'name',
        Industry: 'industry',
        Type: 'type',
        'Annual Revenue': 'annualRevenue',
        'Number of Employees': 'numberOfEmployees',
        'Country/Region': 'billingCountry',
        'Create Date': 'createdAt',
      },
    },
    contacts: {
      object: 'contact',
      ignoreUnmapped: true,
      columns: {
        'Record ID': 'externalId',
        'First Name': 'firstName',
        'Last Name': 'lastName',
        Email: 'email',
        'Phone Number': 'phone',
        'Job Title': 'title',
        'Original Source': 'leadSource',
        'Associated Company IDs': 'accountId',
        'Create Date': 'createdAt',
      },
    },
    deals: {
      object: 'opportunity',
      ignoreUnmapped: true,
      columns: {
        'Record ID': 'externalId',
        'Deal Name': 'name',
        'Deal Stage': { field: 'stage', values: dealStages },
        Amount: 'amount',
        'Close Date': 'closeDate',
        'Deal Type': {
          field: 'type',
          values: { newbusiness: 'New Business', existingbusiness: 'Existing Business' },
        },
        'Associated Company IDs': 'accountId',
        'Create Date': 'createdAt',
      },
    },
  },
  order: [
    { files: ['companies.csv'], mapping: 'hubspot.companies' },
    { files: ['contacts.csv'], mapping: 'hubspot.contacts' },
    { files: ['deals.csv'], mapping: 'hubspot.deals' },
  ],
};
