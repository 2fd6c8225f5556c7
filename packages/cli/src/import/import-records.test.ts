import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCrm } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { beforeEach, describe, expect, test } from 'vitest';
import { InputError } from '../errors/cli-errors.js';
import { ImportRejected, importRecords } from './import-records.js';

const dir = mkdtempSync(join(tmpdir(), 'rapport-import-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const accounts = file(
  'accounts.csv',
  [
    'External Id,Name,Owner,Industry,Employees',
    'A1,Acme,rep-1,Retail,120',
    'A2,Globex,rep-1,,',
    'A3,,rep-1,Energy,10',
    'A4,Initech,rep-404,Software,5',
    'A5,Hooli,rep-1,Software,many',
    'A6,Umbrella,rep-1,Pharma,3000',
  ].join('\n'),
);
const map = ['Owner=ownerId', 'Employees=numberOfEmployees'];

async function setup() {
  const crm = createCrm({ storage: sqliteStorage({ filename: ':memory:' }) });
  await crm.migrate();
  await crm.createTenant({ id: 't', name: 'T' });
  const scope = crm.tenant('t').system();
  await scope.users.create({ name: 'Rita', externalId: 'rep-1' });
  return scope;
}

describe('importRecords', () => {
  let scope: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    scope = await setup();
  });

  test('all or nothing: every bad row with line and column, and nothing written', async () => {
    const error = await importRecords(scope, {
      object: 'account',
      file: accounts,
      map,
      skipInvalid: false,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportRejected);
    const rejected = error as ImportRejected;
    expect(rejected.rowsWithErrors).toBe(3);
    expect(rejected.errors.map((e) => [e.line, e.column])).toEqual([
      [4, 'Name'],
      [5, 'Owner'],
      [6, 'Employees'],
    ]);
    expect(rejected.errors[0]?.message).toMatch(/is required/);
    expect(await scope.accounts.count()).toBe(0);
  });

  test('skip invalid: the good rows land, the bad ones go to the errors file; a re-run changes nothing', async () => {
    const errorsFile = join(dir, 'errors.csv');
    const summary = await importRecords(scope, {
      object: 'account',
      file: accounts,
      map,
      skipInvalid: true,
      errorsFile,
      batchSize: 2,
    });
    expect(summary).toMatchObject({ rows: 6, created: 3, updated: 0, rejected: 3 });
    const stored = await scope.accounts.list({ orderBy: { field: 'externalId' } });
    expect(stored.items.map((a) => [a.externalId, a.name, a.numberOfEmployees])).toEqual([
      ['A1', 'Acme', 120],
      ['A2', 'Globex', null],
      ['A6', 'Umbrella', 3000],
    ]);
    const errors = readFileSync(errorsFile, 'utf8').trim().split('\r\n');
    expect(errors[0]).toBe('External Id,Name,Owner,Industry,Employees,line,error');
    expect(errors.slice(1).map((line) => line.split(',')[0])).toEqual(['A3', 'A4', 'A5']);
    expect(errors[3]).toMatch(/,6,"Employees: ""many"" is not a number/);

    const again = await importRecords(scope, {
      object: 'account',
      file: accounts,
      map,
      skipInvalid: true,
    });
    expect(again).toMatchObject({ created: 0, updated: 3, rejected: 3 });
    const after = await scope.accounts.list({ orderBy: { field: 'externalId' } });
    expect(after.items.map((a) => a.version)).toEqual(stored.items.map((a) => a.version));
  });

  test('references by external id, and a default owner', async () => {
    await importRecords(scope, {
      object: 'account',
      file: file('a.csv', 'Id,Name\nA1,Acme\n'),
      owner: 'rep-1',
      skipInvalid: false,
    });
    const contacts = file('c.csv', 'Id,Last Name,Account Id,Email\nC1,Doe,A1,doe@example.com\n');
    await importRecords(scope, {
      object: 'contact',
      file: contacts,
      owner: 'rep-1',
      skipInvalid: false,
    });
    const contact = await scope.contacts.findByExternalId('C1');
    const account = await scope.accounts.findByExternalId('A1');
    expect(contact?.accountId).toBe(account?.id);
    await expect(
      importRecords(scope, {
        object: 'contact',
        file: contacts,
        owner: 'nobody',
        skipInvalid: false,
      }),
    ).rejects.toThrow(/no user/);
  });

  test('many bad rows in one batch, and a repeated external id that updates its first row', async () => {
    const lines = ['Id,Name,Owner,Industry'];
    for (let i = 0; i < 12; i++)
      lines.push(`M${i},Company ${i},${i % 3 === 0 ? 'rep-1' : 'ghost'},`);
    lines.push('M0,Company 0 renamed,rep-1,Retail');
    const summary = await importRecords(scope, {
      object: 'account',
      file: file('many.csv', lines.join('\n')),
      map: ['Owner=ownerId'],
      skipInvalid: true,
    });
    expect(summary).toMatchObject({ rows: 13, created: 4, updated: 1, rejected: 8 });
    expect(summary.errors.map((e) => e.line)).toEqual([3, 4, 6, 7, 9, 10, 12, 13]);
    const renamed = await scope.accounts.findByExternalId('M0');
    expect([renamed?.name, renamed?.industry]).toEqual(['Company 0 renamed', 'Retail']);
  });

  test('spreadsheet formula injection: the errors file neutralises rejected cells and quotes per RFC 4180', async () => {
    const errorsFile = join(dir, 'injected-errors.csv');
    const hostile = file(
      'hostile.csv',
      'Id,Name,Owner\r\n=cmd|calc,"\n=HYPERLINK(""http://evil"")",ghost\r\nB2,@SUM(A1),ghost\r\n',
    );
    const summary = await importRecords(scope, {
      object: 'account',
      file: hostile,
      map: ['Owner=ownerId'],
      skipInvalid: true,
      errorsFile,
    });
    expect(summary.rejected).toBe(2);
    const text = readFileSync(errorsFile, 'utf8');
    const [, first, second] = text.split(/\r\n(?=[^\n])/);
    expect(first).toMatch(/^'=cmd\|calc,"'\n=HYPERLINK\(""http:\/\/evil""\)",ghost,2,/);
    expect(second).toMatch(/^B2,'@SUM\(A1\),ghost,4,/);
  });

  test('money with more decimals than its currency has: VALIDATION of the field with its line, nothing rounded', async () => {
    const deals = file(
      'precise.csv',
      [
        'Id,Name,Owner,Amount,Currency,Close Date',
        'D1,Fine,rep-1,12.34,EUR,2026-09-30',
        'D2,Cents,rep-1,12.345,EUR,2026-09-30',
        'D3,Yen,rep-1,1234.5,JPY,2026-09-30',
        'D4,Zeros,rep-1,12.340,EUR,2026-09-30',
      ].join('\n'),
    );
    const error = await importRecords(scope, {
      object: 'opportunity',
      file: deals,
      map: ['Owner=ownerId'],
      skipInvalid: false,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportRejected);
    expect(
      (error as ImportRejected).errors.map((e) => [e.line, e.column, e.field, e.code]),
    ).toEqual([
      [3, 'Amount', 'amount', 'VALIDATION'],
      [4, 'Amount', 'amount', 'VALIDATION'],
    ]);
    expect((error as ImportRejected).errors[0]?.message).toMatch(/more decimals than EUR/);
    expect(await scope.opportunities.count()).toBe(0);

    const summary = await importRecords(scope, {
      object: 'opportunity',
      file: deals,
      map: ['Owner=ownerId'],
      skipInvalid: true,
    });
    expect(summary).toMatchObject({ created: 2, rejected: 2 });
    const stored = await scope.opportunities.list({ orderBy: { field: 'externalId' } });
    expect(stored.items.map((o) => [o.externalId, o.amount, o.currency])).toEqual([
      ['D1', 1234, 'EUR'],
      ['D4', 1234, 'EUR'],
    ]);
  });

  test('a file that is not UTF-8 is refused with its line, even with --skip-invalid: no row lands', async () => {
    const latin1 = join(dir, 'latin1.csv');
    writeFileSync(
      latin1,
      Buffer.concat([
        Buffer.from('Id,Name,Owner\nA1,Acme,rep-1\nA2,Caf'),
        Buffer.from([0xe9]),
        Buffer.from(' Noir,rep-1\n'),
      ]),
    );
    for (const skipInvalid of [false, true]) {
      const error = await importRecords(scope, {
        object: 'account',
        file: latin1,
        map: ['Owner=ownerId'],
        skipInvalid,
        batchSize: 1,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).code).toBe('INVALID_UTF8');
      expect((error as Error).message).toMatch(/latin1\.csv:3: INVALID_UTF8 byte 0xE9/);
    }
    expect(await scope.accounts.count()).toBe(0);
    // The same file as UTF-8, with a BOM, lands with its accent.
    const utf8 = file('utf8.csv', '\ufeffId,Name,Owner\nA1,Acme,rep-1\nA2,Café Noir,rep-1\n');
    await importRecords(scope, {
      object: 'account',
      file: utf8,
      map: ['Owner=ownerId'],
      skipInvalid: false,
    });
    expect((await scope.accounts.findByExternalId('A2'))?.name).toBe('Café Noir');
  });
});
