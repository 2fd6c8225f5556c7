import { expect, test } from 'vitest';
import { apiFixture } from '../api/test-fixture.js';
import { ConcurrencyLimit } from './concurrency-limit.js';

const kpiQuery = '/kpis/evaluate?ids=closing.winRate&period=2026-Q1';

test('a concurrency limit hands out max slots per key and takes each back once', () => {
  const limit = new ConcurrencyLimit(2);
  const first = limit.tryAcquire('a');
  const second = limit.tryAcquire('a');
  expect(first && second).toBeTruthy();
  expect(limit.tryAcquire('a')).toBeUndefined();
  expect(limit.tryAcquire('b')).toBeDefined();
  first?.();
  first?.();
  expect(limit.running('a')).toBe(1);
  expect(limit.tryAcquire('a')).toBeDefined();
  expect(() => new ConcurrencyLimit(0)).toThrow(RangeError);
});

test('a key already running its KPI evaluations gets 429; other routes and keys go on', async () => {
  const kpis = new ConcurrencyLimit(1);
  const fx = await apiFixture({ maxConcurrentKpiEvaluations: kpis });
  const session = (await (await fx.call('/session')).json()) as { actor: { id: string } };
  expect(session.actor.id).toBe(fx.users.admin.id);
  // Hold the admin key's one slot, as a long evaluation in flight would.
  const adminKeyId = fx.adminKey.slice(4, 20);
  const release = kpis.tryAcquire(adminKeyId);
  expect(release).toBeDefined();
  const refused = await fx.call(kpiQuery);
  expect(refused.status).toBe(429);
  expect(refused.headers.get('retry-after')).toBe('1');
  expect(await refused.json()).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
  expect((await fx.call('/accounts')).status).toBe(200);
  expect((await fx.call(kpiQuery, { key: fx.managerKey })).status).toBe(200);
  release?.();
  expect((await fx.call(kpiQuery)).status).toBe(200);
  // The slot comes back after a failed evaluation too.
  expect((await fx.call('/kpis/evaluate?ids=no.such')).status).toBeGreaterThanOrEqual(400);
  expect(kpis.running(adminKeyId)).toBe(0);
});
