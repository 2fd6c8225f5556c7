import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCrm, isRapportError } from '@rapport/core';
import { describeStorageConformance } from '@rapport/testing';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteStorage } from '../sqlite-storage.js';

const directory = mkdtempSync(join(tmpdir(), 'rapport-readers-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let files = 0;
const nextFile = () => join(directory, `db-${files++}.sqlite`);

describeStorageConformance('sqlite file with 2 readers', () =>
  sqliteStorage({ filename: nextFile(), readers: 2 }),
);

/** The open file descriptors of this process that point at `filename` (Linux). */
function handlesOf(filename: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === filename;
    } catch {
      return false;
    }
  }).length;
}

async function seeded(readers: number) {
  const filename = nextFile();
  const storage = sqliteStorage({ filename, readers });
  const crm = createCrm({ storage });
  await crm.migrate();
  await crm.createTenant({ id: 'acme', name: 'Acme' });
  const scope = crm.tenant('acme').system();
  const owner = await scope.users.create({ name: 'Owner' });
  const account = await scope.accounts.create({ name: 'Before', ownerId: owner.id });
  return { filename, storage, crm, scope, account };
}

describe('sqlite readers', () => {
  it('are off for an in-memory database and with readers: 0, and on by default for a file', () => {
    expect(sqliteStorage({ filename: ':memory:', readers: 2 }).readers).toBe(0);
    expect(sqliteStorage({ filename: nextFile(), readers: 0 }).readers).toBe(0);
    expect(sqliteStorage({ filename: nextFile() }).readers).toBeGreaterThan(0);
    expect(() => sqliteStorage({ filename: nextFile(), readers: -1 })).toThrow(RangeError);
  });

  it('are off for a file outside WAL mode, where a reader would block the writer', () => {
    const filename = nextFile();
    const raw = new Database(filename);
    raw.pragma('journal_mode = DELETE');
    raw.close();
    const storage = sqliteStorage({ filename, readonly: true, readers: 2 });
    expect(storage.readers).toBe(0);
    storage.database.close();
  });

  it('answer a read outside a transaction while a transaction holds the writer, with the committed state', async () => {
    const { crm, scope, account } = await seeded(2);
    let finish: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      finish = resolve;
    });
    let updated: (() => void) | undefined;
    const inside = new Promise<void>((resolve) => {
      updated = resolve;
    });
    const transaction = scope.transaction(async (tx) => {
      await tx.accounts.update(account.id, { version: 1, name: 'After' });
      // The transaction reads its own write...
      expect((await tx.accounts.get(account.id)).name).toBe('After');
      updated?.();
      await held;
    });
    await inside;
    // ...while a read outside it runs on a reader and sees what is committed. With one
    // connection this read would wait for the transaction, which waits for this read: a hang.
    expect((await scope.accounts.get(account.id)).name).toBe('Before');
    finish();
    await transaction;
    expect((await scope.accounts.get(account.id)).name).toBe('After');
    await crm.destroy();
  });

  it('see a write outside a transaction as soon as it returns', async () => {
    const { crm, scope, account } = await seeded(2);
    for (let version = 1; version <= 5; version++) {
      await scope.accounts.update(account.id, { version, name: `Name ${version}` });
      expect((await scope.accounts.get(account.id)).name).toBe(`Name ${version}`);
    }
    await crm.destroy();
  });

  it('say NOT_MIGRATED for a read before migrate and DESTROYED after destroy, as one connection does', async () => {
    const filename = nextFile();
    const crm = createCrm({ storage: sqliteStorage({ filename, readers: 2 }) });
    await crm.ensureTenant({ id: 'acme', name: 'Acme' }).catch(() => undefined);
    const read = await crm
      .tenant('acme')
      .system()
      .accounts.list()
      .catch((error: unknown) => error);
    expect(isRapportError(read) && read.code).toBe('NOT_MIGRATED');
    await crm.migrate();
    await crm.ensureTenant({ id: 'acme', name: 'Acme' });
    expect((await crm.tenant('acme').system().accounts.list()).items).toEqual([]);
    await crm.destroy();
    const after = await crm
      .tenant('acme')
      .system()
      .accounts.list()
      .catch((error: unknown) => error);
    expect(isRapportError(after) && after.code).toBe('DESTROYED');
  });

  it('close their connections on destroy', async () => {
    const { filename, crm, scope } = await seeded(2);
    await Promise.all([scope.accounts.list(), scope.accounts.list(), scope.users.list()]);
    // The writer and both readers hold the file.
    expect(handlesOf(filename)).toBe(3);
    await crm.destroy();
    expect(handlesOf(filename)).toBe(0);
  });

  it('run reads on as many connections as configured, no more', async () => {
    const { filename, crm, scope } = await seeded(1);
    await Promise.all(Array.from({ length: 8 }, () => scope.accounts.list()));
    expect(handlesOf(filename)).toBe(2);
    await crm.destroy();
  });
});
