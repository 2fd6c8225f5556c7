import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCrm } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { beforeEach, describe, expect, test } from 'vitest';
import { shippedMappings } from '../config/import-mappings.js';
import { ImportRejected, importRecords } from './import-records.js';
import { importExport } from './source-export.js';

const dir = mkdtempSync(join(tmpdir(), 'rapport-history-'));
const file = (name: string, lines: readonly string[]) => {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `${lines.join('\r\n')}\r\n`);
  return path;
};

async function setup() {
  const crm = createCrm({ storage: sqliteStorage({ filename: ':memory:' }) });
  await crm.migrate();
  await crm.createTenant({ id: 't', name: 'T' });
  const scope = crm.tenant('t').system();
  await scope.users.create({ name: 'Rita', externalId: 'rep-1' });
  return scope;
}

test('only the system scope (an import) may back-date a conversion', async () => {
  const crm = createCrm({ storage: sqliteStorage({ filename: ':memory:' }) });
  await crm.migrate();
  await crm.createTenant({ id: 't', name: 'T' });
  const admin = await crm.tenant('t').system().users.create({ name: 'Ada', role: 'admin' });
  const scope = crm.tenant('t').as({ id: admin.id, role: 'admin' });
  const lead = await scope.leads.create({ lastName: 'Doe', company: 'Globex' });
  await expect(
    scope.leads.convert(lead.id, { convertedAt: '2018-01-01T00:00:00Z' }),
  ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  expect((await scope.leads.get(lead.id)).convertedAt ?? null).toBeNull();
});

describe('history import', () => {
  let scope: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    scope = await setup();
  });

  test('deals name the lead they came from: the lead is converted to that deal, once', async () => {
    const leads = file('mql.csv', [
      'mql_id,first_contact_date,origin',
      'L1,2/1/2018,social',
      'L2,10/20/2017,email',
    ]);
    const leadImport = {
      object: 'lead' as const,
      file: leads,
      map: [
        'mql_id=externalId',
        'mql_id=lastName',
        'mql_id=company',
        'origin=leadSource',
        'first_contact_date=',
      ],
      owner: 'rep-1',
      skipInvalid: false,
    };
    await importRecords(scope, leadImport);
    const deals = file('deals.csv', ['mql_id,seller_id,won_date', 'L1,S1,2018-02-26 19:58:54']);
    const dealImport = {
      object: 'opportunity' as const,
      file: deals,
      map: [
        'seller_id=externalId',
        'seller_id=name',
        'mql_id=leadId',
        'won_date=closeDate',
        'won_date=leadConvertedAt',
      ],
      constants: ['stage=Closed Won'],
      owner: 'rep-1',
      history: true,
      skipInvalid: false,
    };
    const first = await importRecords(scope, dealImport);
    expect(first).toMatchObject({ created: 1, converted: 1, rejected: 0 });
    const lead = await scope.leads.findByExternalId('L1');
    const deal = await scope.opportunities.findByExternalId('S1');
    expect(lead?.convertedOpportunityId).toBe(deal?.id);
    expect(lead?.convertedAt).toBe('2018-02-26T19:58:54.000Z');
    expect(lead?.status).toBe('Closed - Converted');
    // Invariants: the converted lead points to records that exist; the won deal has its close date.
    expect(await scope.accounts.find(String(lead?.convertedAccountId))).toBeDefined();
    expect(await scope.contacts.find(String(lead?.convertedContactId))).toBeDefined();
    expect(deal?.accountId).toBe(lead?.convertedAccountId);
    expect([deal?.status, deal?.closeDate]).toEqual(['won', '2018-02-26']);
    expect((await scope.leads.findByExternalId('L2'))?.convertedAt ?? null).toBeNull();

    // Again: nothing changes, no second conversion.
    const again = await importRecords(scope, dealImport);
    expect(again).toMatchObject({ created: 0, converted: 0, rejected: 0 });
    expect(await scope.accounts.count()).toBe(1);

    // A deal naming a lead that does not exist is a row error, and nothing is written.
    const orphan = file('orphan.csv', ['mql_id,seller_id,won_date', 'L404,S2,2018-03-01']);
    const error = await importRecords(scope, { ...dealImport, file: orphan }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ImportRejected);
    expect((error as ImportRejected).errors[0]).toMatchObject({
      line: 2,
      column: 'mql_id',
      code: 'VALIDATION',
    });
    expect(await scope.opportunities.findByExternalId('S2')).toBeUndefined();
  });

  test('a Salesforce export folder: files in dependency order, conversions resolved across files', async () => {
    const folder = join(dir, 'salesforce');
    file('salesforce/Account.csv', [
      'Id,Name,Type,Industry,BillingCity,OwnerId',
      '001A,Acme Corp,Customer - Direct,Manufacturing,Berlin,005X',
    ]);
    file('salesforce/Contact.csv', [
      'Id,AccountId,FirstName,LastName,Email,LeadSource,MailingCity,OwnerId',
      '003A,001A,Ada,Lovelace,ada@acme.example,Web,Berlin,005X',
    ]);
    file('salesforce/Opportunity.csv', [
      'Id,AccountId,Name,StageName,Amount,CloseDate,Probability,ForecastCategoryName,LeadSource,IsClosed,IsWon,CreatedDate,OwnerId',
      '006A,001A,Acme - 50 seats,Closed Won,12000.50,2025-11-30,100,Closed,Web,true,true,2025-10-01T09:00:00.000Z,005X',
      '006B,001A,Acme - renewal,Negotiation/Review,8000,2026-03-31,90,Best Case,Web,false,false,2025-12-01T09:00:00.000Z,005X',
    ]);
    file('salesforce/OpportunityHistory.csv', [
      'Id,OpportunityId,CreatedById,CreatedDate,StageName,Amount,ExpectedRevenue,CloseDate,Probability,ForecastCategory,IsDeleted',
      '008B,006A,005X,2025-11-02T10:00:00.000Z,Negotiation/Review,12000.50,10800.45,2025-11-30,90,Commit,false',
      '008A,006A,005X,2025-10-01T09:00:00.000Z,Prospecting,10000,1000,2025-12-31,10,Pipeline,false',
      '008C,006A,005X,2025-11-28T16:00:00.000Z,Closed Won,12000.50,12000.50,2025-11-30,100,Closed,false',
    ]);
    file('salesforce/Lead.csv', [
      'Id,FirstName,LastName,Company,Email,Status,LeadSource,IsConverted,ConvertedDate,ConvertedAccountId,ConvertedContactId,ConvertedOpportunityId,CreatedDate,OwnerId',
      '00QA,Ada,Lovelace,Acme Corp,ada@acme.example,Closed - Converted,Web,true,2025-10-01,001A,003A,006A,2025-09-15T08:00:00.000Z,005X',
      '00QB,Bob,Roe,Globex,bob@globex.example,Working - Contacted,Phone Inquiry,false,,,,,2025-10-02T08:00:00.000Z,005X',
    ]);
    const progress: string[] = [];
    const summaries = await importExport(scope, 'salesforce', folder, {
      skipInvalid: false,
      owner: 'rep-1',
      onFile: (path) => progress.push(path.slice(folder.length + 1)),
    });
    expect(progress).toEqual([
      'Account.csv',
      'Contact.csv',
      'Opportunity.csv',
      'OpportunityHistory.csv',
      'Lead.csv',
    ]);
    expect(summaries.map((s) => s.created)).toEqual([1, 1, 2, 3, 2]);
    const lead = await scope.leads.findByExternalId('00QA');
    const won = await scope.opportunities.findByExternalId('006A');
    expect(lead?.convertedOpportunityId).toBe(won?.id);
    expect(lead?.convertedAccountId).toBe((await scope.accounts.findByExternalId('001A'))?.id);
    expect(lead?.convertedContactId).toBe((await scope.contacts.findByExternalId('003A'))?.id);
    expect(lead?.convertedAt).toBe('2025-10-01T00:00:00.000Z');
    expect([won?.amount, won?.status, won?.closeDate]).toEqual([1_200_050, 'won', '2025-11-30']);
    expect((await scope.opportunities.findByExternalId('006B'))?.forecastCategory).toBe('BestCase');
    expect(await scope.accounts.count()).toBe(1);
    // Each record keeps its own created date; the won deal's history is the export's, in order.
    expect(lead?.createdAt).toBe('2025-09-15T08:00:00.000Z');
    expect(won?.createdAt).toBe('2025-10-01T09:00:00.000Z');
    expect(won?.openDate).toBe('2025-10-01');
    const history = await scope.stageHistory.list({
      where: { opportunityId: String(won?.id) },
      orderBy: { field: 'createdAt' },
    });
    expect(history.items.map((h) => [h.previousStage, h.stage, h.amount, h.createdBy])).toEqual([
      [null, 'Prospecting', 1_000_000, '005X'],
      ['Prospecting', 'Negotiation/Review', 1_200_050, '005X'],
      ['Negotiation/Review', 'Closed Won', 1_200_050, '005X'],
    ]);
    // The whole export again: nothing changes.
    const again = await importExport(scope, 'salesforce', folder, {
      skipInvalid: false,
      owner: 'rep-1',
    });
    expect(again.map((s) => s.created)).toEqual([0, 0, 0, 0, 0]);
    expect(await scope.stageHistory.count()).toBe(4);

    // All or nothing across files: a bad row in the last file leaves everything as it was.
    const broken = join(dir, 'salesforce-broken');
    file('salesforce-broken/Account.csv', ['Id,Name', '001Z,Zeta']);
    file('salesforce-broken/Lead.csv', [
      'Id,LastName,Company,Status',
      '00QZ,Zed,Zeta,Not a status',
    ]);
    await expect(
      importExport(scope, 'salesforce', broken, { skipInvalid: false, owner: 'rep-1' }),
    ).rejects.toBeInstanceOf(ImportRejected);
    expect(await scope.accounts.findByExternalId('001Z')).toBeUndefined();
  });

  test('HubSpot and Pipedrive exports with their column names', async () => {
    file('hubspot/companies.csv', [
      'Record ID,Company name,Company Domain Name,Industry,Create Date,Company owner',
      '501,Initech,initech.example,COMPUTER_SOFTWARE,2025-01-05 10:00,Rita',
    ]);
    file('hubspot/contacts.csv', [
      'Record ID,First Name,Last Name,Email,Phone Number,Lifecycle Stage,Associated Company IDs',
      '901,Peter,Gibbons,peter@initech.example,+1 555 0100,customer,501',
    ]);
    file('hubspot/deals.csv', [
      'Record ID,Deal Name,Deal Stage,Amount,Close Date,Pipeline,Associated Company IDs',
      '701,Initech - TPS,Closed Won,5000,2025-06-30,Sales Pipeline,501',
      '702,Initech - upsell,Contract Sent,2500,2025-12-31,Sales Pipeline,501',
    ]);
    await importExport(scope, 'hubspot', join(dir, 'hubspot'), {
      skipInvalid: false,
      owner: 'rep-1',
    });
    expect((await scope.contacts.findByExternalId('901'))?.accountId).toBe(
      (await scope.accounts.findByExternalId('501'))?.id,
    );
    expect((await scope.opportunities.findByExternalId('702'))?.stage).toBe('Proposal/Price Quote');

    file('pipedrive/organizations.csv', [
      'Organization - ID,Organization - Name,Organization - Owner',
      '11,Umbrella,Rita',
    ]);
    file('pipedrive/persons.csv', [
      'Person - ID,Person - Name,Person - Email,Person - Organization ID',
      '21,Alice Wesker,alice@umbrella.example,11',
    ]);
    file('pipedrive/deals.csv', [
      'Deal - ID,Deal - Title,Deal - Value,Deal - Currency,Deal - Organization ID,Deal - Status,Deal - Expected close date',
      '31,Umbrella - vaccine,9000,EUR,11,won,2025-05-31',
      '32,Umbrella - lab,4000,EUR,11,lost,2025-07-31',
    ]);
    await importExport(scope, 'pipedrive', join(dir, 'pipedrive'), {
      skipInvalid: false,
      owner: 'rep-1',
    });
    expect((await scope.opportunities.findByExternalId('31'))?.status).toBe('won');
    expect((await scope.opportunities.findByExternalId('32'))?.status).toBe('lost');
    expect(Object.keys(shippedMappings()).sort()).toEqual([
      'hubspot.companies',
      'hubspot.contacts',
      'hubspot.deals',
      'pipedrive.deals',
      'pipedrive.organizations',
      'pipedrive.persons',
      'salesforce.account',
      'salesforce.contact',
      'salesforce.lead',
      'salesforce.opportunity',
      'salesforce.opportunityHistory',
    ]);
  });
});
