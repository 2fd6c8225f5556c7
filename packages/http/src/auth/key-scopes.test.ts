import { beforeAll, expect, test } from 'vitest';
import { apiFixture } from '../api/test-fixture.js';
import { scopesAllow } from './key-scopes.js';

type Fixture = Awaited<ReturnType<typeof apiFixture>>;
let fx: Fixture;
beforeAll(async () => {
  fx = await apiFixture();
});

const kpiQuery = '/kpis/evaluate?ids=closing.winRate&period=2026-Q1';

test('a read-only key reads records and KPIs; every write is 403 and changes nothing', async () => {
  const { key } = await fx.keys.create({
    tenantId: 'acme',
    name: 'read only',
    userId: fx.users.admin.id,
    scopes: ['read'],
  });
  expect((await fx.call('/accounts', { key })).status).toBe(200);
  expect((await fx.call(kpiQuery, { key })).status).toBe(200);
  const before = await fx.system.accounts.count();
  const created = await fx.call('/accounts', { key, method: 'POST', body: { name: 'Nope' } });
  expect(created.status).toBe(403);
  expect(await created.json()).toMatchObject({ code: 'FORBIDDEN' });
  const account = await fx.system.accounts.create({ name: 'Kept', ownerId: fx.users.admin.id });
  const patched = await fx.call(`/accounts/${account.id}`, {
    key,
    method: 'PATCH',
    body: { version: account.version, name: 'Changed' },
  });
  expect(patched.status).toBe(403);
  const deleted = await fx.call(`/accounts/${account.id}`, { key, method: 'DELETE' });
  expect(deleted.status).toBe(403);
  expect(await fx.system.accounts.get(account.id)).toEqual(account);
  expect(await fx.system.accounts.count()).toBe(before + 1);
});

test('a KPI-only key evaluates KPIs (GET and POST) and reads no records', async () => {
  const { key } = await fx.keys.create({
    tenantId: 'acme',
    name: 'dashboard',
    userId: fx.users.manager.id,
    scopes: ['kpi'],
  });
  expect((await fx.call(kpiQuery, { key })).status).toBe(200);
  const posted = await fx.call('/kpis/evaluate', {
    key,
    method: 'POST',
    body: { ids: ['closing.winRate'], period: '2026-Q1' },
  });
  expect(posted.status).toBe(200);
  expect((await fx.call('/kpis', { key })).status).toBe(200);
  expect((await fx.call('/session', { key })).status).toBe(200);
  for (const path of ['/accounts', '/opportunities', '/users', `/accounts/${fx.users.rep.id}`]) {
    const response = await fx.call(path, { key });
    expect(response.status, path).toBe(403);
  }
});

test('a scope never widens a role: a rep key with write scope still cannot write users', async () => {
  const { key } = await fx.keys.create({
    tenantId: 'acme',
    name: 'rep',
    userId: fx.users.rep.id,
    scopes: ['read', 'write'],
  });
  const response = await fx.call('/users', { key, method: 'POST', body: { name: 'Mallory' } });
  expect(response.status).toBe(403);
});

test('a demoted user loses the old rights on the next request; a deleted user gets 401', async () => {
  const user = await fx.system.users.create({ name: 'Temp Admin', role: 'admin' });
  const { key } = await fx.keys.create({ tenantId: 'acme', name: 'temp', userId: user.id });
  const made = await fx.call('/users', { key, method: 'POST', body: { name: 'Made by admin' } });
  expect(made.status).toBe(201);
  const session = async () =>
    (await (await fx.call('/session', { key })).json()) as { actor: unknown };
  expect((await session()).actor).toEqual({ id: user.id, role: 'admin' });
  await fx.system.users.update(user.id, { version: user.version, role: 'rep' });
  expect((await session()).actor).toEqual({ id: user.id, role: 'rep' });
  const denied = await fx.call('/users', { key, method: 'POST', body: { name: 'Not any more' } });
  expect(denied.status).toBe(403);
  await fx.system.users.delete(user.id);
  expect((await fx.call('/session', { key })).status).toBe(401);
});

test('scopesAllow classifies routes under a mount prefix too', () => {
  expect(scopesAllow(['kpi'], 'POST', '/api/kpis/evaluate')).toBe(true);
  expect(scopesAllow(['kpi'], 'GET', '/api/kpis')).toBe(true);
  expect(scopesAllow(['kpi'], 'GET', '/api/opportunities')).toBe(false);
  expect(scopesAllow(['read'], 'POST', '/api/leads/1/convert')).toBe(false);
  expect(scopesAllow(['write'], 'GET', '/api/leads')).toBe(false);
  expect(scopesAllow(['write'], 'GET', '/api/session')).toBe(true);
});
