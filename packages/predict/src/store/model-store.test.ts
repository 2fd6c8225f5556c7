import { createCrm, type RapportStorage } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresAvailable } from '../../../postgres/src/test-database.js';
import { predictPlugin } from '../plugin/predict-plugin.js';
import { cachedModel, saveModel } from './model-store.js';

const postgres = createTestDatabase('predict_store');
afterAll(() => postgres.cleanup());
const storages: readonly { readonly name: string; readonly make: () => RapportStorage }[] = [
  { name: 'sqlite', make: () => sqliteStorage({ filename: ':memory:' }) },
  ...(postgresAvailable ? [{ name: 'postgres', make: () => postgres.storage() }] : []),
];

describe.each(storages)('model store on $name', ({ make }) => {
  it('saves made at the same time each get their own version', async () => {
    const crm = createCrm({ storage: make(), plugins: [predictPlugin()] });
    try {
      await crm.migrate();
      await crm.createTenant({ id: 'acme', name: 'Acme' });
      const scope = crm.tenant('acme').system();
      const saves = await Promise.all(
        [1, 2, 3, 4].map((n) =>
          saveModel(
            scope,
            {
              kind: 'deal',
              method: 'logistic',
              trainedAt: '2026-01-01T00:00:00.000Z',
              model: { n },
              metrics: {},
            },
            { cacheKey: `key-${n}` },
          ),
        ),
      );
      expect(saves.map((s) => s.version).sort()).toEqual([1, 2, 3, 4]);
      for (const n of [1, 2, 3, 4])
        expect(
          (await cachedModel<{ n: number }, object>(scope, 'deal', `key-${n}`))?.model,
        ).toEqual({ n });
    } finally {
      await crm.destroy();
    }
  });
});
