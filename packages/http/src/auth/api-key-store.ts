import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type Actor, type Crm, RapportError } from '@rapport/core';
import type { CrmScope, PluginContext } from '@rapport/core/plugin';
import type { httpTables } from './http-tables.js';
import { type ApiKeyScope, defaultKeyScopes, isApiKeyScope } from './key-scopes.js';
import type { Authenticate } from './principal.js';

const keyPrefix = 'rpk_';
const idLength = 16;
/** The actor of a system key: the id `crm.tenant(id).system()` acts as. */
const systemActor: Actor = { id: 'system', role: 'admin' };

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
  /** The user the key acts as, with the user's current role; null for a system key. */
  readonly userId: string | null;
  /** What the key may do; a scope never widens the user's role. */
  readonly scopes: readonly ApiKeyScope[];
  /** ISO-8601 UTC. */
  readonly createdAt: string;
  /** ISO-8601 UTC, or null while the key works. */
  readonly revokedAt: string | null;
}

/**
 * Hashed API keys in the `http_api_keys` table (made by {@link httpPlugin}'s migrations), and the
 * authenticator that checks them. A key acts as a user: every request looks the user up, so the
 * user's current role applies and a deleted user's keys stop at once.
 *
 * @example
 * const keys = createApiKeyStore(crm);
 * const { key } = await keys.create({ tenantId: 'acme', name: 'dashboard', userId: rita.id, scopes: ['kpi'] });
 * const api = createRapportApi({ crm, authenticate: keys.authenticate });
 */
export interface ApiKeyStore {
  /**
   * Makes a key that acts as `userId` (VALIDATION when the tenant has no such user), with
   * `scopes` (`read` and `write` by default). `key` is returned this once; only its SHA-256 is
   * stored.
   */
  create(input: {
    readonly tenantId: string;
    readonly name: string;
    readonly userId: string;
    readonly scopes?: readonly ApiKeyScope[];
  }): Promise<ApiKeyInfo & { readonly key: string }>;
  /**
   * Makes a key that acts as the tenant's system actor (an admin that is no user): for an
   * operator's own tools, such as `rapport serve`. Prefer user keys for anything else.
   */
  createSystemKey(input: {
    readonly tenantId: string;
    readonly name: string;
    readonly scopes?: readonly ApiKeyScope[];
  }): Promise<ApiKeyInfo & { readonly key: string }>;
  /** The tenant's keys, without secrets. */
  list(tenantId: string): Promise<ApiKeyInfo[]>;
  /** Revokes a key: requests with it get 401 from then on. NOT_FOUND for an unknown id. */
  revoke(tenantId: string, id: string): Promise<void>;
  /**
   * Revokes every working key of a user (what deactivating a user does to their keys); returns
   * how many were revoked.
   */
  revokeForUser(tenantId: string, userId: string): Promise<number>;
  /** An {@link Authenticate} reading `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
  readonly authenticate: Authenticate;
}

interface KeyRow {
  tenantId: string;
  id: string;
  name: string;
  keyHash: string;
  /** The user id, or `system`. */
  actorId: string;
  /** The role when the key was made: for audit only, the user's current role applies. */
  actorRole: string;
  /** `user` or `system`. */
  subject: string;
  /** Comma-separated {@link ApiKeyScope}s. */
  scopes: string;
  createdAt: string;
  revokedAt: string | null;
}

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

function scopesOf(row: KeyRow): ApiKeyScope[] {
  return row.scopes.split(',').filter(isApiKeyScope);
}

function infoOf(row: KeyRow): ApiKeyInfo {
  return {
    id: row.id,
    tenantId: row.tenantId,
    name: row.name,
    userId: row.subject === 'system' ? null : row.actorId,
    scopes: scopesOf(row),
    createdAt: row.createdAt,
    revokedAt: row.revokedAt,
  };
}

/** Checks the scopes a key is made with: a non-empty list of known scopes, without repeats. */
function checkedScopes(scopes: readonly ApiKeyScope[] | undefined): readonly ApiKeyScope[] {
  if (scopes === undefined) return defaultKeyScopes;
  const unknown = Array.isArray(scopes) ? scopes.findIndex((scope) => !isApiKeyScope(scope)) : -1;
  if (!Array.isArray(scopes) || scopes.length === 0 || unknown >= 0) {
    throw new RapportError('VALIDATION', 'scopes must be a non-empty list of read, write, kpi', {
      issues: [
        {
          path: unknown >= 0 ? ['scopes', unknown] : ['scopes'],
          message: 'must be read, write or kpi',
          code: 'invalid_value',
        },
      ],
    });
  }
  return [...new Set(scopes)];
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

  /** The actor a stored key acts as now, or null when its user is gone. */
  async function currentActor(row: KeyRow): Promise<Actor | null> {
    if (row.subject === 'system') return systemActor;
    // Read per request, not cached: a demotion or deletion takes effect on the next request.
    const user = await ctx.tenant(row.tenantId).system().users.find(row.actorId);
    return user ? { id: user.id, role: user.role } : null;
  }

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
    const actor = await currentActor(row);
    if (!actor) return null;
    return { tenantId: row.tenantId, actor, scopes: scopesOf(row), credentialId: row.id };
  };

  async function insertKey(
    tenantId: string,
    name: string,
    actor: Actor,
    subject: 'user' | 'system',
    scopes: readonly ApiKeyScope[] | undefined,
  ): Promise<ApiKeyInfo & { readonly key: string }> {
    const id = randomBytes(idLength / 2).toString('hex');
    const key = `${keyPrefix}${id}_${randomBytes(32).toString('base64url')}`;
    const row: KeyRow = {
      tenantId,
      id,
      name,
      keyHash: hashKey(key),
      actorId: actor.id,
      actorRole: actor.role,
      subject,
      scopes: checkedScopes(scopes).join(','),
      createdAt: ctx.now().toISOString(),
      revokedAt: null,
    };
    const { tenantId: _tenant, ...values } = row;
    await ctx.tenantTables(tenantId).insertInto('httpApiKeys', values).execute();
    return { ...infoOf(row), key };
  }

  return {
    authenticate,
    async create({ tenantId, name, userId, scopes }) {
      checkedScopes(scopes);
      // Fails with NOT_FOUND for a tenant that does not exist.
      const system = ctx.tenant(tenantId).system();
      await system.settings();
      const user = typeof userId === 'string' ? await system.users.find(userId) : undefined;
      if (!user) {
        throw new RapportError('VALIDATION', `tenant ${tenantId} has no user ${String(userId)}`, {
          issues: [{ path: ['userId'], message: 'is not a user', code: 'unknown_reference' }],
        });
      }
      return insertKey(tenantId, name, { id: user.id, role: user.role }, 'user', scopes);
    },
    async createSystemKey({ tenantId, name, scopes }) {
      checkedScopes(scopes);
      await ctx.tenant(tenantId).system().settings();
      return insertKey(tenantId, name, systemActor, 'system', scopes);
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
    async revokeForUser(tenantId, userId) {
      const result = await ctx
        .tenantTables(tenantId)
        .updateTable('httpApiKeys')
        .set({ revokedAt: ctx.now().toISOString() })
        .where('subject', '=', 'user')
        .where('actorId', '=', userId)
        .where('revokedAt', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}
