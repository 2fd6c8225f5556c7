import { predict, predictPlugin } from '@rapport/predict';
import { beforeAll, describe, expect, test } from 'vitest';
import { apiFixture } from './test-fixture.js';

type Fixture = Awaited<ReturnType<typeof apiFixture>>;
let fx: Fixture;
const ownerOfLead = new Map<string, string>();
const ownerOfDeal = new Map<string, string>();

interface ScorePage {
  items: { leadId: string; probability: number; method: string; reasons: string[] }[];
  nextCursor: string | null;
}

interface Figures {
  key: string | null;
  p10: number;
  p50: number;
  p90: number;
  openDeals: number;
  wonSoFar: number;
  quota: number | null;
  quotaProbability: number | null;
  quotaAtRisk: boolean;
}

type Json = unknown;

/**
 * Where a value departs from a JSON schema: the subset the predict routes use ($ref, type,
 * const, enum, oneOf, required, additionalProperties false, items, minimum, maximum).
 */
function mismatches(
  value: Json,
  schema: Json,
  document: { components: { schemas: Record<string, Json> } },
  at: string,
): string[] {
  const s = schema as Record<string, unknown>;
  if (typeof s.$ref === 'string')
    return mismatches(
      value,
      document.components.schemas[s.$ref.split('/').at(-1) ?? ''],
      document,
      at,
    );
  if (Array.isArray(s.oneOf)) {
    const fits = s.oneOf.filter((option) => mismatches(value, option, document, at).length === 0);
    return fits.length === 1 ? [] : [`${at}: fits ${fits.length} of the oneOf options`];
  }
  const out: string[] = [];
  const typeOf = (v: Json) =>
    v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v;
  const types = s.type === undefined ? [] : [s.type].flat();
  const actual = typeOf(value);
  if (
    types.length > 0 &&
    !types.includes(actual) &&
    !(actual === 'integer' && types.includes('number'))
  )
    return [`${at}: ${actual}, not ${types.join(' or ')}`];
  if ('const' in s && value !== s.const) out.push(`${at}: not ${String(s.const)}`);
  if (Array.isArray(s.enum) && !s.enum.includes(value))
    out.push(`${at}: ${String(value)} not in enum`);
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) out.push(`${at}: below minimum`);
    if (typeof s.maximum === 'number' && value > s.maximum) out.push(`${at}: above maximum`);
  }
  if (Array.isArray(value) && s.items)
    for (const [i, item] of value.entries())
      out.push(...mismatches(item, s.items, document, `${at}[${i}]`));
  if (actual === 'object' && value !== null) {
    const record = value as Record<string, Json>;
    const properties = (s.properties ?? {}) as Record<string, Json>;
    for (const key of (s.required ?? []) as string[])
      if (!(key in record)) out.push(`${at}.${key}: missing`);
    for (const [key, v] of Object.entries(record)) {
      if (key in properties) out.push(...mismatches(v, properties[key], document, `${at}.${key}`));
      else if (s.additionalProperties === false) out.push(`${at}.${key}: not in the schema`);
    }
  }
  return out;
}

function daysBefore(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

async function body<T>(response: Response, status = 200): Promise<T> {
  expect(response.status, await response.clone().text()).toBe(status);
  return (await response.json()) as T;
}

beforeAll(async () => {
  fx = await apiFixture({}, [predictPlugin()]);
  const { rep, otherRep } = fx.users;
  const today = await fx.system.today();
  // 30 leads each, from two sources; scored with the source-rate fallback (little history).
  for (const [owner, prefix] of [
    [rep.id, 'R'],
    [otherRep.id, 'O'],
  ] as const) {
    for (let i = 0; i < 30; i++) {
      const lead = await fx.system.leads.create({
        lastName: `${prefix}${i}`,
        company: `${prefix} Co ${i}`,
        ownerId: owner,
        leadSource: i % 3 === 0 ? 'Partner' : 'Web',
      });
      ownerOfLead.set(lead.id, owner);
    }
    // Open deals closing this quarter, one far too large for a plan to hold.
    for (let i = 0; i < 4; i++) {
      const deal = await fx.system.opportunities.create({
        name: `${prefix} deal ${i}`,
        ownerId: owner,
        openDate: daysBefore(today, 10),
        closeDate: today,
        amount: (i === 3 ? 90_000 : 1_000) * 100,
      });
      ownerOfDeal.set(deal.id, owner);
    }
  }
  await predict(fx.system).scoreLeads();
  // The rep's quota is out of reach of their open deals; the other rep's is a cent.
  const start = `${today.slice(0, 4)}-${String(Math.floor((Number(today.slice(5, 7)) - 1) / 3) * 3 + 1).padStart(2, '0')}-01`;
  const end = new Date(Date.UTC(Number(start.slice(0, 4)), Number(start.slice(5, 7)) + 2, 0))
    .toISOString()
    .slice(0, 10);
  await fx.system.quotas.create({
    ownerId: rep.id,
    periodStart: start,
    periodEnd: end,
    amount: 10_000_000_00,
  });
  await fx.system.quotas.create({
    ownerId: otherRep.id,
    periodStart: start,
    periodEnd: end,
    amount: 1_00,
  });
}, 60_000);

describe('GET /predict/lead-scores', () => {
  test('pages through every stored score, highest first, with reasons', async () => {
    const seen: ScorePage['items'] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? 'limit=7' : `limit=7&cursor=${cursor}`;
      const page: ScorePage = await body(await fx.call(`/predict/lead-scores?${query}`));
      expect(page.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null && pages < 20);
    expect(seen).toHaveLength(60);
    expect(new Set(seen.map((s) => s.leadId)).size).toBe(60);
    const probabilities = seen.map((s) => s.probability);
    expect(probabilities).toEqual([...probabilities].sort((a, b) => b - a));
    for (const s of seen) {
      expect(s.probability).toBeGreaterThanOrEqual(0);
      expect(s.probability).toBeLessThanOrEqual(1);
      expect(s.method).toBe('sourceRate');
      expect(Array.isArray(s.reasons)).toBe(true);
    }
  });

  test('a rep sees only the scores of their own leads', async () => {
    const page = await body<ScorePage>(
      await fx.call('/predict/lead-scores?limit=1000', { key: fx.repKey }),
    );
    expect(page.items).toHaveLength(30);
    for (const s of page.items) expect(ownerOfLead.get(s.leadId)).toBe(fx.users.rep.id);
    expect(page.nextCursor).toBeNull();
  });

  test('bad parameters and cursors are 400 with the parameter named; no key is 401', async () => {
    const tooMany = await body<{ issues: { path: string[] }[] }>(
      await fx.call('/predict/lead-scores?limit=5000'),
      400,
    );
    expect(tooMany.issues[0]?.path).toEqual(['limit']);
    const unknown = await body<{ issues: { path: string[] }[] }>(
      await fx.call('/predict/lead-scores?color=red'),
      400,
    );
    expect(unknown.issues.length).toBeGreaterThan(0);
    const cursor = await body<{ issues: { path: string[] }[] }>(
      await fx.call('/predict/lead-scores?cursor=not-a-cursor'),
      400,
    );
    expect(cursor.issues[0]?.path).toEqual(['cursor']);
    const anonymous = await fx.api.request('/predict/lead-scores');
    expect(anonymous.status).toBe(401);
  });
});

describe('deals, forecast and plans at risk', () => {
  test('GET /predict/deals: win probabilities of the visible open deals, a rep sees their own', async () => {
    type Deals = { method: string; items: { id: string; winProbability: number }[] };
    const all = await body<Deals>(await fx.call('/predict/deals'));
    expect(all.items).toHaveLength(8);
    expect(all.method).toBe('stageDefault');
    for (const d of all.items) {
      expect(d.winProbability).toBeGreaterThanOrEqual(0);
      expect(d.winProbability).toBeLessThanOrEqual(1);
    }
    const mine = await body<Deals>(await fx.call('/predict/deals', { key: fx.repKey }));
    expect(mine.items).toHaveLength(4);
    for (const d of mine.items) expect(ownerOfDeal.get(d.id)).toBe(fx.users.rep.id);
    // A deal view asks for its own; a deal out of sight is not answered.
    const [own, others] = [
      mine.items[0]!.id,
      all.items.find((d) => !mine.items.some((m) => m.id === d.id))!.id,
    ];
    const one = await body<Deals>(
      await fx.call(`/predict/deals?ids=${own},${others}`, { key: fx.repKey }),
    );
    expect(one.items.map((d) => d.id)).toEqual([own]);
    const tooMany = Array.from({ length: 101 }, (_, i) => `d${i}`).join(',');
    const refused = await body<{ issues: { path: string[] }[] }>(
      await fx.call(`/predict/deals?ids=${tooMany}`),
      400,
    );
    expect(refused.issues[0]?.path).toEqual(['ids']);
  });

  test('GET /predict/forecast: P10 <= P50 <= P90 per owner; a rep forecasts only their deals', async () => {
    type Forecast = { total: Figures; groups: Figures[] };
    const all = await body<Forecast>(await fx.call('/predict/forecast?by=owner&runs=500'));
    expect(all.total.openDeals).toBe(8);
    for (const g of [all.total, ...all.groups]) {
      expect(g.p10).toBeLessThanOrEqual(g.p50);
      expect(g.p50).toBeLessThanOrEqual(g.p90);
    }
    expect(all.groups.map((g) => g.key).sort()).toEqual(
      [fx.users.rep.id, fx.users.otherRep.id].sort(),
    );
    const mine = await body<Forecast>(
      await fx.call('/predict/forecast?by=owner&runs=500', { key: fx.repKey }),
    );
    expect(mine.total.openDeals).toBe(4);
    expect(mine.groups.map((g) => g.key)).toEqual([fx.users.rep.id]);
    // The rep's total is set against the rep's own quota, not everyone's.
    expect(mine.total.quota).toBe(10_000_000_00);
    expect(all.total.quota).toBe(10_000_000_00 + 1_00);
  });

  test('GET /predict/forecast?owners: a roll-up of the set, comma-separated or repeated', async () => {
    type Forecast = { total: Figures; groups: Figures[] };
    const { rep, otherRep } = fx.users;
    const all = await body<Forecast>(await fx.call('/predict/forecast?by=owner&runs=500'));
    const comma = await body<Forecast>(
      await fx.call(`/predict/forecast?runs=500&owners=${rep.id},${otherRep.id}`),
    );
    const repeated = await body<Forecast>(
      await fx.call(`/predict/forecast?runs=500&owners=${rep.id}&owners=${otherRep.id}`),
    );
    expect(repeated.total).toEqual(comma.total);
    const sum = all.groups.reduce((s, g) => s + g.wonSoFar, 0);
    expect(comma.total.wonSoFar).toBe(sum);
    expect(comma.total.openDeals).toBe(8);
    expect(comma.total.p10).toBeLessThanOrEqual(comma.total.p50);
    expect(comma.total.p50).toBeLessThanOrEqual(comma.total.p90);
    const one = await body<Forecast>(await fx.call(`/predict/forecast?runs=500&owners=${rep.id}`));
    expect(one.total.openDeals).toBe(4);
    expect(one.total.quota).toBe(all.groups.find((g) => g.key === rep.id)?.quota);
    // Bad input names the field: malformed is 400, an id out of the caller's sight 422.
    const tooMany = Array.from({ length: 501 }, (_, i) => `u${i}`).join(',');
    for (const query of [`owners=${tooMany}`, 'owners=', `owners=${rep.id},`]) {
      const refused = await body<{ issues: { path: string[] }[] }>(
        await fx.call(`/predict/forecast?${query}`),
        400,
      );
      expect(refused.issues[0]?.path[0]).toBe('owners');
    }
    const unknown = await body<{ issues: { path: string[] }[] }>(
      await fx.call('/predict/forecast?owners=nobody'),
      422,
    );
    expect(unknown.issues[0]?.path).toEqual(['owners']);
    const hidden = await body<{ issues: { path: string[] }[] }>(
      await fx.call(`/predict/forecast?owners=${otherRep.id}`, { key: fx.repKey }),
      422,
    );
    expect(hidden.issues[0]?.path).toEqual(['owners']);
  });

  test('GET /predict/plans-at-risk: the unreachable quota and the oversized deal, per visibility', async () => {
    type Risks = {
      quotas: Figures[];
      deals: { id: string; risks: { kind: string; text: string }[] }[];
    };
    const all = await body<Risks>(await fx.call('/predict/plans-at-risk?runs=500'));
    const atRisk = all.quotas.map((q) => q.key);
    expect(atRisk).toContain(fx.users.rep.id);
    for (const q of all.quotas) expect(q.quotaProbability ?? 1).toBeLessThan(0.5);
    const mine = await body<Risks>(
      await fx.call('/predict/plans-at-risk?runs=500', { key: fx.repKey }),
    );
    for (const d of mine.deals) {
      expect(ownerOfDeal.get(d.id)).toBe(fx.users.rep.id);
      expect(d.risks.every((r) => r.text.length > 0)).toBe(true);
    }
    expect(mine.quotas.every((q) => q.key === null || q.key === fx.users.rep.id)).toBe(true);
  });

  test('a bad period is 422 with its path; a bad breakdown 400', async () => {
    const period = await fx.call('/predict/forecast?period=all');
    expect(period.status).toBe(422);
    const by = await body<{ issues: { path: string[] }[] }>(
      await fx.call('/predict/forecast?by=galaxy'),
      400,
    );
    expect(by.issues[0]?.path).toEqual(['by']);
  });

  test('every answer is what the OpenAPI document says, property for property', async () => {
    type Document = {
      paths: Record<
        string,
        { get: { responses: Record<string, { content: Record<string, Json> }> } }
      >;
      components: { schemas: Record<string, Json> };
    };
    const document = await body<Document>(await fx.call('/openapi.json'));
    for (const path of [
      '/predict/lead-scores?limit=1000',
      '/predict/deals',
      '/predict/forecast?by=owner&runs=500',
      `/predict/forecast?runs=500&owners=${fx.users.rep.id}`,
      '/predict/plans-at-risk?runs=500&lang=de',
    ]) {
      const route = path.split('?')[0] ?? path;
      const schema = document.paths[route]?.get.responses['200']?.content['application/json'];
      expect(schema, route).toBeDefined();
      const answer = await body<Json>(await fx.call(path));
      expect(mismatches(answer, (schema as { schema: Json }).schema, document, route)).toEqual([]);
    }
  });
});

test('without the predict plugin there are no prediction routes', async () => {
  const plain = await apiFixture();
  const response = await plain.call('/predict/forecast');
  expect(response.status).toBe(404);
});
