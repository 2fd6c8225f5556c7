import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCrm, isRapportError } from '@rapport/core';
import { describeStorageConformance } from '@rapport/testing';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sqliteStorage } from './sqlite-storage.js';

describeStorageConformance('sqlite', () => sqliteStorage({ filename: ':memory:' }));

describe('sqlite storage on a file', () => {
  const directory = mkdtempSync(join(tmpdir(), 'rapport-sqlite-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const fields = { account: { tier: z.enum(['gold', 'silver']).optional() } };

  it('opens a file with WAL, foreign keys, synchronous NORMAL and a busy timeout', async () => {
    const filename = join(directory, 'pragmas.sqlite');
    const storage = sqliteStorage({ filename });
    const crm = createCrm({ storage });
    await crm.migrate();
    const pragma = (name: string) => storage.database.pragma(name, { simple: true });
    expect(pragma('journal_mode')).toBe('wal');
    expect(pragma('foreign_keys')).toBe(1);
    expect(pragma('synchronous')).toBe(1);
    expect(pragma('busy_timeout')).toBe(5000);
    await crm.createTenant({ id: 'acme', name: 'Acme' });
    expect(existsSync(`${filename}-wal`)).toBe(true);
    await crm.destroy();
  });

  it('enforces tenant-led foreign keys in the database itself, not only in the engine', async () => {
    const storage = sqliteStorage({ filename: join(directory, 'keys.sqlite') });
    const crm = createCrm({ storage });
    await crm.migrate();
    await crm.createTenant({ id: 'a', name: 'A' });
    await crm.createTenant({ id: 'b', name: 'B' });
    const b = crm.tenant('b').system();
    const owner = await b.users.create({ name: 'Owner B' });
    const ownerOfA = await crm.tenant('a').system().users.create({ name: 'Owner A' });
    const accountOfB = await b.accounts.create({ name: 'B Co', ownerId: owner.id });
    const insertContact = storage.database.prepare(
      `insert into contacts (tenant_id, id, version, created_at, created_by, updated_at, updated_by, last_name, owner_id, account_id)
       values (?, ?, 1, '2026-01-01T00:00:00.000Z', 'raw', '2026-01-01T00:00:00.000Z', 'raw', 'Raw', ?, ?)`,
    );
    const codeOf = (run: () => unknown) => {
      try {
        run();
        return 'inserted';
      } catch (error) {
        return (error as { code?: string }).code;
      }
    };
    // The account exists, but in tenant b: the key (tenant_id, account_id) does not match.
    expect(codeOf(() => insertContact.run('a', 'c1', ownerOfA.id, accountOfB.id))).toBe(
      'SQLITE_CONSTRAINT_FOREIGNKEY',
    );
    expect(codeOf(() => insertContact.run('b', 'c2', owner.id, 'missing'))).toBe(
      'SQLITE_CONSTRAINT_FOREIGNKEY',
    );
    expect(codeOf(() => insertContact.run('b', 'c3', owner.id, accountOfB.id))).toBe('inserted');
    await crm.destroy();
  });

  it('reopening a file keeps every record, and migrate() has nothing left to do', async () => {
    const filename = join(directory, 'reopen.sqlite');
    const first = createCrm({ storage: sqliteStorage({ filename }), fields });
    const report = await first.migrate();
    expect(report.applied.length).toBeGreaterThan(0);
    await first.createTenant({ id: 'acme', name: 'Acme', timeZone: 'Europe/Berlin' });
    const scope = first.tenant('acme').system();
    const owner = await scope.users.create({ name: 'Persistent Owner' });
    const account = await scope.accounts.create({
      name: 'Persistent Co',
      ownerId: owner.id,
      custom: { tier: 'gold' },
    });
    const deal = await scope.opportunities.create({
      name: 'Persistent deal',
      ownerId: owner.id,
      accountId: account.id,
      closeDate: '2026-12-31',
      amount: 12_345_67,
    });
    await scope.currencies.setRate('USD', 0.91);
    await first.destroy();

    const second = createCrm({ storage: sqliteStorage({ filename }), fields });
    expect(await second.migrate()).toEqual({ applied: [] });
    const reopened = second.tenant('acme').system();
    expect(await reopened.accounts.get(account.id)).toEqual(account);
    expect(await reopened.opportunities.get(deal.id)).toEqual(deal);
    expect((await reopened.settings()).timeZone).toBe('Europe/Berlin');
    expect(await reopened.currencies.rates()).toMatchObject([{ currency: 'USD', rate: 0.91 }]);
    expect(await reopened.stageHistory.count({ opportunityId: deal.id })).toBe(1);
    const updated = await reopened.opportunities.update(deal.id, {
      version: deal.version,
      nextStep: 'After reopening',
    });
    expect(updated.version).toBe(2);
    await second.destroy();
  });

  it('two engines on one file: the second writer of a version gets CONFLICT', async () => {
    const filename = join(directory, 'two-writers.sqlite');
    const one = createCrm({ storage: sqliteStorage({ filename }) });
    await one.migrate();
    await one.createTenant({ id: 'acme', name: 'Acme' });
    const two = createCrm({ storage: sqliteStorage({ filename }) });
    const a = one.tenant('acme').system();
    const b = two.tenant('acme').system();
    const owner = await a.users.create({ name: 'Shared Owner' });
    const deal = await a.opportunities.create({
      name: 'Shared',
      ownerId: owner.id,
      closeDate: '2026-12-31',
    });
    const readByB = await b.opportunities.get(deal.id);
    await a.opportunities.update(deal.id, { version: deal.version, nextStep: 'from one' });
    const error = await b.opportunities
      .update(deal.id, { version: readByB.version, nextStep: 'from two' })
      .catch((caught: unknown) => caught);
    expect(isRapportError(error, 'CONFLICT')).toBe(true);
    expect((await b.opportunities.get(deal.id)).nextStep).toBe('from one');
    await one.destroy();
    await two.destroy();
  });

  it('a read-only storage reads and refuses writes', async () => {
    const filename = join(directory, 'readonly.sqlite');
    const writer = createCrm({ storage: sqliteStorage({ filename }) });
    await writer.migrate();
    await writer.createTenant({ id: 'acme', name: 'Acme' });
    const owner = await writer.tenant('acme').system().users.create({ name: 'Reader' });
    await writer.destroy();

    const storage = sqliteStorage({ filename, readonly: true });
    const reader = createCrm({ storage });
    const scope = reader.tenant('acme').system();
    expect((await scope.users.get(owner.id)).name).toBe('Reader');
    await expect(scope.users.create({ name: 'Writer' })).rejects.toThrow(/readonly/i);
    expect(await scope.users.count()).toBe(1);
    await reader.destroy();
  });

  it('accepts an open better-sqlite3 database', async () => {
    const database = new Database(':memory:');
    const crm = createCrm({ storage: sqliteStorage({ database }) });
    await crm.migrate();
    await crm.createTenant({ id: 'acme', name: 'Acme' });
    const row = database.prepare('select name from tenants where id = ?').get('acme');
    expect(row).toEqual({ name: 'Acme' });
    expect(database.pragma('foreign_keys', { simple: true })).toBe(1);
    await crm.destroy();
  });
});
