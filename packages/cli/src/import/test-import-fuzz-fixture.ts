/**
 * @internal The database side of the import fuzz: the migrated fixture it imports into and the
 * dump that shows whether anything changed.
 */
import type { ObjectName } from '@rapport/core';
import { type QueryExecutorProvider, sql } from 'kysely';
import { openCrm } from '../database/open-crm.js';

/** The tenant the fuzz imports into. */
export const fuzzTenant = 'fuzz';

/**
 * Every table with its rows sorted, as one string: what "nothing changed" compares. SQLite
 * tables come with their DDL; PostgreSQL ones are those of the search path's schema.
 */
export async function databaseDump(
  db: QueryExecutorProvider,
  dialect: 'sqlite' | 'postgres' = 'sqlite',
): Promise<string> {
  const tables =
    dialect === 'sqlite'
      ? await sql<{ name: string; sql: string }>`
          select name, sql from sqlite_master where type = 'table' order by name`.execute(db)
      : await sql<{ name: string; sql: string }>`
          select table_name as name, table_name as sql from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE'
          order by table_name`.execute(db);
  const parts: string[] = [];
  for (const { name, sql: ddl } of tables.rows) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(db);
    parts.push(
      `${ddl}\n${rows.rows
        .map((row) => JSON.stringify(row))
        .sort()
        .join('\n')}`,
    );
  }
  return parts.join('\n\n');
}

/**
 * A migrated database (`:memory:` or a SQLite file) opened as the CLI opens it, with one record
 * of each kind to refer to, and a valid row (CSV text by field) for every importable object.
 */
export async function importFuzzFixture(location = ':memory:') {
  const opened = await openCrm(location, { migrate: true });
  await opened.crm.createTenant({ id: fuzzTenant, name: 'Fuzz GmbH', baseCurrency: 'EUR' });
  const system = opened.crm.tenant(fuzzTenant).system();
  const rep = await system.users.create({ name: 'Rita Rep', role: 'rep' });
  const account = await system.accounts.create({ name: 'Globex', ownerId: rep.id });
  const product = await system.products.create({ name: 'Seat', listPrice: 100_00 });
  const deal = await system.opportunities.create({
    name: 'Deal',
    ownerId: rep.id,
    accountId: account.id,
    closeDate: '2026-12-31',
  });
  const stages = JSON.stringify([
    { name: 'Open', probability: 20, forecastCategory: 'Pipeline', status: 'open' },
    { name: 'Won', probability: 100, forecastCategory: 'Closed', status: 'won' },
    { name: 'Lost', probability: 0, forecastCategory: 'Omitted', status: 'lost' },
  ]);
  const base: Partial<Record<ObjectName, Record<string, string>>> = {
    user: { name: 'Uma User' },
    team: { name: 'North' },
    account: { name: 'Initech', ownerId: rep.id },
    contact: { lastName: 'Doe', ownerId: rep.id },
    campaign: { name: 'Spring fair' },
    lead: { lastName: 'Kim', company: 'Umbrella', ownerId: rep.id },
    product: { name: 'Gadget' },
    pipeline: { name: 'Short', stages },
    opportunity: { name: 'Big deal', closeDate: '2026-11-30', ownerId: rep.id },
    lineItem: { opportunityId: deal.id, productId: product.id, quantity: '2' },
    activity: { type: 'call', subject: 'Hello', ownerId: rep.id },
    quota: { ownerId: rep.id, periodStart: '2026-01-01', periodEnd: '2026-03-31', amount: '100' },
    contract: {
      accountId: account.id,
      ownerId: rep.id,
      startDate: '2026-01-01',
      monthlyAmount: '10.50',
    },
  };
  return { ...opened, system, base };
}
