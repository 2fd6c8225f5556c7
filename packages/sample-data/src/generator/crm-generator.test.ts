import { type AnyDatabase, createCrm } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { CamelCasePlugin, Kysely } from 'kysely';
import { describe, expect, test } from 'vitest';
import { generateCrmData, generateCrmRows } from './crm-generator.js';
import type { GeneratedBatch, GeneratedTables } from './generated-rows.js';
import { insertGeneratedData } from './insert-generated.js';
import { createRandom, entitySeed } from './prng.js';

const options = { tenantId: 'gen', pipelineId: 'p1', opportunities: 400, batchSize: 150 };

function collect(batches: Iterable<GeneratedBatch>) {
  const tables: Partial<Record<keyof GeneratedTables, unknown[]>> = {};
  for (const batch of batches) {
    const rows = tables[batch.table] ?? [];
    rows.push(...batch.rows);
    tables[batch.table] = rows;
  }
  // Rows of each table are only ever stored under that table's key.
  return tables as { [K in keyof GeneratedTables]?: GeneratedTables[K][] };
}

describe('createRandom', () => {
  test('a seed gives the same sequence, another seed another one', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const first = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(first);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(first);
    for (const value of first) expect(value >= 0 && value < 1).toBe(true);
  });

  test('entity seeds differ by stream and index', () => {
    expect(entitySeed(1, 'lead', 1)).not.toBe(entitySeed(1, 'lead', 2));
    expect(entitySeed(1, 'lead', 1)).not.toBe(entitySeed(1, 'opportunity', 1));
  });
});

describe('generateCrmRows', () => {
  test('same seed, same rows; another seed, other rows; independent of batch size', () => {
    const once = collect(generateCrmRows({ ...options, seed: 7 }));
    const again = collect(generateCrmRows({ ...options, seed: 7, batchSize: 33 }));
    const other = collect(generateCrmRows({ ...options, seed: 8 }));
    expect(JSON.stringify(again)).toBe(JSON.stringify(once));
    expect(other.opportunities?.map((o) => o.amount)).not.toEqual(
      once.opportunities?.map((o) => o.amount),
    );
  });

  test('counts, batch sizes and references to earlier rows only', () => {
    const seen = new Set<string>();
    const counts: Record<string, number> = {};
    for (const batch of generateCrmRows({ ...options, seed: 3 })) {
      expect(batch.rows.length).toBeGreaterThan(0);
      if (batch.table === 'opportunities') expect(batch.rows.length).toBeLessThanOrEqual(150);
      for (const row of batch.rows) {
        const refs = Object.entries(row).filter(
          ([key, value]) =>
            key.endsWith('Id') &&
            key !== 'tenantId' &&
            key !== 'externalId' &&
            key !== 'pipelineId' &&
            value,
        );
        for (const [key, value] of refs) {
          // Leads point at opportunities generated before them; teams name their manager first.
          if (key === 'managerId' && batch.table === 'teams') continue;
          expect(seen.has(String(value)), `${batch.table}.${key} -> ${String(value)}`).toBe(true);
        }
        seen.add(row.id);
      }
      counts[batch.table] = (counts[batch.table] ?? 0) + batch.rows.length;
    }
    expect(counts.opportunities).toBe(400);
    expect(counts.leads).toBe(800);
    expect(counts.stageHistory).toBeGreaterThan(400);
    expect(counts.quotas).toBeGreaterThan(0);
    expect(counts.contracts).toBeGreaterThan(0);
    expect(counts.campaigns).toBeGreaterThan(0);
  });

  test('realistic: skill, source quality, seasonality, history and churn', () => {
    const data = collect(
      generateCrmRows({ ...options, seed: 11, opportunities: 6000, leads: 12000, reps: 12 }),
    );
    const opportunities = data.opportunities ?? [];
    const rate = (rows: readonly { status: string }[]) => {
      const won = rows.filter((o) => o.status === 'won').length;
      const lost = rows.filter((o) => o.status === 'lost').length;
      return won / (won + lost);
    };
    // Reps differ: the best rep's win rate is well above the worst's.
    const byRep = new Map<string, typeof opportunities>();
    for (const o of opportunities) byRep.set(o.ownerId, [...(byRep.get(o.ownerId) ?? []), o]);
    const repRates = [...byRep.values()].map(rate).sort((a, b) => a - b);
    expect(repRates.at(-1)! - repRates[0]!).toBeGreaterThan(0.1);
    const overall = rate(opportunities);
    expect(overall).toBeGreaterThan(0.15);
    expect(overall).toBeLessThan(0.7);
    // Sources differ: referrals win more often than social media.
    const bySource = (name: string) => rate(opportunities.filter((o) => o.leadSource === name));
    expect(bySource('Partner Referral')).toBeGreaterThan(bySource('Social Media'));
    // Lost deals say why; open ones do not.
    for (const o of opportunities) expect(o.lostReason !== null).toBe(o.status === 'lost');
    // History: the first row has no previous stage, each later one names the stage before it.
    const history = data.stageHistory ?? [];
    const first = history.filter((h) => h.previousStage === null);
    expect(first.length).toBe(opportunities.length);
    const oneDeal = history.filter((h) => h.opportunityId === opportunities[0]!.id);
    for (const [k, row] of oneDeal.entries())
      if (k > 0) expect(row.previousStage).toBe(oneDeal[k - 1]!.stage);
    // Seasonality: December opens more deals than August.
    const inMonth = (m: string) => opportunities.filter((o) => o.openDate.slice(5, 7) === m).length;
    expect(inMonth('12')).toBeGreaterThan(inMonth('08') * 1.4);
    // Contracts renew (renewalOfId) and churn (Cancelled).
    const contracts = data.contracts ?? [];
    expect(contracts.some((c) => c.renewalOfId !== null)).toBe(true);
    expect(contracts.some((c) => c.status === 'Cancelled')).toBe(true);
    // Leads: referral leads convert more often than cold calls; paid sources have campaigns.
    const leads = data.leads ?? [];
    const conversion = (name: string) => {
      const rows = leads.filter((l) => l.leadSource === name);
      return rows.filter((l) => l.status === 'Closed - Converted').length / rows.length;
    };
    expect(conversion('Partner Referral')).toBeGreaterThan(conversion('Cold Call'));
    expect(leads.filter((l) => l.leadSource === 'Paid Search').every((l) => l.campaignId)).toBe(
      true,
    );
    expect((data.campaigns ?? []).every((c) => c.actualCost > 0)).toBe(true);
  });

  test('is lazy: a million opportunities start coming without generating them all', () => {
    const iterator = generateCrmRows({
      ...options,
      opportunities: 1_000_000,
      accounts: 50,
      reps: 10,
      batchSize: 500,
    });
    let batch = iterator.next();
    while (!batch.done && batch.value.table !== 'opportunities') batch = iterator.next();
    expect(batch.done).toBe(false);
    expect(batch.value?.rows.length).toBe(500);
    iterator.return(undefined);
  });
});

describe('insertGeneratedData', () => {
  test('rows fit core tables and keys; a second run inserts nothing', async () => {
    const storage = sqliteStorage({ filename: ':memory:' });
    const crm = createCrm({ storage });
    await crm.migrate();
    const tenant = await crm.createTenant({ id: 'gen', name: 'Generated', baseCurrency: 'EUR' });
    const db = new Kysely<AnyDatabase>({
      dialect: storage.dialect,
      plugins: [new CamelCasePlugin()],
    });
    const run = { ...options, seed: 5, pipelineId: tenant.defaultPipelineId!, opportunities: 120 };
    const inserted = await insertGeneratedData(db, generateCrmData(run));
    expect(inserted.opportunities).toBe(120);
    expect(inserted.leads).toBe(240);
    const scope = crm.tenant('gen').system();
    expect(await scope.opportunities.count()).toBe(120);
    expect(await scope.opportunities.count({ status: 'won' })).toBeGreaterThan(0);
    // Records read back through the engine with the generated values.
    const page = await scope.opportunities.list({ limit: 5 });
    expect(page.items[0]?.custom).toEqual({});
    const history = await scope.stageHistory.list({
      where: { opportunityId: page.items[0]!.id },
      orderBy: { field: 'createdAt' },
    });
    expect(history.items[0]?.stage).toBe('Prospecting');

    const again = await insertGeneratedData(db, generateCrmData(run));
    expect(Object.values(again).every((n) => n === 0)).toBe(true);
    expect(await scope.leads.count()).toBe(240);
    await crm.destroy();
  });
});
