import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCrm, isRapportError } from '@rapport/core';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { isLockError } from './sqlite-lock-driver.js';
import { sqliteStorage } from './sqlite-storage.js';

const directory = mkdtempSync(join(tmpdir(), 'rapport-lock-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function fileWithAccount(name: string) {
  const filename = join(directory, name);
  const crm = createCrm({ storage: sqliteStorage({ filename }) });
  await crm.migrate();
  await crm.createTenant({ id: 'acme', name: 'Acme' });
  const admin = crm.tenant('acme').system();
  const owner = await admin.users.create({ name: 'Owner' });
  const account = await admin.accounts.create({ name: 'Shared', ownerId: owner.id });
  await crm.destroy();
  return { filename, account };
}

it('a write that cannot get the write lock within the busy timeout is a CONFLICT and changes nothing', async () => {
  const { filename, account } = await fileWithAccount('held.sqlite');
  const holder = new Database(filename);
  holder.exec('begin immediate');
  const crm = createCrm({ storage: sqliteStorage({ filename, busyTimeoutMs: 20 }) });
  const scope = crm.tenant('acme').system();
  const caught = await scope.accounts
    .update(account.id, { version: 1, industry: 'Retail' })
    .catch((error: unknown) => error);
  expect(isRapportError(caught) && caught.code).toBe('CONFLICT');
  expect(isLockError((caught as Error).cause)).toBe(true);
  holder.exec('rollback');
  holder.close();
  // Once the lock is free the same write goes through: the failed one left nothing behind.
  expect(await scope.accounts.get(account.id)).toMatchObject({ version: 1, industry: null });
  await scope.accounts.update(account.id, { version: 1, industry: 'Retail' });
  expect(await scope.accounts.get(account.id)).toMatchObject({ version: 2, industry: 'Retail' });
  await crm.destroy();
});

it('transactions on a writable file begin immediate; a read-only one keeps the deferred begin', async () => {
  const { filename, account } = await fileWithAccount('modes.sqlite');
  const reader = createCrm({ storage: sqliteStorage({ filename, readonly: true }) });
  const holder = new Database(filename);
  holder.exec('begin immediate');
  // A reader does not need the write lock, so it reads while another connection holds it.
  expect((await reader.tenant('acme').system().accounts.get(account.id)).name).toBe('Shared');
  holder.exec('rollback');
  holder.close();
  await reader.destroy();
});

it('classifies every lock code as a lost race and nothing else', () => {
  for (const code of [
    'SQLITE_BUSY',
    'SQLITE_BUSY_SNAPSHOT',
    'SQLITE_LOCKED',
    'SQLITE_LOCKED_SHAREDCACHE',
  ]) {
    expect(isLockError({ code })).toBe(true);
  }
  for (const code of ['SQLITE_BUSYX', 'SQLITE_CONSTRAINT_UNIQUE', undefined]) {
    expect(isLockError({ code })).toBe(false);
  }
  expect(isLockError(null)).toBe(false);
  expect(() => sqliteStorage({ busyTimeoutMs: -1 })).toThrow(RangeError);
});
