import { type CrmScope, createCrm, type RapportStorage } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresAvailable } from '../../../postgres/src/test-database.js';
import { seededRandom } from '../math/random.js';
import { predictPlugin } from '../plugin/predict-plugin.js';
import { predict } from '../predict.js';
import { describeFactor } from './lead-explain.js';

const postgres = createTestDatabase('predict_leads');
afterAll(() => postgres.cleanup());

const sources = ['Web', 'Partner', 'Trade Show', 'Purchased List'] as const;
const rates: Record<(typeof sources)[number], number> = {
  Web: 0.3,
  Partner: 0.7,
  'Trade Show': 0.45,
  'Purchased List': 0.08,
};

/**
 * 480 leads over 96 days (5 a day), their outcome drawn from a known rate per source and rating:
 * converted through `leads.convert`, or disqualified; the newest 40 stay open.
 */
async function seed(storage: RapportStorage) {
  let clock = Date.parse('2026-01-05T09:00:00Z');
  const crm = createCrm({ storage, plugins: [predictPlugin()], now: () => new Date(clock) });
  await crm.migrate();
  await crm.createTenant({ id: 'acme', name: 'Acme', baseCurrency: 'EUR', timeZone: 'UTC' });
  const admin = crm.tenant('acme').system();
  const rep = await admin.users.create({ name: 'Rita Rep', role: 'rep' });
  const scope = crm.tenant('acme').as({ id: rep.id, role: 'rep' });
  const random = seededRandom(11);
  const outcomes: { id: string; convert: boolean }[] = [];
  for (let day = 0; day < 96; day++) {
    const batch = Array.from({ length: 5 }, (_, i) => {
      const source = sources[Math.floor(random() * sources.length)]!;
      const rating = random() < 0.5 ? 'Hot' : 'Cold';
      const p = Math.min(0.95, rates[source] * (rating === 'Hot' ? 1.3 : 0.7));
      return {
        input: {
          lastName: `Lead ${day}-${i}`,
          company: `Co ${day}-${i}`,
          leadSource: source,
          rating,
        },
        convert: random() < p,
      };
    });
    const created = await scope.leads.createMany(batch.map((b) => b.input));
    for (const [i, lead] of created.entries())
      outcomes.push({ id: lead.id, convert: batch[i]!.convert });
    clock += 86_400_000;
  }
  for (const [index, outcome] of outcomes.entries()) {
    if (index >= outcomes.length - 40) break;
    if (outcome.convert) await scope.leads.convert(outcome.id, { opportunity: false });
    else {
      const lead = await scope.leads.get(outcome.id);
      await scope.leads.update(lead.id, {
        version: lead.version,
        status: 'Closed - Not Converted',
      });
    }
  }
  return {
    crm,
    scope,
    setClock: (at: string) => {
      clock = Date.parse(at);
    },
  };
}

async function run(storage: RapportStorage) {
  const { crm, scope, setClock } = await seed(storage);
  const service = predict(scope as CrmScope);
  const evaluation = await service.evaluateLeadModel({ now: '2026-04-15T00:00:00Z' });
  const trained = await service.trainLeadModel({ now: '2026-04-15T00:00:00Z' });
  const scored = await service.scoreLeads({ now: '2026-04-15T00:00:00Z' });
  setClock('2026-04-16T10:00:00Z');
  const fresh = await scope.leads.create({
    lastName: 'New',
    company: 'New Co',
    leadSource: 'Partner',
    rating: 'Hot',
  });
  const stored = await service.leadScores();
  const kpis = await scope.kpis.evaluate(['predict.expectedConversions', 'predict.leadQuality'], {
    by: 'leadSource',
  });
  await crm.destroy();
  return { evaluation, trained, scored, fresh, stored, kpis };
}

const backends = [
  { name: 'sqlite', storage: () => sqliteStorage() },
  ...(postgresAvailable ? [{ name: 'postgres', storage: () => postgres.storage() }] : []),
];
const results = new Map<string, Awaited<ReturnType<typeof run>>>();

describe('lead scoring through the engine', () => {
  beforeAll(async () => {
    for (const backend of backends) results.set(backend.name, await run(backend.storage()));
  }, 120_000);

  it('trains the learned model when there are at least 100 conversions', () => {
    const { trained } = results.get('sqlite')!;
    expect(trained.metrics.labelled).toBe(440);
    expect(trained.metrics.conversions).toBeGreaterThanOrEqual(100);
    expect(trained.status).toBe('trained');
    expect(trained.version).toBe(1);
  });

  it('scores the 40 open leads, ranks Partner above Purchased List, and explains it', () => {
    const { scored } = results.get('sqlite')!;
    expect(scored.scores).toHaveLength(40);
    for (const s of scored.scores) {
      expect(s.probability).toBeGreaterThan(0);
      expect(s.probability).toBeLessThan(1);
      expect(s.modelVersion).toBe(1);
    }
    const top = scored.scores[0]!;
    expect(top.factors.length).toBeGreaterThan(0);
    expect(describeFactor(top.factors[0]!, 'en')).toMatch(/ is .*: (raises|lowers) the odds/);
    expect(describeFactor(top.factors[0]!, 'de')).toMatch(/: .* – (erhöht|senkt) die Chance/);
  });

  it('scores a new lead when it is created (afterCreate hook) with the stored model', () => {
    const { fresh, stored } = results.get('sqlite')!;
    const score = stored.find((s) => s.leadId === fresh.id);
    expect(score).toBeDefined();
    expect(score!.scoredAt).toBe(fresh.createdAt);
    const purchased = stored.filter((s) => s.factors.some((f) => f.value === 'Purchased List'));
    expect(score!.probability).toBeGreaterThan(Math.max(...purchased.map((s) => s.probability)));
  });

  it('the KPIs add up the stored scores of the open leads', () => {
    const { kpis, stored } = results.get('sqlite')!;
    const total = stored.reduce((sum, s) => sum + s.probability, 0);
    expect(kpis['predict.expectedConversions']!.value).toBeCloseTo(total, 9);
    expect(kpis['predict.leadQuality']!.value).toBeCloseTo(total / stored.length, 9);
    const breakdown = kpis['predict.leadQuality']!.breakdown ?? [];
    expect(breakdown.map((g) => g.key).sort()).toEqual([...sources].sort());
  });

  it('evaluates on the newer quarter by creation date next to the source baseline', () => {
    const { evaluation } = results.get('sqlite')!;
    expect(evaluation.train.cases).toBe(330);
    expect(evaluation.test.cases).toBe(110);
    expect(evaluation.baseline.auc).not.toBeNull();
  });

  it.skipIf(!postgresAvailable)('gives the same results on SQLite and Postgres', () => {
    const sqlite = results.get('sqlite')!;
    const pg = results.get('postgres')!;
    expect(pg.trained.metrics).toEqual(sqlite.trained.metrics);
    expect(pg.evaluation.model).toEqual(sqlite.evaluation.model);
    const probabilities = (r: typeof sqlite) => r.scored.scores.map((s) => s.probability);
    expect(probabilities(pg)).toEqual(probabilities(sqlite));
    expect(pg.kpis['predict.expectedConversions']!.value).toBeCloseTo(
      sqlite.kpis['predict.expectedConversions']!.value!,
      9,
    );
  });
});
