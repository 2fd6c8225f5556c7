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
  // No deals and no quota: a roll-up may name a rep who has none yet.
  const newcomer = await system.users.create({ name: 'Nora New', role: 'rep' });
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
  const repScope = rep && crm.tenant('acme').as({ id: rep.id, role: 'rep' });
  const mine = repScope ? await predict(repScope).forecast(options) : null;
  const ids = [...reps.map((r) => r.id), newcomer.id];
  const { by: _, ...total } = options;
  const rollup = await predict(system).forecast({ ...total, owners: ids });
  const again = await predict(system).forecast({ ...total, owners: ids });
  const single = await predict(system).forecast({ ...total, owners: [ids[0] ?? ''] });
  // A rep naming themselves: in sight, and the same as their own forecast.
  const self = repScope
    ? await predict(repScope).forecast({ ...total, owners: [ids[0] ?? ''] })
    : null;
  const failures = await Promise.all(
    [
      { owners: ['no-such-user'] },
      { owners: [] },
      // The rep may not see Otto's deals: an error, not an empty forecast.
      { owners: [ids[1] ?? ''], as: repScope },
    ].map(({ owners, as }) =>
      predict(as ?? system)
        .forecast({ ...total, owners })
        .then(
          () => null,
          (error: unknown) => error,
        ),
    ),
  );
  await crm.destroy();
  return { all, mine, repId: rep?.id ?? '', rollup, again, single, self, failures };
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

  it('forecasts a set of owners as one roll-up with its own range, reusing the stored model', () => {
    const result = results.get('sqlite');
    if (!result) throw new Error('no SQLite result');
    const { all, rollup, again, single, repId } = result;
    const byOwner = new Map(all.groups.map((g) => [g.key, g]));
    const sum = (f: (g: (typeof all.groups)[number]) => number) =>
      all.groups.reduce((s, g) => s + f(g), 0);
    expect(rollup.total.wonSoFar).toBe(sum((g) => g.wonSoFar));
    expect(rollup.total.openDeals).toBe(sum((g) => g.openDeals));
    expect(rollup.total.p10).toBeLessThanOrEqual(rollup.total.p50);
    expect(rollup.total.p50).toBeLessThanOrEqual(rollup.total.p90);
    expect(rollup.total.p90).toBeGreaterThan(rollup.total.p10);
    expect(rollup.total.quota).toBe(80_000_00);
    expect(again.total).toEqual(rollup.total);
    // The owner filter applies after training: the same stored model version serves them all.
    expect(rollup.model?.version).toBe(all.model?.version);
    const rep = byOwner.get(repId);
    expect(single.total.wonSoFar).toBe(rep?.wonSoFar);
    expect(single.total.quota).toBe(rep?.quota);
    expect(single.total.openDeals).toBe(rep?.openDeals);
    expect(single.deals.every((d) => d.ownerId === repId)).toBe(true);
    expect(single.total.p50).toBeLessThan(rollup.total.p50);
    expect(result.self?.total).toEqual(result.mine?.total);
  });

  it('rejects unknown, empty and out-of-sight owner sets with the field', () => {
    const result = results.get('sqlite');
    expect(result?.failures).toHaveLength(3);
    for (const error of result?.failures ?? []) {
      expect(error).toMatchObject({
        code: 'VALIDATION',
        issues: [{ path: ['owners'] }],
      });
    }
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
        rollup: r.rollup.total,
      };
    expect(comparable(pg)).toEqual(comparable(sqlite));
  });
});
