import type { SourceSystem } from './source-system.js';

// Column names are what Pipedrive's export (Export data > Deals/People/Organizations, CSV) writes
// in English: "<Object> - <field>". A deal's status (open, won, lost) picks the stage where the
// export's own pipeline stages are not mapped; "Deal - Won time" is its close date when won.

/** Pipedrive: organizations, persons, deals. */
export const pipedrive: SourceSystem = {
  id: 'pipedrive',
  mappings: {
    organizations: {
      object: 'account',
      ignoreUnmapped: true,
      columns: {
        'Organization - ID': 'externalId',
        'Organization - Name': 'name',
        'Organization - Address': null,
        'Organization - Organization created': 'createdAt',
      },
    },
    persons: {
      object: 'contact',
      ignoreUnmapped: true,
      columns: {
        'Person - ID': 'externalId',
        'Person - Name': 'lastName',
        'Person - First name': 'firstName',
        'Person - Last name': null,
        'Person - Email': 'email',
        'Person - Phone': 'phone',
        'Person - Job title': 'title',
        'Person - Organization ID': 'accountId',
        'Person - Person created': 'createdAt',
      },
    },
    deals: {
      object: 'opportunity',
      ignoreUnmapped: true,
      columns: {
        'Deal - ID': 'externalId',
        'Deal - Title': 'name',
        'Deal - Value': 'amount',
        'Deal - Currency': 'currency',
        'Deal - Organization ID': 'accountId',
        'Deal - Status': {
          field: 'stage',
          values: { won: 'Closed Won', lost: 'Closed Lost', open: 'Prospecting' },
        },
        'Deal - Expected close date': 'closeDate',
        'Deal - Lost reason': 'lostReason',
        'Deal - Deal created': 'createdAt',
      },
    },
  },
  order: [
    { files: ['organizations.csv'], mapping: 'pipedrive.organizations' },
    { files: ['persons.csv', 'people.csv'], mapping: 'pipedrive.persons' },
    { files: ['deals.csv'], mapping: 'pipedrive.deals' },
  ],
};
