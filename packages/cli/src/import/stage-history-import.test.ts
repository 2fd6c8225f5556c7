import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCrm } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { expect, test } from 'vitest';
import { ImportRejected } from './import-records.js';
import { importStageHistoryFile } from './stage-history-import.js';

const dir = mkdtempSync(join(tmpdir(), 'rapport-stage-history-'));
const file = (name: string, lines: readonly string[]) => {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
};

async function setup() {
  const crm = createCrm({ storage: sqliteStorage({ filename: ':memory:' }) });
  await crm.migrate();
  await crm.createTenant({ id: 't', name: 'T', baseCurrency: 'EUR' });
  const scope = crm.tenant('t').system();
  const owner = await scope.users.create({ name: 'Rita' });
  const deal = await scope.opportunities.create({
    externalId: 'D-1',
    name: 'Deal',
    ownerId: owner.id,
    closeDate: '2025-06-30',
  });
  return { scope, deal };
}

const map = ['Deal=opportunityId', 'Phase=stage', 'Betrag=amount', 'Am=changedAt'];

test('a change log in German formats: dated entries in order, amounts in minor units, rows without a stage skipped', async () => {
  const { scope, deal } = await setup();
  const log = file('phases.csv', [
    'Deal,Phase,Betrag,Am',
    'D-1,Qualifikation,"1.200,50",03.02.2025 10:00',
    'D-1,Neu,"1.000,00",01.02.2025 09:00',
    'D-1,Entwurf,"1.000,00",02.02.2025 09:00',
  ]);
  const options = {
    file: log,
    // --map names the other columns; the named mapping reads Phase with a value map.
    map: map.filter((m) => !m.startsWith('Phase')),
    mapping: {
      object: 'stageHistory' as const,
      columns: {
        Phase: {
          field: 'stage',
          values: { Neu: 'Prospecting', Qualifikation: 'Qualification', Entwurf: null },
        },
      },
    },
    dateFormat: 'dd.MM.yyyy HH:mm',
    decimal: ',' as const,
  };
  const dry = await importStageHistoryFile(scope, { ...options, dryRun: true });
  expect(dry).toMatchObject({ rows: 3, created: 2, skipped: 1, dryRun: true });
  expect(await scope.stageHistory.count({ opportunityId: deal.id })).toBe(1);

  const summary = await importStageHistoryFile(scope, options);
  expect(summary).toMatchObject({ created: 2, replaced: 1, skipped: 1 });
  const { items } = await scope.stageHistory.list({
    where: { opportunityId: deal.id },
    orderBy: { field: 'createdAt' },
  });
  expect(items.map((h) => [h.stage, h.previousStage, h.amount, h.createdAt])).toEqual([
    ['Prospecting', null, 100_000, '2025-02-01T09:00:00.000Z'],
    ['Qualification', 'Prospecting', 120_050, '2025-02-03T10:00:00.000Z'],
  ]);
});

test('a stage outside the pipeline and an unknown deal are rejected with their lines; nothing is written', async () => {
  const { scope, deal } = await setup();
  const log = file('bad.csv', [
    'Deal,Phase,Betrag,Am',
    'D-1,Prospecting,10,2025-02-01',
    'D-1,Haggling,10,2025-02-02',
    'D-404,Prospecting,10,2025-02-03',
  ]);
  const error = await importStageHistoryFile(scope, { file: log, map }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ImportRejected);
  const rejected = error as ImportRejected;
  expect(rejected.rowsWithErrors).toBe(2);
  expect(rejected.errors.map((e) => [e.line, e.column, e.code])).toEqual([
    [3, 'Phase', 'VALIDATION'],
    [4, 'Deal', 'VALIDATION'],
  ]);
  expect(await scope.stageHistory.count({ opportunityId: deal.id })).toBe(1);
});
