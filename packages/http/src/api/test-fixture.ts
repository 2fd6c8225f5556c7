import { type AnyRapportPlugin, createCrm } from '@rapport/core';
import { closingPlugin } from '@rapport/kpi-closing';
import { sqliteStorage } from '@rapport/sqlite';
import { createApiKeyStore } from '../auth/api-key-store.js';
import { httpPlugin } from '../auth/http-plugin.js';
import { createRapportApi, type RapportApiOptions } from './create-rapport-api.js';

/**
 * @internal A migrated in-memory engine with a tenant, an admin, a manager and two reps, an API
 * key for each, and the API over it: what the HTTP tests start from.
 */
export async function apiFixture(
  options: Partial<RapportApiOptions> = {},
  plugins: readonly AnyRapportPlugin[] = [closingPlugin],
) {
  const crm = createCrm({
    storage: sqliteStorage({ filename: ':memory:' }),
    plugins: [httpPlugin, ...plugins],
  });
  await crm.migrate();
  await crm.createTenant({ id: 'acme', name: 'Acme GmbH' });
  await crm.createTenant({ id: 'other', name: 'Other AG' });
  const system = crm.tenant('acme').system();
  const admin = await system.users.create({ name: 'Ada Admin', role: 'admin' });
  const manager = await system.users.create({ name: 'Max Manager', role: 'manager' });
  const rep = await system.users.create({ name: 'Rita Rep', role: 'rep', managerId: manager.id });
  const otherRep = await system.users.create({ name: 'Otto Rep', role: 'rep' });
  const keys = createApiKeyStore(crm);
  const keyOf = async (actor: { id: string; role: 'admin' | 'manager' | 'rep' }) =>
    (await keys.create({ tenantId: 'acme', name: `${actor.role} key`, userId: actor.id })).key;
  // The fixture's tests send many requests at once; the limits have their own tests.
  const api = createRapportApi({
    crm,
    authenticate: keys.authenticate,
    rateLimit: false,
    ...options,
  });
  const adminKey = await keyOf({ id: admin.id, role: 'admin' });
  const headersFor = (key: string, extra: Record<string, string> = {}) => ({
    authorization: `Bearer ${key}`,
    'content-type': 'application/json',
    ...extra,
  });
  /** A request as the admin unless other headers are given. */
  const call = (
    path: string,
    init: { method?: string; body?: unknown; headers?: Record<string, string>; key?: string } = {},
  ) =>
    api.request(path, {
      method: init.method ?? 'GET',
      headers: headersFor(init.key ?? adminKey, init.headers),
      ...(init.body === undefined
        ? {}
        : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
    });
  return {
    crm,
    api,
    keys,
    system,
    users: { admin, manager, rep, otherRep },
    adminKey,
    repKey: await keyOf({ id: rep.id, role: 'rep' }),
    managerKey: await keyOf({ id: manager.id, role: 'manager' }),
    otherTenantKey: (await keys.createSystemKey({ tenantId: 'other', name: 'other system key' }))
      .key,
    call,
  };
}
