import { createHash } from 'node:crypto';
import { createCrm } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { expect, test } from 'vitest';
import { createApiKeyStore } from './api-key-store.js';
import { httpPlugin } from './http-plugin.js';

async function setup() {
  const storage = sqliteStorage({ filename: ':memory:' });
  const crm = createCrm({ storage, plugins: [httpPlugin] });
  const report = await crm.migrate();
  await crm.createTenant({ id: 'acme', name: 'Acme' });
  await crm.createTenant({ id: 'other', name: 'Other' });
  const system = crm.tenant('acme').system();
  const manager = await system.users.create({ name: 'Max Manager', role: 'manager' });
  const rep = await system.users.create({ name: 'Rita Rep', role: 'rep', managerId: manager.id });
  return { crm, storage, report, system, manager, rep, keys: createApiKeyStore(crm) };
}

const request = (headers: Record<string, string>) => new Request('http://x/', { headers });
const bearer = (key: string) => request({ authorization: `Bearer ${key}` });

test('the http plugin migrations make the keys table; keys are stored only as SHA-256', async () => {
  const { storage, report, keys, manager } = await setup();
  expect(report.applied).toContain('plugin:http:0001-api-keys');
  expect(report.applied).toContain('plugin:http:0002-key-subjects-and-scopes');
  const made = await keys.create({ tenantId: 'acme', name: 'ci', userId: manager.id });
  expect(made.key).toMatch(/^rpk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
  expect(made.key.startsWith(`rpk_${made.id}_`)).toBe(true);
  const rows = storage.database.prepare('select * from http_api_keys').all() as Record<
    string,
    unknown
  >[];
  expect(rows).toHaveLength(1);
  expect(rows[0]!.key_hash).toBe(createHash('sha256').update(made.key).digest('hex'));
  expect(JSON.stringify(rows)).not.toContain(made.key.slice(25));
  expect(await keys.list('acme')).toEqual([
    {
      id: made.id,
      tenantId: 'acme',
      name: 'ci',
      userId: manager.id,
      scopes: ['read', 'write'],
      createdAt: made.createdAt,
      revokedAt: null,
    },
  ]);
});

test('authenticate accepts the key as Bearer or X-API-Key and nothing else', async () => {
  const { keys, rep } = await setup();
  const { key, id } = await keys.create({ tenantId: 'acme', name: 'a', userId: rep.id });
  const principal = {
    tenantId: 'acme',
    actor: { id: rep.id, role: 'rep' },
    scopes: ['read', 'write'],
    credentialId: id,
  };
  expect(await keys.authenticate(bearer(key))).toEqual(principal);
  expect(await keys.authenticate(request({ 'x-api-key': key }))).toEqual(principal);
  expect(await keys.authenticate(request({}))).toBeNull();
  expect(await keys.authenticate(bearer(`${key}x`))).toBeNull();
  expect(await keys.authenticate(bearer(`rpk_${id}_forged`))).toBeNull();
  await keys.revoke('acme', id);
  expect(await keys.authenticate(bearer(key))).toBeNull();
  await expect(keys.revoke('acme', 'unknown')).rejects.toMatchObject({ code: 'NOT_FOUND' });
});

test('a key acts as its user with the current role: a demotion applies on the next request', async () => {
  const { keys, system, manager } = await setup();
  const { key } = await keys.create({ tenantId: 'acme', name: 'm', userId: manager.id });
  expect((await keys.authenticate(bearer(key)))?.actor).toEqual({
    id: manager.id,
    role: 'manager',
  });
  await system.users.update(manager.id, { version: manager.version, role: 'rep' });
  expect((await keys.authenticate(bearer(key)))?.actor).toEqual({ id: manager.id, role: 'rep' });
});

test("deleting the user stops the user's keys at once; revokeForUser stops them all", async () => {
  const { keys, system, rep, manager } = await setup();
  const { key } = await keys.create({ tenantId: 'acme', name: 'r', userId: rep.id });
  expect(await keys.authenticate(bearer(key))).not.toBeNull();
  await system.users.delete(rep.id);
  expect(await keys.authenticate(bearer(key))).toBeNull();

  const first = await keys.create({ tenantId: 'acme', name: 'm1', userId: manager.id });
  const second = await keys.create({ tenantId: 'acme', name: 'm2', userId: manager.id });
  expect(await keys.revokeForUser('acme', manager.id)).toBe(2);
  expect(await keys.authenticate(bearer(first.key))).toBeNull();
  expect(await keys.authenticate(bearer(second.key))).toBeNull();
  expect(await keys.revokeForUser('acme', manager.id)).toBe(0);
});

test('keys need an existing tenant, an existing user of that tenant, known scopes and the http plugin', async () => {
  const { keys, rep } = await setup();
  await expect(keys.create({ tenantId: 'nope', name: 'a', userId: rep.id })).rejects.toMatchObject({
    code: 'NOT_FOUND',
  });
  await expect(keys.create({ tenantId: 'acme', name: 'a', userId: 'u1' })).rejects.toMatchObject({
    code: 'VALIDATION',
    issues: [{ path: ['userId'], code: 'unknown_reference' }],
  });
  // A user of another tenant is no user here.
  await expect(keys.create({ tenantId: 'other', name: 'a', userId: rep.id })).rejects.toMatchObject(
    { code: 'VALIDATION' },
  );
  await expect(
    keys.create({ tenantId: 'acme', name: 'a', userId: rep.id, scopes: [] }),
  ).rejects.toMatchObject({ code: 'VALIDATION', issues: [{ path: ['scopes'] }] });
  await expect(
    // @ts-expect-error: not a scope
    keys.create({ tenantId: 'acme', name: 'a', userId: rep.id, scopes: ['read', 'admin'] }),
  ).rejects.toMatchObject({ code: 'VALIDATION', issues: [{ path: ['scopes', 1] }] });
  expect(await keys.list('acme')).toEqual([]);
  const bare = createCrm({ storage: sqliteStorage({ filename: ':memory:' }) });
  expect(() => createApiKeyStore(bare)).toThrow(/http plugin/);
});

test('a system key acts as the tenant system admin and is listed without a user', async () => {
  const { keys } = await setup();
  const made = await keys.createSystemKey({ tenantId: 'acme', name: 'serve', scopes: ['kpi'] });
  expect(made).toMatchObject({ userId: null, scopes: ['kpi'] });
  expect(await keys.authenticate(bearer(made.key))).toMatchObject({
    tenantId: 'acme',
    actor: { id: 'system', role: 'admin' },
    scopes: ['kpi'],
  });
});
