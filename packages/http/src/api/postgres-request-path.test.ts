import { createCrm } from '@rapport/core';
import { postgresStorage } from '@rapport/postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApiKeyStore } from '../auth/api-key-store.js';
import { httpPlugin } from '../auth/http-plugin.js';
import { createRapportApi } from './create-rapport-api.js';

const postgresUrl = process.env.RAPPORT_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `hpl_request_path_${process.pid}`;

async function postgresUp(): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
const reachable = await postgresUp();
if (!reachable && process.env.CI === 'true') {
  throw new Error(`Postgres at ${postgresUrl} is required under CI=true`);
}

/** The first words of every statement the API's pool sends while `counting`: one per round trip. */
const statements: string[] = [];
let counting = false;

/** A pool whose clients note what they send, as round-trips.test.ts in @rapport/postgres does. */
function countingPool(): pg.Pool {
  const pool = new pg.Pool({ connectionString: postgresUrl, max: 4 });
  pool.on('connect', (client) => {
    const query = client.query.bind(client);
    // Cast: pg's query has many overloads; this passes every call through unchanged.
    client.query = ((...args: Parameters<typeof query>) => {
      const [first] = args as unknown[];
      const text = typeof first === 'string' ? first : (first as { text?: string })?.text;
      if (counting && text) statements.push(text.trim().split(/\s+/).slice(0, 4).join(' '));
      return query(...args);
    }) as typeof client.query;
  });
  return pool;
}

/** The statements one request sends. */
async function statementsOf(request: () => Promise<Response>): Promise<string[]> {
  statements.length = 0;
  counting = true;
  try {
    const response = await request();
    expect(response.status).toBe(200);
    await response.arrayBuffer();
  } finally {
    counting = false;
  }
  return [...statements];
}

// The API's engine and a second one on the same schema: another process of the same deployment
// (its own pool, its own caches), which changes what the first one must see at once.
const served = createCrm({
  storage: postgresStorage({ pool: countingPool(), schema }),
  plugins: [httpPlugin],
});
const elsewhere = createCrm({
  storage: postgresStorage({ connectionString: postgresUrl, schema, max: 2 }),
  plugins: [httpPlugin],
});
const api = createRapportApi({
  crm: served,
  authenticate: createApiKeyStore(served).authenticate,
  rateLimit: false,
});
const otherKeys = createApiKeyStore(elsewhere);
let systemKey = '';
let userKey = '';
let userKeyId = '';

// hono's request() may answer synchronously in its types; resolve() makes it a promise.
const get = (path: string, key: string): Promise<Response> =>
  Promise.resolve(api.request(path, { headers: { authorization: `Bearer ${key}` } }));

beforeAll(async () => {
  if (!reachable) return;
  await served.migrate();
  await elsewhere.migrate();
  await elsewhere.createTenant({ id: 'acme', name: 'Acme GmbH' });
  const system = elsewhere.tenant('acme').system();
  const rita = await system.users.create({ name: 'Rita Rep', role: 'rep' });
  await system.opportunities.create({ name: 'Deal', ownerId: rita.id, closeDate: '2026-06-30' });
  systemKey = (await otherKeys.createSystemKey({ tenantId: 'acme', name: 'system' })).key;
  const made = await otherKeys.create({ tenantId: 'acme', name: 'rita', userId: rita.id });
  userKey = made.key;
  userKeyId = made.id;
});

afterAll(async () => {
  await served.destroy();
  await elsewhere.destroy();
  if (!reachable) return;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`drop schema if exists "${schema}" cascade`);
  await admin.end();
});

describe.skipIf(!reachable)(
  'a request on Postgres: its round trips, and what it sees at once',
  () => {
    test("a list with a system key is 2 statements (the key, the page), with a rep's key 4 (the user, the sharing settings): no tenant row", async () => {
      // Warm: the first request of an engine may read what it keeps for later (none of it per tenant).
      await (await get('/opportunities?limit=50', systemKey)).arrayBuffer();
      expect(await statementsOf(() => get('/opportunities?limit=50', systemKey))).toEqual([
        'select * from "http_api_keys"',
        'select "t".* from "opportunities"',
      ]);
      expect(await statementsOf(() => get('/opportunities?limit=50', userKey))).toEqual([
        'select * from "http_api_keys"',
        'select "t".* from "users"',
        // What a rep sees depends on them; an admin's list does not read them.
        'select * from "sharing_settings"',
        'select "t".* from "opportunities"',
      ]);
      // The page still has what the user may see.
      const page = (await (await get('/opportunities', userKey)).json()) as { items: unknown[] };
      expect(page.items).toHaveLength(1);
    });

    test('a key revoked by another engine is refused on the very next request', async () => {
      const { key, id } = await otherKeys.createSystemKey({
        tenantId: 'acme',
        name: 'soon revoked',
      });
      expect((await get('/opportunities', key)).status).toBe(200);
      await otherKeys.revoke('acme', id);
      expect((await get('/opportunities', key)).status).toBe(401);
      expect((await get('/session', key)).status).toBe(401);
    });

    test("a user deleted by another engine stops the user's key on the next request", async () => {
      const system = elsewhere.tenant('acme').system();
      const otto = await system.users.create({ name: 'Otto Rep', role: 'rep' });
      const { key } = await otherKeys.create({ tenantId: 'acme', name: 'otto', userId: otto.id });
      expect((await get('/opportunities', key)).status).toBe(200);
      await system.users.delete(otto.id);
      expect((await get('/opportunities', key)).status).toBe(401);
      // Rita's key is untouched.
      expect((await get('/opportunities', userKey)).status).toBe(200);
      expect(userKeyId).not.toBe('');
    });

    test('a tenant settings change made by another engine is what the next request sees', async () => {
      const session = async () =>
        ((await (await get('/session', systemKey)).json()) as { tenant: { timeZone: string } })
          .tenant;
      expect((await session()).timeZone).toBe('UTC');
      await elsewhere.tenant('acme').system().updateSettings({ timeZone: 'Europe/Berlin' });
      expect((await session()).timeZone).toBe('Europe/Berlin');
      await elsewhere.tenant('acme').system().updateSettings({ timeZone: 'Asia/Tokyo' });
      expect((await session()).timeZone).toBe('Asia/Tokyo');
    });
  },
);
