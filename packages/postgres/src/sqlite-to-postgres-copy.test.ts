import {
  type AnyDatabase,
  type CopiedTable,
  type Crm,
  copyStorage,
  coreTables,
  createCrm,
  definePlugin,
  isRapportError,
  type RapportStorage,
  standardObjects,
} from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { generateCrmData, importMavenCrm, insertGeneratedData } from '@rapport/testing';
import { CamelCasePlugin, Kysely, sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestDatabase, describePostgres } from './test-database.js';

const database = createTestDatabase('copy');
afterAll(() => database.cleanup());

/** A kysely over a storage an engine also uses; the engine's destroy() closes it. */
function rawDb(storage: RapportStorage): Kysely<AnyDatabase> {
  return new Kysely<AnyDatabase>({ dialect: storage.dialect, plugins: [new CamelCasePlugin()] });
}

/** Every row of a table in key order, JSON columns parsed, so two dialects compare cell by cell. */
async function dump(storage: RapportStorage, spec: CopiedTable) {
  let query = rawDb(storage).selectFrom(spec.table).selectAll();
  for (const column of spec.key) query = query.orderBy(column);
  const rows: Record<string, unknown>[] = await query.execute();
  const json = new Set(spec.json ?? []);
  return rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([column, cell]) => [
        column,
        json.has(column) && cell != null ? storage.sql.parseJson(cell) : cell,
      ]),
    ),
  );
}

async function countsPerTable(storage: RapportStorage): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { table } of coreTables) {
    const row = await rawDb(storage)
      .selectFrom(table)
      .select(sql<number>`count(*)`.as('rows'))
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.rows);
  }
  return counts;
}

async function amountByStatus(storage: RapportStorage) {
  return rawDb(storage)
    .selectFrom('opportunities')
    .select(['tenantId', 'status', sql<number>`sum(amount)`.as('amount')])
    .groupBy(['tenantId', 'status'])
    .orderBy('tenantId')
    .orderBy('status')
    .execute();
}

function firstId(page: { readonly items: readonly { readonly id: string }[] }): string {
  const [user] = page.items;
  if (!user) throw new Error('the generator made no user');
  return user.id;
}

// 32,000 rows copied and compared cell by cell: generous limits for a loaded CI machine.
const copyTimeout = 180_000;

describePostgres('copyStorage from SQLite to Postgres', () => {
  let source: Crm;
  let target: Crm;

  beforeAll(async () => {
    source = createCrm({ storage: sqliteStorage({ filename: ':memory:' }) });
    await source.migrate();
    // The Maven CRM sample (8,800 deals) ...
    await source.createTenant({ id: 'maven', name: 'MavenTech', baseCurrency: 'USD' });
    await importMavenCrm(source.tenant('maven').system());
    // ... and a generated tenant for the tables Maven leaves empty (leads, activities, ...).
    const generated = await source.createTenant({ id: 'gen', name: 'Generated' });
    await insertGeneratedData(
      rawDb(source.storage),
      generateCrmData({
        tenantId: 'gen',
        pipelineId: generated.defaultPipelineId ?? '',
        seed: 3,
        opportunities: 300,
      }),
    );
    const admin = source.tenant('gen').system();
    await admin.currencies.setRate('USD', 0.92);
    // Sharing settings are a row of their own: a tenant that changed them has one to copy.
    await admin.sharing.update({ teams: 'read' });
    // A converted lead brings a contact, which neither data set has.
    const lead = await admin.leads.create({
      lastName: 'Doe',
      company: 'Initech',
      ownerId: firstId(await admin.users.list({ limit: 1 })),
    });
    await admin.leads.convert(lead.id);
    const [contract] = (await admin.contracts.list({ limit: 1 })).items;
    if (!contract) throw new Error('the generator made no contract');
    await admin.contracts.create({
      accountId: contract.accountId,
      ownerId: contract.ownerId,
      startDate: '2027-01-01',
      monthlyAmount: 99_00,
      renewalOfId: contract.id,
      custom: {},
    });
    target = createCrm({ storage: database.storage() });
  }, copyTimeout);
  afterAll(async () => {
    await source.destroy();
    await target.destroy();
  });

  test(
    'copies every core table with identical rows, counts and sums, in foreign-key order',
    async () => {
      const progress: string[] = [];
      const report = await copyStorage(source, target, {
        batchSize: 1000,
        onProgress: ({ table }) => progress.push(table),
      });
      const counts = await countsPerTable(source.storage);
      console.log(`copied ${report.rows} rows: ${JSON.stringify(counts)}`);

      expect(counts.opportunities).toBe(8800 + 300 + 1);
      // Rollups derive from KPI plugins, which this engine has none of: their tables stay empty
      // (the rollup conformance suite covers them); every other table has rows to copy.
      for (const table of coreTables.filter(({ table }) => !table.startsWith('rollup')))
        expect(counts[table.table], table.table).toBeGreaterThan(0);
      expect(await countsPerTable(target.storage)).toEqual(counts);
      expect(Object.fromEntries(report.tables.map(({ table, rows }) => [table, rows]))).toEqual(
        counts,
      );
      expect(new Set(progress)).toEqual(
        new Set(coreTables.map(({ table }) => table).filter((table) => (counts[table] ?? 0) > 0)),
      );

      const sums = await amountByStatus(source.storage);
      expect(sums.filter((row) => row.tenantId === 'maven').length).toBe(3);
      expect(await amountByStatus(target.storage)).toEqual(sums);

      for (const spec of coreTables) {
        expect(await dump(target.storage, spec), spec.table).toEqual(
          await dump(source.storage, spec),
        );
      }
      // Self references were deferred and then restored.
      const managed = await target
        .tenant('maven')
        .system()
        .users.count({ managerId: { isNull: false } });
      expect(managed).toBe(35);
    },
    copyTimeout,
  );

  test('lists every standard object table, each after the tables it references', () => {
    const tables = coreTables.map(({ table }) => table);
    for (const definition of Object.values(standardObjects)) {
      expect(tables).toContain(definition.table);
    }
    // Spot checks of the order the foreign keys require.
    const before = (a: string, b: string) =>
      expect(tables.indexOf(a)).toBeLessThan(tables.indexOf(b));
    before('tenants', 'users');
    before('teams', 'users');
    before('opportunities', 'leads');
    before('leads', 'activities');
    before('products', 'contracts');
  });

  test(
    'refuses a non-empty target and leaves it as it was; replace overwrites it',
    async () => {
      const counts = await countsPerTable(target.storage);
      const refused = await copyStorage(source, target).catch((error: unknown) => error);
      expect(isRapportError(refused, 'CONFLICT')).toBe(true);
      expect(await countsPerTable(target.storage)).toEqual(counts);

      const admin = target.tenant('maven').system();
      const stray = await admin.products.create({ name: 'Only in the target', listPrice: 1 });
      const report = await copyStorage(source, target, { replace: true });
      expect(report.rows).toBe(Object.values(counts).reduce((sum, rows) => sum + rows, 0));
      expect(await admin.products.find(stray.id)).toBeUndefined();
      expect(await countsPerTable(target.storage)).toEqual(counts);
    },
    copyTimeout,
  );

  test(
    'copies back from Postgres into a new SQLite database with the same rows',
    async () => {
      const back = createCrm({ storage: sqliteStorage({ filename: ':memory:' }) });
      try {
        // Bare storages on both ends: the copy migrates the target through an engine of its own.
        await copyStorage(target.storage, back.storage);
        for (const spec of coreTables) {
          expect(await dump(back.storage, spec), spec.table).toEqual(
            await dump(source.storage, spec),
          );
        }
      } finally {
        await back.destroy();
      }
    },
    copyTimeout,
  );
});

/** A plugin with a table of its own, referencing accounts by (tenantId, id) like core's tables. */
const surveyPlugin = definePlugin({
  id: 'surveys',
  migrations: {
    '0001-survey-answers': {
      async up(db, { types }) {
        await db.schema
          .createTable('surveyAnswers')
          .addColumn('tenantId', types.text, (c) => c.notNull().references('tenants.id'))
          .addColumn('id', types.text, (c) => c.notNull())
          .addColumn('accountId', types.text, (c) => c.notNull())
          .addColumn('score', types.double, (c) => c.notNull())
          .addColumn('answeredAt', types.timestamp, (c) => c.notNull())
          .addColumn('answers', types.json, (c) => c.notNull())
          .addPrimaryKeyConstraint('survey_answers_pk', ['tenantId', 'id'])
          .addForeignKeyConstraint(
            'survey_answers_account_fk',
            ['tenantId', 'accountId'],
            'accounts',
            ['tenantId', 'id'],
          )
          .execute();
      },
    },
  },
});

const surveyAnswers: CopiedTable = {
  table: 'surveyAnswers',
  key: ['tenantId', 'id'],
  json: ['answers'],
};

describePostgres('copyStorage with a plugin table', () => {
  test('migrates the plugin on the target and copies the tables given in extraTables', async () => {
    const source = createCrm({
      storage: sqliteStorage({ filename: ':memory:' }),
      plugins: [surveyPlugin],
    });
    const target = createCrm({ storage: database.storage(), plugins: [surveyPlugin] });
    try {
      await source.migrate();
      await source.createTenant({ id: 'acme', name: 'Acme' });
      const admin = source.tenant('acme').system();
      const owner = await admin.users.create({ name: 'Owner', role: 'rep' });
      const account = await admin.accounts.create({ name: 'Globex', ownerId: owner.id });
      await rawDb(source.storage)
        .insertInto('surveyAnswers')
        .values(
          [1, 2, 3].map((n) => ({
            tenantId: 'acme',
            id: `answer-${n}`,
            accountId: account.id,
            score: n + 0.5,
            answeredAt: `2026-0${n}-15T08:00:00.000Z`,
            answers: source.storage.sql.jsonParameter({ nps: n * 3, comment: `ok ${n}` }),
          })),
        )
        .execute();

      const report = await copyStorage(source, target, { extraTables: [surveyAnswers] });

      expect(report.tables.at(-1)).toEqual({ table: 'surveyAnswers', rows: 3 });
      expect(await dump(target.storage, surveyAnswers)).toEqual(
        await dump(source.storage, surveyAnswers),
      );
      expect((await dump(target.storage, surveyAnswers))[2]).toMatchObject({
        score: 3.5,
        answeredAt: '2026-03-15T08:00:00.000Z',
        answers: { nps: 9, comment: 'ok 3' },
      });
    } finally {
      await source.destroy();
      await target.destroy();
    }
  });
});
