import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type Actor, type Crm, RapportError, userRoles } from '@rapport/core';
import type { CrmScope, PluginContext } from '@rapport/core/plugin';
import type { httpTables } from './http-tables.js';
import type { Authenticate } from './principal.js';

const keyPrefix = 'rpk_';
const idLength = 16;

/**
 * An API key as listed: never the key itself, which is shown once when it is made.
 *
 * @example
 * const keys: ApiKeyInfo[] = await store.list('acme');
 */
export interface ApiKeyInfo {
  /** The key's public id (part of the key, safe to log). */
  readonly id: string;
  /** The tenant it acts in. */
  readonly tenantId: string;
  /** A label for people. */
  readonly name: string;
  /** The actor requests with this key act as. */
  readonly actor: Actor;
  /** ISO-8601 UTC. */
  readonly createdAt: string;
  /** ISO-8601 UTC, or null while the key works. */
  readonly revokedAt: string | null;
}

/**
 * Hashed API keys in the `http_api_keys` table (made by {@link httpPlugin}'s migration), and the
 * authenticator that checks them.
 *
 * @example
 * const keys = createApiKeyStore(crm);
 * const { key } = await keys.create({ tenantId: 'acme', name: 'dashboard', actor: { id: 'system', role: 'admin' } });
 * const api = createRapportApi({ crm, authenticate: keys.authenticate });
 */
export interface ApiKeyStore {
  /** Makes a key; `key` is returned this once and only its SHA-256 is stored. */
  create(input: {
    readonly tenantId: string;
    readonly name: string;
    readonly actor: Actor;
  }): Promise<ApiKeyInfo & { readonly key: string }>;
  /** The tenant's keys, without secrets. */
  list(tenantId: string): Promise<ApiKeyInfo[]>;
  /** Revokes a key: requests with it get 401 from then on. NOT_FOUND for an unknown id. */
  revoke(tenantId: string, id: string): Promise<void>;
  /** An {@link Authenticate} reading `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
  readonly authenticate: Authenticate;
}

interface KeyRow {
  readonly tenantId: string;
  readonly id: string;
  readonly name: string;
  readonly keyHash: string;
  readonly actorId: string;
  readonly actorRole: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

function isRole(value: string): value is Actor['role'] {
  return (userRoles as readonly string[]).includes(value);
}

function infoOf(row: KeyRow): ApiKeyInfo {
  if (!isRole(row.actorRole)) {
    throw new RapportError('VALIDATION', `API key ${row.id} has an unknown role ${row.actorRole}`);
  }
  return {
    id: row.id,
    tenantId: row.tenantId,
    name: row.name,
    actor: { id: row.actorId, role: row.actorRole },
    createdAt: row.createdAt,
    revokedAt: row.revokedAt,
  };
}

/** Reads the presented key from the request, or undefined. */
function presentedKey(request: Request): string | undefined {
  const authorization = request.headers.get('authorization');
  const bearer = authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  return bearer ?? request.headers.get('x-api-key')?.trim() ?? undefined;
}

/**
 * The API key store of an engine that has {@link httpPlugin} registered: the plugin's runtime
 * made it when the engine was created.
 *
 * @example
 * const crm = createCrm({ storage: sqliteStorage({ filename: 'crm.sqlite' }), plugins: [httpPlugin] });
 * await crm.migrate();
 * const keys = createApiKeyStore(crm);
 */
export function createApiKeyStore(crm: Pick<Crm, 'plugin' | 'plugins'>): ApiKeyStore {
  if (!crm.plugins.some((plugin) => plugin.id === 'http')) {
    throw new RapportError(
      'UNSUPPORTED',
      'API keys need the http plugin: createCrm({ plugins: [httpPlugin, ...] })',
    );
  }
  const api = crm.plugin('http');
  if (!hasApiKeys(api)) {
    throw new RapportError('UNSUPPORTED', "the plugin with id http is not @rapport/http's");
  }
  return api.apiKeys;
}

function hasApiKeys(api: unknown): api is { readonly apiKeys: ApiKeyStore } {
  return typeof api === 'object' && api !== null && 'apiKeys' in api;
}

/**
 * @internal The store over the http plugin's context: keys are looked up by id before any tenant
 * is known (`ctx.db`); everything per tenant goes through `ctx.tenantTables`.
 */
export function apiKeyStoreOf(ctx: PluginContext<typeof httpTables, CrmScope>): ApiKeyStore {
  const db = ctx.db;
  const authenticate: Authenticate = async (request) => {
    const key = presentedKey(request);
    if (!key?.startsWith(keyPrefix) || key.length < keyPrefix.length + idLength + 2) return null;
    const id = key.slice(keyPrefix.length, keyPrefix.length + idLength);
    const row = await db
      .selectFrom('httpApiKeys')
      .selectAll()
      .where('id', '=', id)
      .where('revokedAt', 'is', null)
      .executeTakeFirst();
    if (!row) return null;
    const given = Buffer.from(hashKey(key), 'hex');
    const stored = Buffer.from(row.keyHash, 'hex');
    if (given.length !== stored.length || !timingSafeEqual(given, stored)) return null;
    const info = infoOf(row);
    return { tenantId: info.tenantId, actor: info.actor };
  };

  return {
    authenticate,
    async create({ tenantId, name, actor }) {
      // Fails with NOT_FOUND for a tenant that does not exist.
      await ctx.tenant(tenantId).system().settings();
      if (!isRole(actor.role)) {
        throw new RapportError('VALIDATION', `unknown role ${String(actor.role)}`, {
          issues: [{ path: ['actor', 'role'], message: 'is not a role', code: 'invalid_value' }],
        });
      }
      const id = randomBytes(idLength / 2).toString('hex');
      const key = `${keyPrefix}${id}_${randomBytes(32).toString('base64url')}`;
      const row: KeyRow = {
        tenantId,
        id,
        name,
        keyHash: hashKey(key),
        actorId: actor.id,
        actorRole: actor.role,
        createdAt: new Date().toISOString(),
        revokedAt: null,
      };
      const { tenantId: _tenant, ...values } = row;
      await ctx.tenantTables(tenantId).insertInto('httpApiKeys', values).execute();
      return { ...infoOf(row), key };
    },
    async list(tenantId) {
      const rows = await ctx
        .tenantTables(tenantId)
        .selectFrom('httpApiKeys')
        .selectAll()
        .orderBy('createdAt')
        .execute();
      return rows.map(infoOf);
    },
    async revoke(tenantId, id) {
      const result = await ctx
        .tenantTables(tenantId)
        .updateTable('httpApiKeys')
        .set({ revokedAt: ctx.now().toISOString() })
        .where('id', '=', id)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) {
        throw new RapportError('NOT_FOUND', `API key ${id} not found`, { object: 'apiKey', id });
      }
    },
  };
}
