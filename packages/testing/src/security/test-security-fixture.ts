/**
 * @internal The tenants and users the named vulnerability tests start from: tenant `acme` with
 * an admin, a manager, a rep under the manager (Rita) and a rep outside the team (Otto), each
 * rep with an account, a deal and a contact; tenant `other` with its own admin and account.
 */
import { createCrm, type RapportStorage } from '@rapport/core';
import { closingPlugin } from '@rapport/kpi-closing';
import { pipelinePlugin } from '@rapport/kpi-pipeline';
import { sqliteStorage } from '@rapport/sqlite';

/** @internal Builds the fixture (see the file comment) on an in-memory SQLite database. */
export function securityFixture() {
  return securityFixtureOn(() => sqliteStorage({ filename: ':memory:' }));
}

/** @internal The fixture on the storage `make` returns (the sharing tests run on Postgres too). */
export async function securityFixtureOn<TStorage extends RapportStorage>(make: () => TStorage) {
  const storage = make();
  const crm = createCrm({ storage, plugins: [pipelinePlugin, closingPlugin] });
  await crm.migrate();
  await crm.createTenant({ id: 'acme', name: 'Acme' });
  await crm.createTenant({ id: 'other', name: 'Other' });
  const system = crm.tenant('acme').system();
  const admin = await system.users.create({ name: 'Ada Admin', role: 'admin' });
  const manager = await system.users.create({ name: 'Max Manager', role: 'manager' });
  const rita = await system.users.create({ name: 'Rita Rep', role: 'rep', managerId: manager.id });
  const otto = await system.users.create({ name: 'Otto Rep', role: 'rep' });
  const product = await system.products.create({ name: 'Seat', listPrice: 100_00 });
  const holdingsOf = async (ownerId: string, label: string) => {
    const account = await system.accounts.create({
      name: `${label} account`,
      ownerId,
      industry: `${label} industry`,
    });
    const deal = await system.opportunities.create({
      name: `${label} deal`,
      ownerId,
      accountId: account.id,
      closeDate: '2026-12-31',
      amount: label === 'Otto' ? 777_777_00 : 1_000_00,
    });
    const contact = await system.contacts.create({
      lastName: `${label} contact`,
      ownerId,
      accountId: account.id,
      email: `${label.toLowerCase()}@example.com`,
    });
    return { account, deal, contact };
  };
  const otherSystem = crm.tenant('other').system();
  const otherAdmin = await otherSystem.users.create({ name: 'Other Admin', role: 'admin' });
  const otherAccount = await otherSystem.accounts.create({
    name: 'Other tenant secret',
    ownerId: otherAdmin.id,
  });
  return {
    crm,
    storage,
    system,
    users: { admin, manager, rita, otto },
    product,
    rita: await holdingsOf(rita.id, 'Rita'),
    otto: await holdingsOf(otto.id, 'Otto'),
    other: { admin: otherAdmin, account: otherAccount, scope: crm.tenant('other').as(otherAdmin) },
    ritaScope: crm.tenant('acme').as({ id: rita.id, role: 'rep' }),
    managerScope: crm.tenant('acme').as({ id: manager.id, role: 'manager' }),
  };
}

/** @internal The error a promise rejects with, or a failure when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the call succeeded');
}

/**
 * @internal Every table of the database, rows sorted, as one string: what "nothing changed"
 * compares (the `.dump` of the data without SQLite's own bookkeeping).
 */
export function databaseDump(database: {
  prepare(sql: string): { all(...args: unknown[]): unknown[] };
}): string {
  const tables = database
    .prepare("select name, sql from sqlite_master where type = 'table' order by name")
    .all() as { name: string; sql: string }[];
  return tables
    .map(({ name, sql }) => {
      const rows = database.prepare(`select * from "${name.replaceAll('"', '""')}"`).all();
      const lines = rows.map((row) => JSON.stringify(row)).sort();
      return `${sql}\n${lines.join('\n')}`;
    })
    .join('\n\n');
}
