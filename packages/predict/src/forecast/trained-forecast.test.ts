import { createCrm, type RapportStorage } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresAvailable } from '../../../postgres/src/test-database.js';
import { seededRandom } from '../math/random.js';
import { predictPlugin } from '../plugin/predict-plugin.js';
import { predict } from '../predict.js';
import { latestModel } from '../store/model-store.js';
import { predictTablesOf } from '../store/plugin-database.js';

const postgres = createTestDatabase('h_forecast_cache');
afterAll(() => postgres.cleanup());

function day(offset: number): string {
  return new Date(Date.parse('2025-07-01T00:00:00Z') + offset * 86_400_000)
    .toISOString()
    .slice(0, 10);
}

/** 160 deals from 2025-07 on, 130 closed won (about 40 %) or lost 20 to 80 days after opening. */
async function seeded(storage: RapportStorage) {
  let clock = Date.parse('2025-07-01T09:00:00Z');
  const crm = createCrm({ storage, plugins: [predictPlugin()], now: () => new Date(clock) });
  await crm.migrate();
  await crm.createTenant({ id: 'acme', name: 'Acme', baseCurrency: 'EUR', timeZone: 'UTC' });
  const system = crm.tenant('acme').system();
  const rep = await system.users.create({ name: 'Rita Rep', role: 'rep' });
  const random = seededRandom(4);
  const open: { id: string; version: number }[] = [];
  for (let i = 0; i < 160; i++) {
    const start = Math.floor(i * 1.7);
    const length = 20 + Math.floor(random() * 60);
    clock = Date.parse(`${day(start)}T09:00:00Z`);
    const deal = await system.opportunities.create({
      name: `Deal ${i}`,
      ownerId: rep.id,
      openDate: day(start),
      closeDate: day(start + length),
      amount: (1000 + Math.floor(random() * 9000)) * 100,
    });
    const won = random() < 0.4;
    if (i >= 130) {
      open.push(deal);
      continue;
    }
    clock = Date.parse(`${day(start + length)}T09:00:00Z`);
    if (won) await system.opportunities.closeWon(deal.id, { version: deal.version });
    else
      await system.opportunities.closeLost(deal.id, { version: deal.version, lostReason: 'Price' });
  }
  clock = Date.parse('2026-04-01T09:00:00Z');
  return { crm, system, open, rep };
}

const backends = [
  { name: 'sqlite', storage: () => sqliteStorage() },
  ...(postgresAvailable ? [{ name: 'postgres', storage: () => postgres.storage() }] : []),
];

describe.each(backends)('the forecast keeps its trained deal model ($name)', (backend) => {
  it('reuses it for the same inputs, and trains again after a write', async () => {
    const { crm, system, open } = await seeded(backend.storage());
    const options = { period: '2026-Q2', asOf: '2026-04-01', runs: 500, seed: 3 } as const;
    const started = performance.now();
    const first = await predict(system).forecast(options);
    const firstMs = performance.now() - started;
    const stored = await latestModel(system, 'deal');
    expect(first.model).not.toBeNull();
    expect(stored?.version).toBe(first.model?.version);
    expect(stored?.trainedAt).toBe(first.model?.trainedAt);

    const again = performance.now();
    const second = await predict(system).forecast(options);
    const secondMs = performance.now() - again;
    // The same stored version, not a new training: and the same figures from it.
    expect(second.model).toEqual(first.model);
    expect((await latestModel(system, 'deal'))?.version).toBe(first.model?.version);
    expect(second).toEqual(first);
    console.info(
      `${backend.name}: first forecast ${firstMs.toFixed(0)} ms (trains), second ${secondMs.toFixed(0)} ms (stored model)`,
    );

    // Another forecast day is another model.
    const later = await predict(system).forecast({ ...options, asOf: '2026-04-15' });
    expect(later.model?.version).toBeGreaterThan(first.model?.version ?? 0);

    // A write to an opportunity (and so its stage history) invalidates both.
    const deal = open[0];
    if (!deal) throw new Error('an open deal');
    await system.opportunities.update(deal.id, { version: deal.version, amount: 99_999_00 });
    const afterWrite = await predict(system).forecast(options);
    expect(afterWrite.model?.version).toBeGreaterThan(later.model?.version ?? 0);
    expect(afterWrite.model?.trainedAt).not.toBe(first.model?.trainedAt);

    // One row per trained model: the reused call stored nothing.
    const rows = await predictTablesOf(system)
      .selectFrom('predictModels')
      .select(['version'])
      .where('kind', '=', 'deal')
      .execute();
    expect(rows).toHaveLength(3);
    await crm.destroy();
  }, 120_000);
});
