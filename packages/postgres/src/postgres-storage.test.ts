import { createCrm, isRapportError, type RapportStorage } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { describeStorageConformance } from '@rapport/testing';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, expect, test } from 'vitest';
import { z } from 'zod';
import { postgresDialectSql } from './postgres-dialect-sql.js';
import { postgresStorage } from './postgres-storage.js';
import { createTestDatabase, describePostgres, postgresUrl } from './test-database.js';

const database = createTestDatabase('storage');
afterAll(() => database.cleanup());

// The same suite as @rapport/sqlite runs, each group on a fresh schema (dropped in cleanup).
describePostgres('on a real server', () => {
  describeStorageConformance('postgres', () => database.storage());
});

const fields = { opportunity: { score: z.number().optional(), region: z.string().optional() } };

/** Runs the same writes on a storage with a pinned clock and returns what the engine read back. */
async function scenario(storage: RapportStorage) {
  let tick = Date.parse('2026-03-01T09:30:00.123Z');
  const now = () => {
    tick += 1000;
    return new Date(tick);
  };
  const crm = createCrm({ storage, fields, now });
  try {
    await crm.migrate();
    await crm.createTenant({ id: 'acme', name: 'Acme', baseCurrency: 'EUR' });
    const admin = crm.tenant('acme').system();
    await admin.currencies.setRate('USD', 0.92);
    const rep = await admin.users.create({ name: 'Rita', role: 'rep', email: 'rita@example.com' });
    const account = await admin.accounts.create({
      name: 'Globex',
      ownerId: rep.id,
      annualRevenue: 1234.5,
      numberOfEmployees: 9_007_199_254_740_991,
    });
    const deal = await admin.opportunities.create({
      name: 'Big deal',
      accountId: account.id,
      ownerId: rep.id,
      amount: 4_500_000_000_000_00,
      currency: 'USD',
      openDate: '2026-01-31',
      closeDate: '2026-02-28',
      custom: { score: 7.5, region: 'DACH' },
    });
    const moved = await admin.opportunities.update(deal.id, {
      version: deal.version,
      stage: 'Negotiation/Review',
      custom: { score: 9 },
    });
    const history = await admin.stageHistory.list({ where: { opportunityId: deal.id } });
    const scored = await admin.opportunities.count({ custom: { score: { gt: 8 } } });
    const dach = await admin.opportunities.count({ custom: { region: 'DACH' } });
    const query = await admin.from('opportunity');
    const totals = await query
      .select([
        sql<number>`sum(t.amount)`.as('total'),
        sql<number>`count(*)`.as('deals'),
        admin.dialect.daysBetween(sql.ref('t.openDate'), sql.ref('t.closeDate')).as('days'),
        admin.dialect
          .daysBetween(sql.ref('t.createdAt'), sql.ref('t.updatedAt'))
          .as('secondsAsDays'),
      ])
      .groupBy(['t.openDate', 't.closeDate', 't.createdAt', 't.updatedAt'])
      .executeTakeFirstOrThrow();
    const converted = await admin.currencies.convert({ amount: 100_00, currency: 'USD' });
    const { secondsAsDays, ...exact } = totals;
    return {
      // SQLite's julianday carries float noise in the tenth digit; Postgres is exact.
      secondsAsDays: Math.round(secondsAsDays * 86_400 * 1000) / 1000,
      tenant: await admin.settings(),
      account: await admin.accounts.get(account.id),
      moved,
      history: history.items,
      scored,
      dach,
      totals: exact,
      converted,
    };
  } finally {
    await crm.destroy();
  }
}

/** Replaces generated ids (UUID v7) so two runs can be compared field by field. */
function withoutIds(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value).replaceAll(
      /[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}/g,
      '<id>',
    ),
  );
}

describePostgres('postgresStorage', () => {
  test('reads back records identical to SQLite (numbers, instants, days, JSON)', async () => {
    const onPostgres = await scenario(database.storage());
    const onSqlite = await scenario(sqliteStorage({ filename: ':memory:' }));
    expect(withoutIds(onPostgres)).toEqual(withoutIds(onSqlite));
    // And the shared shape is the documented one, not merely the same on both.
    expect(onPostgres.moved.amount).toBe(4_500_000_000_000_00);
    expect(onPostgres.account.numberOfEmployees).toBe(9_007_199_254_740_991);
    expect(onPostgres.moved.updatedAt).toMatch(/^2026-03-01T09:30:\d\d\.123Z$/);
    expect(onPostgres.moved.closeDate).toBe('2026-02-28');
    expect(onPostgres.moved.custom).toEqual({ score: 9, region: 'DACH' });
    expect(onPostgres.history.map((row) => row.stage)).toEqual([
      'Prospecting',
      'Negotiation/Review',
    ]);
    expect(onPostgres.scored).toBe(1);
    expect(onPostgres.dach).toBe(1);
    expect(onPostgres.totals).toEqual({ total: 4_500_000_000_000_00, deals: 1, days: 28 });
    const { createdAt, updatedAt } = onPostgres.moved;
    expect(onPostgres.secondsAsDays).toBe((Date.parse(updatedAt) - Date.parse(createdAt)) / 1000);
    expect(onPostgres.secondsAsDays).toBeGreaterThan(0);
    expect(onPostgres.converted).toEqual({ amount: 92_00, currency: 'EUR' });
  });

  test('turns unique and foreign key violations into CONFLICT', async () => {
    const crm = createCrm({ storage: database.storage() });
    try {
      await crm.migrate();
      await crm.createTenant({ id: 'acme', name: 'Acme' });
      const admin = crm.tenant('acme').system();
      const rep = await admin.users.create({ name: 'Rita', role: 'rep', externalId: 'r1' });
      const duplicate = await admin.users
        .create({ name: 'Rita again', role: 'rep', externalId: 'r1' })
        .catch((error: unknown) => error);
      expect(isRapportError(duplicate, 'CONFLICT')).toBe(true);
      await admin.accounts.create({ name: 'Globex', ownerId: rep.id });
      const referenced = await admin.users.delete(rep.id).catch((error: unknown) => error);
      expect(isRapportError(referenced, 'CONFLICT')).toBe(true);
      expect(await admin.users.count()).toBe(1);
    } finally {
      await crm.destroy();
    }
  });

  test('needs a connection string or a pool', () => {
    expect(() => postgresStorage({})).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED', name: 'RapportError' }),
    );
  });

  test('classifies serialization failures and deadlocks as retryable conflicts', async () => {
    const { classifyError } = postgresDialectSql;
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    try {
      const caught = await client
        .query(`do $$ begin raise exception 'deadlock' using errcode = '40P01'; end $$`)
        .catch((error: unknown) => error);
      expect(classifyError(caught)).toBe('serialization');
      const serialization = await client
        .query(`do $$ begin raise exception 'retry' using errcode = '40001'; end $$`)
        .catch((error: unknown) => error);
      expect(classifyError(serialization)).toBe('serialization');
      const other = await client.query('select 1 / 0').catch((error: unknown) => error);
      expect(classifyError(other)).toBeUndefined();
    } finally {
      await client.end();
    }
  });

  test('keeps each schema apart: two Rapport schemas in one database migrate and hold their own rows', async () => {
    const first = createCrm({ storage: database.storage() });
    const second = createCrm({ storage: database.storage() });
    try {
      // Every core migration runs in each schema (the list grows with core; the first ones are fixed).
      const core = (await first.migrate()).applied;
      expect(core.slice(0, 4)).toEqual([
        'core:0001-init',
        'core:0002-kpi-covering-indexes',
        'core:0003-widen-kpi-indexes',
        'core:0004-list-indexes',
      ]);
      expect(core.every((name) => name.startsWith('core:'))).toBe(true);
      expect((await second.migrate()).applied).toEqual(core);
      expect((await second.migrate()).applied).toEqual([]);
      await first.createTenant({ id: 'acme', name: 'Acme' });
      await second.createTenant({ id: 'acme', name: 'Acme in the second schema' });
      expect((await first.tenant('acme').system().settings()).name).toBe('Acme');
      expect((await second.tenant('acme').system().settings()).name).toBe(
        'Acme in the second schema',
      );
    } finally {
      await first.destroy();
      await second.destroy();
    }
  });

  test('installs its type parsers on a pool the application made, leaving pg.types alone', async () => {
    const schemaStorage = database.storage();
    const pool = new pg.Pool({ connectionString: postgresUrl, max: 2 });
    const crm = createCrm({
      storage: postgresStorage({ pool, schema: schemaStorage.schema }),
    });
    try {
      await crm.migrate();
      await crm.createTenant({ id: 'acme', name: 'Acme' });
      const admin = crm.tenant('acme').system();
      const product = await admin.products.create({ name: 'Widget', listPrice: 12_345 });
      expect(product.listPrice).toBe(12_345);
      expect((await admin.products.get(product.id)).createdAt).toMatch(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
      );
      // The process-wide registry still gives pg's defaults: int8 as a string.
      expect(pg.types.getTypeParser(20, 'text')('12345')).toBe('12345');
    } finally {
      await crm.destroy();
    }
    expect(pool.ended).toBe(true);
  });
});
