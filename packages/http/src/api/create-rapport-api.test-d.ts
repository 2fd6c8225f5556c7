import { createCrm } from '@rapport/core';
import { closingPlugin } from '@rapport/kpi-closing';
import { sqliteStorage } from '@rapport/sqlite';
import { Hono } from 'hono';
import { expectTypeOf, test } from 'vitest';
import { createApiKeyStore } from '../auth/api-key-store.js';
import { httpPlugin } from '../auth/http-plugin.js';
import type { Authenticate, Principal } from '../auth/principal.js';
import { createRapportApi } from './create-rapport-api.js';

const crm = createCrm({
  storage: sqliteStorage({ filename: ':memory:' }),
  plugins: [httpPlugin, closingPlugin],
  fields: {},
});

test('an engine with typed plugins is accepted and the app mounts in a host app', () => {
  const api = createRapportApi({ crm, authenticate: createApiKeyStore(crm).authenticate });
  expectTypeOf(api.fetch).returns.toExtend<Response | Promise<Response>>();
  const host = new Hono().route('/api', api);
  expectTypeOf(host.fetch).toBeFunction();
});

test('authenticate is required and returns a principal or null', () => {
  // @ts-expect-error there is no anonymous mode
  createRapportApi({ crm });
  expectTypeOf<ReturnType<Authenticate>>().toEqualTypeOf<
    Principal | null | Promise<Principal | null>
  >();
  // @ts-expect-error an actor needs a known role
  const wrong: Authenticate = () => ({ tenantId: 'acme', actor: { id: 'u1', role: 'owner' } });
  expectTypeOf(wrong).toBeFunction();
});
