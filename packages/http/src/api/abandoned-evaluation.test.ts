import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCrm, defineKpi, definePlugin, sql } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { afterAll, expect, test } from 'vitest';
import { httpPlugin } from '../auth/http-plugin.js';
import { startRapportServer } from '../server/rapport-server.js';

const directory = mkdtempSync(join(tmpdir(), 'rapport-abandoned-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const deals = 120;
/** Statements of the heavy KPIs that started, and that finished. */
const counts = { started: 0, finished: 0 };

/**
 * Heavy query KPIs: each counts the ordered triples of the tenant's opportunities through the
 * scoped query layer (deals^3 rows), real SQL work on a reader thread that takes a while.
 */
const heavy = Array.from({ length: 8 }, (_, index) =>
  defineKpi({
    id: `test.triples${index}`,
    group: 'test',
    title: { en: `Triples ${index}`, de: `Tripel ${index}` },
    description: 'every ordered triple of opportunities, counted the slow way',
    unit: 'count',
    direction: 'neutral',
    dimensions: [],
    snapshot: true,
    async query(ctx) {
      const [a, b, c] = await Promise.all(
        ['a', 'b', 'c'].map(async (alias) =>
          (await ctx.scoped('opportunity', alias)).select(`${alias}.id`),
        ),
      );
      if (!a || !b || !c) throw new Error('three scoped sources');
      counts.started += 1;
      try {
        const [row] = await ctx
          .selectFrom(a.as('x'))
          .innerJoin(b.as('y'), (join) => join.onTrue())
          .innerJoin(c.as('z'), (join) => join.onTrue())
          .select(sql<number>`count(*) + ${index}`.as('n'))
          .execute();
        const n = Number(row?.n ?? 0);
        return [{ key: null, value: n, sampleSize: n }];
      } finally {
        counts.finished += 1;
      }
    },
  }),
);
const heavyPlugin = definePlugin({ id: 'heavy', kpis: heavy });

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
};

/**
 * POSTs an evaluation of every heavy KPI on a socket of its own and returns the function that
 * closes that socket before an answer came: what a browser does when the dashboard is reloaded.
 */
function abandonedEvaluation(url: string, key: string): () => void {
  const body = JSON.stringify({ ids: heavy.map((kpi) => kpi.id), compare: false });
  const outgoing = request(`${url}/api/kpis/evaluate`, {
    method: 'POST',
    agent: false,
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    },
  });
  // The socket is destroyed on purpose; its error is the expected end.
  outgoing.on('error', () => undefined);
  outgoing.end(body);
  return () => outgoing.destroy();
}

test('an evaluation whose client closed the socket frees its slot at once and starts no more statements', async () => {
  const storage = sqliteStorage({ filename: join(directory, 'abandoned.sqlite'), readers: 2 });
  const crm = createCrm({ storage, plugins: [httpPlugin, heavyPlugin] });
  await crm.migrate();
  await crm.createTenant({ id: 'acme', name: 'Acme' });
  const system = crm.tenant('acme').system();
  const owner = await system.users.create({ name: 'Owner', role: 'admin' });
  await system.opportunities.createMany(
    Array.from({ length: deals }, (_, index) => ({
      name: `Deal ${index}`,
      ownerId: owner.id,
      amount: 1000_00,
      closeDate: '2026-06-30',
    })),
  );
  const server = await startRapportServer({ crm, tenantId: 'acme', port: 0 });
  try {
    // One key runs at most 2 evaluations at once: both slots are taken by abandoned ones.
    const closers = [
      abandonedEvaluation(server.url, server.apiKey),
      abandonedEvaluation(server.url, server.apiKey),
    ];
    await until(() => counts.started >= 2);
    for (const close of closers) close();
    const planned = 2 * heavy.length;
    // Before the abandoned evaluations could have run their 16 statements, the key's next
    // evaluation is let in (not 429) and answers.
    // The server notices the closed sockets a moment later (longer on a busy machine): a 429
    // until then is retried. Without the early release the slots would only come back once the
    // abandoned evaluations had run all their statements, which the counts below rule out.
    const evaluateNext = () =>
      fetch(`${server.apiUrl}/kpis/evaluate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ids: ['test.triples0'], compare: false }),
      });
    let next = await evaluateNext();
    for (let tries = 0; next.status === 429 && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      next = await evaluateNext();
    }
    expect(next.status).toBe(200);
    expect(await next.json()).toMatchObject({
      results: { 'test.triples0': { value: deals ** 3 } },
    });
    // The abandoned evaluations stopped at the statements they were running when the socket
    // closed: at most 3 each (their lanes), far from the 16 they asked for.
    await until(() => counts.finished === counts.started);
    const abandonedStatements = counts.started - 1;
    expect(abandonedStatements).toBeLessThanOrEqual(6);
    expect(abandonedStatements).toBeLessThan(planned);
  } finally {
    await server.close();
    await crm.destroy();
  }
});
