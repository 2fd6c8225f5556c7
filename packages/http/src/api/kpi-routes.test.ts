import { beforeAll, expect, test } from 'vitest';
import { apiFixture } from './test-fixture.js';

type Fixture = Awaited<ReturnType<typeof apiFixture>>;
let fx: Fixture;

interface Result {
  value: number | null;
  sampleSize: number;
  interval: { lower: number; upper: number } | null;
  previous: { value: number | null } | null;
  breakdown:
    | { key: string | null; label: string | null; value: number | null; sampleSize: number }[]
    | null;
}

/** Closes a deal won or lost on a day, owned by a user. */
async function closedDeal(ownerId: string, won: boolean, closeDate: string) {
  const deal = await fx.system.opportunities.create({
    name: `${won ? 'won' : 'lost'} ${closeDate}`,
    ownerId,
    openDate: '2026-01-01',
    closeDate,
    amount: 1000_00,
  });
  return won
    ? fx.system.opportunities.closeWon(deal.id, { version: deal.version, closeDate })
    : fx.system.opportunities.closeLost(deal.id, {
        version: deal.version,
        lostReason: 'Price',
        closeDate,
      });
}

beforeAll(async () => {
  fx = await apiFixture();
  const { rep, otherRep } = fx.users;
  // Q1: rep 2 won of 3, other rep 1 won of 1. Q2: rep 1 won of 2.
  for (const [owner, won, day] of [
    [rep.id, true, '2026-01-10'],
    [rep.id, true, '2026-02-10'],
    [rep.id, false, '2026-03-10'],
    [otherRep.id, true, '2026-03-20'],
    [rep.id, true, '2026-04-10'],
    [rep.id, false, '2026-05-10'],
  ] as const) {
    await closedDeal(owner, won, day);
  }
});

async function evaluate(query: string, key = fx.adminKey) {
  const response = await fx.call(`/kpis/evaluate?${query}`, { key });
  expect(response.status, await response.clone().text()).toBe(200);
  return ((await response.json()) as { results: Record<string, Result> }).results;
}

test('GET /kpis lists the plugins KPIs without their computation', async () => {
  const body = (await (await fx.call('/kpis')).json()) as {
    kpis: { id: string; title: { de: string } }[];
  };
  const winRate = body.kpis.find((kpi) => kpi.id === 'closing.winRate');
  expect(winRate).toMatchObject({ group: 'closing', unit: 'ratio', title: { de: 'Gewinnquote' } });
  expect(winRate).not.toHaveProperty('measures');
});

test('win rate over HTTP equals the engine, with interval, comparison and breakdown', async () => {
  const results = await evaluate('ids=closing.winRate&period=2026-Q1&by=owner');
  const winRate = results['closing.winRate']!;
  expect(winRate.value).toBe(3 / 4);
  expect(winRate.sampleSize).toBe(4);
  expect(winRate.interval!.lower).toBeLessThan(0.75);
  expect(winRate.interval!.upper).toBeGreaterThan(0.75);
  const direct = await fx.system.kpis.evaluate(['closing.winRate'], {
    period: '2026-Q1',
    by: 'owner',
  });
  expect(winRate).toEqual(JSON.parse(JSON.stringify(direct['closing.winRate'])));
  const byOwner = Object.fromEntries(winRate.breakdown!.map((group) => [group.label, group.value]));
  expect(byOwner).toEqual({ 'Rita Rep': 2 / 3, 'Otto Rep': 1 });

  const q2 = (await evaluate('ids=closing.winRate&period=2026-Q2'))['closing.winRate']!;
  expect(q2.value).toBe(1 / 2);
  expect(q2.previous!.value).toBe(3 / 4);
});

test('filters narrow, all KPIs come without ids, visibility applies', async () => {
  const filtered = await evaluate(
    `ids=closing.winRate&period=2026-Q1&filter[owner]=${fx.users.otherRep.id}`,
  );
  expect(filtered['closing.winRate']!.value).toBe(1);
  const all = await evaluate('period=2026');
  expect(Object.keys(all)).toEqual(
    expect.arrayContaining(['closing.winRate', 'closing.wonRevenue']),
  );
  expect(all['closing.wonRevenue']!.value).toBe(4 * 1000_00);
  const asRep = await evaluate('ids=closing.winRate&period=2026', fx.repKey);
  expect(asRep['closing.winRate']!.sampleSize).toBe(5);

  const posted = await fx.call('/kpis/evaluate', {
    method: 'POST',
    body: {
      ids: ['closing.winRate'],
      period: { from: '2026-01-01', to: '2026-06-30' },
      filters: { owner: [fx.users.rep.id] },
    },
  });
  expect(posted.status).toBe(200);
  const body = (await posted.json()) as { results: Record<string, Result> };
  expect(body.results['closing.winRate']!.value).toBe(3 / 5);
});

test('a bad period or dimension is 422 with its path, an unknown KPI 404, an unknown parameter 400', async () => {
  const period = await fx.call('/kpis/evaluate?ids=closing.winRate&period=someday');
  expect(period.status).toBe(422);
  expect(((await period.json()) as { code: string }).code).toBe('VALIDATION');
  const dimension = await fx.call('/kpis/evaluate?ids=closing.winRate&by=colour');
  expect(dimension.status).toBe(422);
  expect(((await dimension.json()) as { issues: { path: string[] }[] }).issues[0]!.path).toEqual([
    'by',
  ]);
  const unknown = await fx.call('/kpis/evaluate?ids=closing.nothing');
  expect(unknown.status).toBe(404);
  const parameter = await fx.call('/kpis/evaluate?perod=2026');
  expect(parameter.status).toBe(400);
  expect(((await parameter.json()) as { issues: { path: string[] }[] }).issues[0]!.path).toEqual([
    'perod',
  ]);
});

test('a page of list items is itemLimit and itemOffset; results say how many items there are', async () => {
  const results = await evaluate('ids=closing.winRate&itemLimit=10&itemOffset=20');
  expect(results['closing.winRate']).toMatchObject({ items: [], itemCount: 0 });
  for (const query of ['itemLimit=abc', 'itemLimit=0', 'itemLimit=1001', 'itemOffset=-1']) {
    const response = await fx.call(`/kpis/evaluate?ids=closing.winRate&${query}`);
    expect(response.status, query).toBe(400);
    const [name] = query.split('=');
    const key = name === 'itemLimit' ? 'limit' : 'offset';
    expect(((await response.json()) as { issues: { path: string[] }[] }).issues[0]?.path).toEqual([
      'items',
      key,
    ]);
  }
  const body = await fx.call('/kpis/evaluate', {
    method: 'POST',
    body: { ids: ['closing.winRate'], items: { limit: 5, offset: 0 } },
  });
  expect(body.status, await body.clone().text()).toBe(200);
});
