import { type AnyDatabase, coreTables, createCrm } from '@rapport/core';
import { Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, expect, test } from 'vitest';
import { createTestDatabase, describePostgres, postgresUrl } from './test-database.js';

const database = createTestDatabase('introspector');
afterAll(() => database.cleanup());

const snakeCase = (name: string) => name.replaceAll(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

describePostgres('SchemaIntrospector', () => {
  test("sees only its own schema's tables, with their columns", async () => {
    const storage = database.storage();
    const other = database.storage();
    const crm = createCrm({ storage });
    const otherCrm = createCrm({ storage: other });
    try {
      await crm.migrate();
      await otherCrm.migrate();
      const introspection = new Kysely<AnyDatabase>({ dialect: storage.dialect }).introspection;
      const tables = await introspection.getTables();
      expect(tables.map((table) => table.name).sort()).toEqual(
        coreTables.map(({ table }) => snakeCase(table)).sort(),
      );
      expect(new Set(tables.map((table) => table.schema))).toEqual(new Set([storage.schema]));
      const withKysely = await introspection.getTables({ withInternalKyselyTables: true });
      expect(withKysely.map((table) => table.name)).toContain('kysely_migration');
      const amount = tables
        .find((table) => table.name === 'opportunities')
        ?.columns.find((column) => column.name === 'amount');
      expect(amount).toMatchObject({ dataType: 'int8', isNullable: true, hasDefaultValue: false });
    } finally {
      await crm.destroy();
      await otherCrm.destroy();
    }
  });

  test('is not disturbed by other schemas being dropped while it reads the catalog', async () => {
    const storage = database.storage({ max: 2 });
    const crm = createCrm({ storage });
    const churn = new pg.Client({ connectionString: postgresUrl });
    await churn.connect();
    try {
      await crm.migrate();
      const introspection = new Kysely<AnyDatabase>({ dialect: storage.dialect }).introspection;
      const schema = `${storage.schema}_churn`;
      const dropping = (async () => {
        for (let round = 0; round < 20; round++) {
          await churn.query(`create schema "${schema}"`);
          await churn.query(`create table "${schema}".t (a int)`);
          await churn.query(`drop schema "${schema}" cascade`);
        }
      })();
      const reads = Array.from({ length: 20 }, () => introspection.getTables());
      const [, ...results] = await Promise.all([dropping, ...reads]);
      for (const tables of results) expect(tables).toHaveLength(coreTables.length);
    } finally {
      await churn.end();
      await crm.destroy();
    }
  });
});
