import {
  type Crm,
  createCrm,
  definePlugin,
  type RapportMigration,
  type RapportStorage,
} from '@rapport/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConformanceSetup } from './conformance-context.js';

/** A plugin table made with the storage's column types, written and read back in SQL. */
const createScores: RapportMigration = {
  async up(db, { types }) {
    await db.schema
      .createTable('conformanceScores')
      .addColumn('tenantId', types.text, (c) => c.notNull())
      .addColumn('score', types.integer, (c) => c.notNull())
      .addColumn('amount', types.bigint)
      .addColumn('ratio', types.double)
      .addColumn('at', types.timestamp)
      .addColumn('day', types.date)
      .addColumn('doc', types.json)
      .execute();
    await db
      .insertInto('conformanceScores')
      .values({ tenantId: 't1', score: 9, amount: Number.MAX_SAFE_INTEGER, ratio: 0.25 })
      .execute();
  },
};

/** Runs only if the previous migration's row is there: "applied" then means "verified". */
const checkScores: RapportMigration = {
  async up(db) {
    const rows = await db
      .selectFrom('conformanceScores')
      .select(['score', 'amount', 'ratio'])
      .execute();
    const [row] = rows;
    if (
      row === undefined ||
      rows.length !== 1 ||
      Number(row.score) !== 9 ||
      Number(row.amount) !== Number.MAX_SAFE_INTEGER ||
      Number(row.ratio) !== 0.25
    ) {
      throw new Error(`conformanceScores holds ${JSON.stringify(rows)}`);
    }
  },
};

// Declared in reverse to prove they run sorted by name.
const scoresPlugin = definePlugin({
  id: 'conformance-scores',
  migrations: { '0002-check': checkScores, '0001-create': createScores },
});

/** @internal kysely migrations of core and plugins, through `crm.migrate()`. */
export function migrationCases(setup: ConformanceSetup): void {
  describe('migrations', () => {
    // This group needs a storage nobody has migrated, so it makes its own.
    let storage: RapportStorage;
    const engines: Crm[] = [];
    const engine = (plugins: Parameters<typeof createCrm>[0]['plugins'] = []): Crm => {
      const crm = createCrm({ storage, plugins });
      engines.push(crm);
      return crm;
    };
    beforeAll(async () => {
      storage = await setup.makeStorage();
    });
    afterAll(async () => {
      // Every engine shares the storage's connection; closing one closes it for all.
      await engines[0]?.destroy();
      if (storage) await setup.options.cleanup?.(storage);
    });

    it('core migrations run on a new storage, once', async () => {
      const crm = engine();
      const first = await crm.migrate();
      expect(first.applied.length).toBeGreaterThan(0);
      expect(first.applied.every((name) => name.startsWith('core:'))).toBe(true);
      expect(await crm.migrate()).toEqual({ applied: [] });
      await crm.createTenant({ id: 'migrated', name: 'Migrated' });
      expect(await crm.tenant('migrated').system().pipelines.count()).toBe(1);
    });

    it('a plugin added later brings its migrations, which run once, in name order', async () => {
      const crm = engine([scoresPlugin]);
      expect(await crm.migrate()).toEqual({
        applied: ['plugin:conformance-scores:0001-create', 'plugin:conformance-scores:0002-check'],
      });
      expect(await engine([scoresPlugin]).migrate()).toEqual({ applied: [] });
    });

    it('an engine without a plugin whose migrations ran migrates the rest (a tool opening the database with fewer plugins)', async () => {
      // The plugin's migrations ran in the case above; this engine does not load the plugin.
      expect(await engine([]).migrate()).toEqual({ applied: [] });
      const later = definePlugin({
        id: 'conformance-later',
        migrations: {
          '0001-noop': { up: async () => {} },
        },
      });
      expect(await engine([later]).migrate()).toEqual({
        applied: ['plugin:conformance-later:0001-noop'],
      });
    });

    it('a failing migration rejects, leaves no trace, and runs again next time', async () => {
      let attempts = 0;
      const flaky = definePlugin({
        id: 'conformance-flaky',
        migrations: {
          '0001-flaky': {
            async up(db, { types }) {
              attempts += 1;
              await db.schema
                .createTable('conformanceFlaky')
                .addColumn('id', types.text, (c) => c.primaryKey())
                .execute();
              if (attempts === 1) throw new Error('the first attempt fails');
            },
          },
        },
      });
      await expect(engine([scoresPlugin, flaky]).migrate()).rejects.toThrow(
        'the first attempt fails',
      );
      // The table of the failed attempt is gone with its transaction, or the retry could not create it.
      expect(await engine([scoresPlugin, flaky]).migrate()).toEqual({
        applied: ['plugin:conformance-flaky:0001-flaky'],
      });
      expect(attempts).toBe(2);
    });
  });
}
