import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCrm, defineKpi, definePlugin, sql } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { afterAll, expect, test } from 'vitest';
import { createApiKeyStore } from '../auth/api-key-store.js';
import { httpPlugin } from '../auth/http-plugin.js';
import { createRapportApi } from './create-rapport-api.js';

const directory = mkdtempSync(join(tmpdir(), 'rapport-overlap-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const deals = 200;
let started: () => void = () => undefined;
const heavyStarted = new Promise<void>((resolve) => {
  started = resolve;
});

/**
 * A deliberately heavy query KPI: the triples of the tenant's opportunities, counted through the
 * scoped query layer (a cross join of three scoped subqueries, deals^3 rows). Real SQL work, not
 * a sleep: it holds a connection for as long as SQLite needs to count them.
 */
const triples = defineKpi({
  id: 'test.opportunityTriples',
  group: 'test',
  title: { en: 'Opportunity triples', de: 'Verkaufschancen-Tripel' },
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
    const query = ctx
      .selectFrom(a.as('x'))
      .innerJoin(b.as('y'), (join) => join.onTrue())
      .innerJoin(c.as('z'), (join) => join.onTrue())
      .select(sql<number>`count(*)`.as('n'));
    started();
    const [row] = await query.execute();
    const n = Number(row?.n ?? 0);
    return [{ key: null, value: n, sampleSize: n }];
  },
});

const heavyPlugin = definePlugin({ id: 'heavy', kpis: [triples] });

test('a list request made while a slow KPI evaluation runs answers first, on SQLite with readers', async () => {
  const storage = sqliteStorage({ filename: join(directory, 'overlap.sqlite'), readers: 2 });
  expect(storage.readers).toBe(2);
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
  const keys = createApiKeyStore(crm);
  const { key } = await keys.create({ tenantId: 'acme', name: 'test', userId: owner.id });
  const api = createRapportApi({ crm, authenticate: keys.authenticate, rateLimit: false });
  const headers = { authorization: `Bearer ${key}` };

  const finished: string[] = [];
  // hono's request() may answer synchronously in its types; resolve() makes it a promise.
  const evaluation = Promise.resolve(
    api.request('/kpis/evaluate?ids=test.opportunityTriples&compare=false', { headers }),
  ).then(async (response) => {
    finished.push('kpi');
    return { status: response.status, body: await response.json() };
  });
  await heavyStarted;
  // Three lists one after another, each awaited: on a blocked event loop (one connection
  // running the count) not even the first could answer before the KPI does.
  for (let index = 0; index < 3; index++) {
    const response = await api.request('/opportunities?limit=50', { headers });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { items: unknown[] };
    expect(body.items).toHaveLength(50);
    finished.push(`list ${index}`);
  }
  const kpi = await evaluation;
  expect(finished).toEqual(['list 0', 'list 1', 'list 2', 'kpi']);
  expect(kpi.status).toBe(200);
  expect(kpi.body).toMatchObject({ results: { 'test.opportunityTriples': { value: deals ** 3 } } });
  await crm.destroy();
});
