import { auditPlugin } from '@rapport/audit';
import { createCrm } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { describe, expect, test } from 'vitest';
import { createApiKeyStore } from '../auth/api-key-store.js';
import { httpPlugin } from '../auth/http-plugin.js';
import type { OpenApiDocument } from '../openapi/openapi-types.js';
import { createRapportApi } from './create-rapport-api.js';
import { apiFixture } from './test-fixture.js';

interface Entry {
  action: string;
  actorId: string;
  actorRole: string;
  changes: { field: string; old: unknown; new: unknown }[];
}

async function auditApi() {
  const crm = createCrm({
    storage: sqliteStorage({ filename: ':memory:' }),
    plugins: [httpPlugin, auditPlugin()],
  });
  await crm.migrate();
  await crm.createTenant({ id: 'acme', name: 'Acme' });
  const system = crm.tenant('acme').system();
  const admin = await system.users.create({ name: 'Ada', role: 'admin' });
  const rita = await system.users.create({ name: 'Rita', role: 'rep' });
  const otto = await system.users.create({ name: 'Otto', role: 'rep' });
  const keys = createApiKeyStore(crm);
  const keyOf = async (userId: string) =>
    (await keys.create({ tenantId: 'acme', name: userId, userId })).key;
  const api = createRapportApi({ crm, authenticate: keys.authenticate, rateLimit: false });
  const call = async (path: string, key: string, method = 'GET', body?: unknown) => {
    const response = await api.request(path, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const parsed: unknown = text === '' ? {} : JSON.parse(text);
    return { status: response.status, body: parsed as Record<string, unknown> };
  };
  return {
    crm,
    call,
    users: { admin, rita, otto },
    keys: { admin: await keyOf(admin.id), rita: await keyOf(rita.id), otto: await keyOf(otto.id) },
  };
}

describe('GET /{collection}/{id}/audit', () => {
  test('the record’s trail names actor, fields, old and new values; admins and readers only; 404 like missing', async () => {
    const { crm, call, users, keys } = await auditApi();
    const created = await call('/accounts', keys.rita, 'POST', { name: 'Initech' });
    expect(created.status).toBe(201);
    const id = String(created.body.id);
    const updated = await call(`/accounts/${id}`, keys.rita, 'PATCH', {
      version: created.body.version,
      industry: 'Banking',
    });
    expect(updated.status).toBe(200);

    const trail = await call(`/accounts/${id}/audit`, keys.rita);
    expect(trail.status).toBe(200);
    const items = trail.body.items as Entry[];
    expect(items.map((e) => e.action)).toEqual(['update', 'create']);
    expect(items[0]).toMatchObject({ actorId: users.rita.id, actorRole: 'rep' });
    expect(items[0]?.changes).toEqual([{ field: 'industry', old: null, new: 'Banking' }]);
    expect(items[1]?.changes).toContainEqual({ field: 'name', old: null, new: 'Initech' });

    // Otto cannot read the account: the trail is 404, exactly as for an id that does not exist.
    const hidden = await call(`/accounts/${id}/audit`, keys.otto);
    const missing = await call('/accounts/no-such-id/audit', keys.otto);
    expect(hidden.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(hidden.body.code).toBe(missing.body.code);

    // Once the tenant shares accounts for reading, Otto reads the trail too.
    await crm
      .tenant('acme')
      .system()
      .sharing.update({ defaults: { account: 'publicRead' } });
    expect((await call(`/accounts/${id}/audit`, keys.otto)).status).toBe(200);

    // After a delete, the trail is for admins only.
    const deleted = await call(`/accounts/${id}`, keys.admin, 'DELETE');
    expect(deleted.status).toBe(204);
    const afterDelete = await call(`/accounts/${id}/audit`, keys.admin);
    expect((afterDelete.body.items as Entry[]).map((e) => e.action)).toEqual([
      'delete',
      'update',
      'create',
    ]);
    expect((afterDelete.body.items as Entry[])[0]?.actorId).toBe(users.admin.id);
    expect((await call(`/accounts/${id}/audit`, keys.rita)).status).toBe(404);

    // Paging and bad queries.
    const page = await call(`/accounts/${id}/audit?limit=1`, keys.admin);
    expect((page.body.items as Entry[]).length).toBe(1);
    const next = await call(
      `/accounts/${id}/audit?limit=1&cursor=${String(page.body.nextCursor)}`,
      keys.admin,
    );
    expect((next.body.items as Entry[])[0]?.action).toBe('update');
    for (const query of ['limit=0', 'limit=lots', 'cursor=forged']) {
      const bad = await call(`/accounts/${id}/audit?${query}`, keys.admin);
      expect(bad.status, query).toBeGreaterThanOrEqual(400);
      expect(bad.status, query).toBeLessThan(500);
      expect(bad.body.code, query).toBe('VALIDATION');
    }

    const document = (await call('/openapi.json', keys.admin)).body as unknown as OpenApiDocument;
    expect(document.paths['/accounts/{id}/audit']?.get?.operationId).toBe('auditAccount');
    expect(document.paths['/opportunities/{id}/audit']).toBeDefined();
    await crm.destroy();
  });

  test('without the audit plugin there are no audit routes', async () => {
    const fx = await apiFixture();
    const account = await fx.system.accounts.create({ name: 'Plain', ownerId: fx.users.rep.id });
    expect((await fx.call(`/accounts/${account.id}/audit`)).status).toBe(404);
    const document = (await (await fx.call('/openapi.json')).json()) as OpenApiDocument;
    expect(document.paths['/accounts/{id}/audit']).toBeUndefined();
  });
});
