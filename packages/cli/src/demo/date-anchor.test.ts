import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCrm } from '@rapport/core';
import { tenantTablesOf, unscopedDatabase } from '@rapport/core/storage';
import { sqliteStorage } from '@rapport/sqlite';
import { generateCrmData, insertGeneratedData } from '@rapport/testing';
import { expect, test } from 'vitest';
import { anchorShiftMonths, shiftDay, shiftTenantDates } from './date-anchor.js';

test('a day moves by whole months and keeps to the target month', () => {
  expect(shiftDay('2017-12-31', 105)).toBe('2026-09-30');
  expect(shiftDay('2017-03-31', 3)).toBe('2017-06-30');
  expect(shiftDay('2016-01-29', 1)).toBe('2016-02-29');
  expect(shiftDay('2017-11-15', 2)).toBe('2018-01-15');
});

test('the shift ends the data in the last complete quarter before today, in whole quarters', () => {
  expect(anchorShiftMonths('2017-12-31', '2026-12-01')).toBe(105);
  expect(anchorShiftMonths('2017-12-31', '2026-09-30')).toBe(102);
  expect(anchorShiftMonths('2017-12-31', '2027-01-01')).toBe(108);
  expect(anchorShiftMonths('2017-12-31', '2017-06-01')).toBe(0);
});

test('shiftTenantDates moves the tenant’s sample-frame dates in a real SQLite file, and only those', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rapport-anchor-'));
  const crm = createCrm({ storage: sqliteStorage({ filename: join(dir, 'crm.sqlite') }) });
  try {
    await crm.migrate();
    const tenant = await crm.createTenant({ id: 't1', name: 'T1' });
    await crm.createTenant({ id: 't2', name: 'T2' });
    const db = unscopedDatabase(crm);
    for (const [tenantId, pipelineId] of [
      ['t1', tenant.defaultPipelineId!],
      ['t2', (await crm.tenant('t2').system().settings()).defaultPipelineId!],
    ] as const) {
      await insertGeneratedData(
        db,
        generateCrmData({
          tenantId,
          pipelineId,
          seed: 3,
          opportunities: 40,
          reps: 2,
          start: '2017-01-01',
          months: 12,
        }),
      );
    }
    const dates = async (tenantId: string) =>
      (
        await tenantTablesOf(db, tenantId)
          .selectFrom('opportunities')
          .select(['id', 'openDate', 'closeDate', 'createdAt'])
          .orderBy('id')
          .execute()
      ).map((row) => ({ ...row }));
    const before = await dates('t1');
    const other = await dates('t2');
    await shiftTenantDates(db, { date: 'text' }, 't1', 105);
    const after = await dates('t1');
    expect(after.length).toBe(before.length);
    for (const [i, row] of before.entries()) {
      expect(after[i]!.openDate).toBe(shiftDay(String(row.openDate), 105));
      expect(after[i]!.closeDate).toBe(shiftDay(String(row.closeDate), 105));
      const created = String(row.createdAt);
      // Times keep their time of day; only the day moves.
      expect(String(after[i]!.createdAt)).toBe(
        created < '2018-04-01' ? shiftDay(created.slice(0, 10), 105) + created.slice(10) : created,
      );
    }
    expect(await dates('t2')).toEqual(other);
  } finally {
    await crm.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
