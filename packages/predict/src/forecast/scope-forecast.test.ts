import { createCrm, type RapportStorage } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresAvailable } from '../../../postgres/src/test-database.js';
import { seededRandom } from '../math/random.js';
import { predictPlugin } from '../plugin/predict-plugin.js';
import { predict } from '../predict.js';

const postgres = createTestDatabase('predict_forecast');
afterAll(() => postgres.cleanup());

function day(offset: number): string {
  return new Date(Date.parse('2025-07-01T00:00:00Z') + offset * 86_400_000)
    .toISOString()
    .slice(0, 10);
}

/**
 * Two reps; 150 deals opened from 2025-07 on, each closed won (about 40 %) or lost 20 to 80 days
 * later, as of its own day (the clock moves); 30 deals still open on 2026-04-01; a quota each.
 */
async function run(storage: RapportStorage) {
  let clock = Date.parse('2025-07-01T09:00:00Z');
  const crm = createCrm({ storage, plugins: [predictPlugin()], now: () => new Date(clock) });
  await crm.migrate();
  await crm.createTenant({ id: 'acme', name: 'Acme', baseCurrency: 'EUR', timeZone: 'UTC' });
  const system = crm.tenant('acme').system();
  const reps = [
    await system.users.create({ name: 'Rita Rep', role: 'rep' }),
    await system.users.create({ name: 'Otto Rep', role: 'rep' }),
  ];
  const random = seededRandom(3);
  for (let i = 0; i < 180; i++) {
    const open = Math.floor(i * 1.5);
    const length = 20 + Math.floor(random() * 60);
    const owner = reps[i % 2]?.id ?? '';
    clock = Date.parse(`${day(open)}T09:00:00Z`);
    const deal = await system.opportunities.create({
      name: `Deal ${i}`,
      ownerId: owner,
      openDate: day(open),
      closeDate: day(open + length),
      amount: (1000 + Math.floor(random() * 9000)) * 100,
    });
    const won = random() < 0.4;
    if (i >= 150) continue;
    clock = Date.parse(`${day(open + length)}T09:00:00Z`);
    if (won) await system.opportunities.closeWon(deal.id, { version: deal.version });
    else
      await system.opportunities.closeLost(deal.id, { version: deal.version, lostReason: 'Price' });
  }
  for (const rep of reps)
    await system.quotas.create({
      ownerId: rep.id,
      periodStart: '2026-04-01',
      periodEnd: '2026-06-30',
      amount: 40_000_00,
    });
  const options = {
    period: '2026-Q2',
    asOf: '2026-04-01',
    by: 'owner',
    runs: 2000,
    seed: 9,
  } as const;
  const all = await predict(system).forecast(options);
  const rep = reps[0];
  const mine = rep
    ? await predict(crm.tenant('acme').as({ id: rep.id, role: 'rep' })).forecast(options)
    : null;
  await crm.destroy();
  return { all, mine, repId: rep?.id ?? '' };
}

const backends = [
  { name: 'sqlite', storage: () => sqliteStorage() },
  ...(postgresAvailable ? [{ name: 'postgres', storage: () => postgres.storage() }] : []),
];
const results = new Map<string, Awaited<ReturnType<typeof run>>>();

beforeAll(async () => {
  for (const backend of backends) results.set(backend.name, await run(backend.storage()));
}, 240_000);

describe('the forecast through a scope', () => {
  it('orders its quantiles, and a rep sees their own deals against their own quota', () => {
    const result = results.get('sqlite');
    expect(result).toBeDefined();
    if (!result?.mine) return;
    const { all, mine, repId } = result;
    for (const g of [all.total, ...all.groups, mine.total]) {
      expect(g.p10).toBeLessThanOrEqual(g.p50);
      expect(g.p50).toBeLessThanOrEqual(g.p90);
      expect(g.quotaProbability ?? 0).toBeGreaterThanOrEqual(0);
      expect(g.quotaProbability ?? 0).toBeLessThanOrEqual(1);
    }
    // The 30 never closed, and those closed only after the forecast day.
    expect(all.total.openDeals).toBeGreaterThanOrEqual(30);
    expect(mine.total.openDeals).toBe(all.deals.filter((d) => d.ownerId === repId).length);
    expect(mine.total.openDeals).toBeLessThan(all.total.openDeals);
    expect(mine.deals.every((d) => d.ownerId === repId)).toBe(true);
    expect(all.total.quota).toBe(80_000_00);
    expect(mine.total.quota).toBe(40_000_00);
    // Enough past windows with outcomes: the range includes the fitted shared factor.
    expect(all.correlation?.windows ?? 0).toBeGreaterThanOrEqual(2);
  });

  it.skipIf(!postgresAvailable)('gives the same forecast on SQLite and Postgres', () => {
    const sqlite = results.get('sqlite');
    const pg = results.get('postgres');
    const comparable = (r: typeof sqlite) =>
      r && {
        total: r.all.total,
        correlation: r.all.correlation,
        method: r.all.method,
        deals: r.all.deals
          .map((d) => [d.name, d.winProbability, d.inPeriodProbability] as const)
          .sort((a, b) => a[0].localeCompare(b[0])),
        mine: r.mine?.total,
      };
    expect(comparable(pg)).toEqual(comparable(sqlite));
  });
});
