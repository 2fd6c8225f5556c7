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
  return { crm, storage, report, keys: createApiKeyStore(crm) };
}

const request = (headers: Record<string, string>) => new Request('http://x/', { headers });

test('the http plugin migration makes the keys table; keys are stored only as SHA-256', async () => {
  const { storage, report, keys } = await setup();
  expect(report.applied).toContain('plugin:http:0001-api-keys');
  const made = await keys.create({
    tenantId: 'acme',
    name: 'ci',
    actor: { id: 'u1', role: 'manager' },
  });
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
      actor: { id: 'u1', role: 'manager' },
      createdAt: made.createdAt,
      revokedAt: null,
    },
  ]);
});

test('authenticate accepts the key as Bearer or X-API-Key and nothing else', async () => {
  const { keys } = await setup();
  const { key, id } = await keys.create({
    tenantId: 'acme',
    name: 'a',
    actor: { id: 'u1', role: 'rep' },
  });
  const principal = { tenantId: 'acme', actor: { id: 'u1', role: 'rep' } };
  expect(await keys.authenticate(request({ authorization: `Bearer ${key}` }))).toEqual(principal);
  expect(await keys.authenticate(request({ 'x-api-key': key }))).toEqual(principal);
  expect(await keys.authenticate(request({}))).toBeNull();
  expect(await keys.authenticate(request({ authorization: `Bearer ${key}x` }))).toBeNull();
  expect(await keys.authenticate(request({ authorization: `Bearer rpk_${id}_forged` }))).toBeNull();
  await keys.revoke('acme', id);
  expect(await keys.authenticate(request({ authorization: `Bearer ${key}` }))).toBeNull();
  await expect(keys.revoke('acme', 'unknown')).rejects.toMatchObject({ code: 'NOT_FOUND' });
});

test('keys need an existing tenant and the http plugin', async () => {
  const { keys } = await setup();
  await expect(
    keys.create({ tenantId: 'nope', name: 'a', actor: { id: 'u1', role: 'rep' } }),
  ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  const bare = createCrm({ storage: sqliteStorage({ filename: ':memory:' }) });
  expect(() => createApiKeyStore(bare)).toThrow(/http plugin/);
});
