import { createHash } from 'node:crypto';
import {
  type AnyObjectDefinition,
  type Crm,
  type ObjectName,
  standardObjects,
} from '@rapport/core';
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { scopesAllow } from '../auth/key-scopes.js';
import type { Authenticate } from '../auth/principal.js';
import { type IdempotencyStore, memoryIdempotencyStore } from '../idempotency/idempotency-store.js';
import { ConcurrencyLimit } from '../limits/concurrency-limit.js';
import { kpiConcurrencyMiddleware, rateLimitMiddleware } from '../limits/limit-middleware.js';
import { RateLimiter, type RateLimitOptions } from '../limits/rate-limit.js';
import { json, problemSchema, problems, ref } from '../openapi/common.js';
import { jsonSchemaOf, objectSchemas } from '../openapi/object-schemas.js';
import { buildOpenApiDocument, type OpenApiOptions } from '../openapi/openapi-document.js';
import type { OpenApiDocument } from '../openapi/openapi-types.js';
import { HttpProblem, problemOf, problemResponse, toProblem } from '../problems/problem-details.js';
import { addReferenceRoutes } from '../reference/reference-routes.js';
import { type ApiEnv, utf8QueryMiddleware } from './api-env.js';
import { type AuditTrailReader, addAuditRoutes, auditReaderOf } from './audit-routes.js';
import { collections } from './collections.js';
import { addKpiRoutes } from './kpi-routes.js';
import { addObjectRoutes } from './object-routes.js';
import { addPredictRoutes } from './predict-routes.js';
import { RouteTable } from './route-table.js';
import { addSalesRoutes } from './sales-routes.js';
import { addSharingRoutes } from './sharing-routes.js';

/**
 * Options of {@link createRapportApi}.
 *
 * @example
 * const options: RapportApiOptions = { crm, authenticate: keys.authenticate, maxBodyBytes: 256 * 1024 };
 */
export interface RapportApiOptions {
  /** The engine. */
  readonly crm: Pick<Crm, 'tenant' | 'plugins' | 'customFields'>;
  /** Maps a request to tenant and actor, or null (401). Required: there is no anonymous mode. */
  readonly authenticate: Authenticate;
  /** Request bodies over this many bytes get 413; 1 MiB by default. */
  readonly maxBodyBytes?: number;
  /** Where responses to POSTs with an Idempotency-Key are kept; in memory by default. */
  readonly idempotency?: IdempotencyStore;
  /** Title, version and servers of the OpenAPI document. */
  readonly openApi?: OpenApiOptions;
  /**
   * The token bucket per API key: 429 with Retry-After once a key used it up. 120 at once and
   * 20 per second by default; `false` turns it off (for a host that limits in front).
   */
  readonly rateLimit?: RateLimitOptions | false;
  /** KPI evaluations one key may run at once; more get 429. 2 by default. */
  readonly maxConcurrentKpiEvaluations?: number | ConcurrencyLimit;
  /** Called with errors that become a 500 (for your logs); the client sees no details. */
  readonly onUnexpectedError?: (error: unknown, request: Request) => void;
  /**
   * Where `GET /{collection}/{id}/audit` reads the audit trail: by default the audit plugin of
   * `crm` when it runs one (`@rapport/audit`); without either, the routes are not served.
   */
  readonly audit?: AuditTrailReader;
}

/**
 * The Rapport API as a Hono app: REST routes for every object, lead conversion, stage changes,
 * closing won or lost, KPIs, and its OpenAPI 3.1 document at `/openapi.json`. Mount it in a host
 * app with `host.route('/api', api)` or serve it as it is.
 *
 * @example
 * import { serve } from '@hono/node-server';
 * const crm = createCrm({ storage: sqliteStorage({ filename: 'crm.sqlite' }), plugins: [httpPlugin] });
 * await crm.migrate();
 * const keys = createApiKeyStore(crm);
 * const api = createRapportApi({ crm, authenticate: keys.authenticate });
 * serve({ fetch: api.fetch, port: 4310 });
 */
export function createRapportApi(options: RapportApiOptions): Hono<ApiEnv> {
  if (typeof options.authenticate !== 'function') {
    throw new TypeError(
      'createRapportApi needs an authenticate function; there is no anonymous mode',
    );
  }
  const { crm, authenticate } = options;
  const idempotency = options.idempotency ?? memoryIdempotencyStore();
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  // Custom field schemas are merged by the engine from config and plugins; the API documents and
  // parses filters with the same ones.
  const customOf = (object: ObjectName) => crm.customFields[object];

  const app = new Hono<ApiEnv>();
  app.onError((error, c) => {
    // The client closed the connection (an evaluation stopped by its signal): no one reads the
    // answer, and it is no server failure to log. 499 is the status proxies log for it.
    if (c.req.raw.signal.aborted) return new Response(null, { status: 499 });
    const problem = toProblem(error);
    if (problem.status >= 500) options.onUnexpectedError?.(error, c.req.raw);
    return problemResponse(problem);
  });
  app.notFound((c) =>
    problemResponse(problemOf('NOT_FOUND', `no route ${c.req.method} ${c.req.path}`)),
  );

  // The reference page holds no data: served before authentication (its document is not).
  addReferenceRoutes(app);
  app.use('*', async (c, next) => {
    const principal = await authenticate(c.req.raw);
    if (!principal) {
      return problemResponse(
        problemOf('UNAUTHORIZED', 'send a valid API key as Authorization: Bearer <key>'),
        {
          'WWW-Authenticate': 'Bearer realm="rapport"',
        },
      );
    }
    if (principal.scopes && !scopesAllow(principal.scopes, c.req.method, c.req.path)) {
      return problemResponse(
        problemOf(
          'FORBIDDEN',
          `this key's scopes (${principal.scopes.join(', ')}) do not allow this route`,
        ),
      );
    }
    c.set('principal', principal);
    c.set('scope', crm.tenant(principal.tenantId).as(principal.actor));
    await next();
  });
  if (options.rateLimit !== false) {
    app.use(
      '*',
      rateLimitMiddleware(new RateLimiter(options.rateLimit ?? { burst: 120, perSecond: 20 })),
    );
  }
  const kpiLimit = options.maxConcurrentKpiEvaluations;
  app.use(
    '*',
    kpiConcurrencyMiddleware(
      kpiLimit instanceof ConcurrencyLimit ? kpiLimit : new ConcurrencyLimit(kpiLimit ?? 2),
    ),
  );
  app.use('*', utf8QueryMiddleware);
  app.use(
    '*',
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: () =>
        problemResponse(
          problemOf('PAYLOAD_TOO_LARGE', `request bodies are limited to ${maxBodyBytes} bytes`),
        ),
    }),
  );
  app.use('*', idempotencyMiddleware(idempotency));

  const table = new RouteTable(app);
  table.schema('Problem', problemSchema);
  for (const collection of collections) {
    // Cast: each standard definition is one of the erased AnyObjectDefinition.
    const definition = standardObjects[collection.object] as AnyObjectDefinition;
    const custom = customOf(collection.object);
    const schemas = objectSchemas(definition, custom);
    const name = collection.schemaName;
    table.schema(name, jsonSchemaOf(schemas.record, 'output'));
    table.schema(`${name}Page`, {
      type: 'object',
      required: ['items', 'nextCursor'],
      properties: {
        items: { type: 'array', items: ref(name) },
        nextCursor: { type: ['string', 'null'], description: 'Pass as cursor for the next page.' },
      },
    });
    if (collection.writable) {
      table.schema(`${name}Create`, jsonSchemaOf(schemas.create, 'input'));
      table.schema(`${name}Update`, jsonSchemaOf(schemas.update, 'input'));
    }
    addObjectRoutes(table, collection, definition, custom);
  }
  addSalesRoutes(table, customOf);
  addKpiRoutes(table);
  addSharingRoutes(table);
  const audit = options.audit ?? auditReaderOf(crm);
  if (audit) addAuditRoutes(table, collections, audit);
  // The prediction routes read the predict plugin's tables: only with the plugin registered.
  if (crm.plugins.some((plugin) => plugin.id === 'predict')) addPredictRoutes(table);

  table.schema('Session', {
    type: 'object',
    required: ['tenantId', 'actor', 'tenant'],
    properties: {
      tenantId: { type: 'string' },
      actor: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          role: { enum: ['admin', 'manager', 'rep', 'readonly'] },
        },
      },
      tenant: {
        type: 'object',
        description: "The tenant's settings (currency, time zone, fiscal year).",
      },
    },
  });
  table.add(
    'get',
    '/session',
    {
      operationId: 'getSession',
      summary: 'Who the request acts as, and the tenant settings',
      tags: ['session'],
      responses: {
        '200': { description: 'The session.', content: json(ref('Session')) },
        ...problems(404),
      },
    },
    async (c) => {
      const { tenantId, actor } = c.var.principal;
      return c.json({ tenantId, actor, tenant: await c.var.scope.settings() });
    },
  );

  let document: OpenApiDocument | undefined;
  table.add(
    'get',
    '/openapi.json',
    {
      operationId: 'getOpenApiDocument',
      summary: 'This OpenAPI 3.1 document',
      tags: ['meta'],
      responses: {
        '200': { description: 'The document.', content: json({ type: 'object' }) },
        ...problems(),
      },
    },
    (c) => {
      document ??= buildOpenApiDocument(table.routes, table.schemas, options.openApi);
      return c.json(document);
    },
  );
  return app;
}

function idempotencyMiddleware(store: IdempotencyStore): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (key.length < 1 || key.length > 255) {
      throw new HttpProblem('BAD_REQUEST', 'Idempotency-Key must have 1 to 255 characters', [
        {
          path: ['Idempotency-Key'],
          message: 'must have 1 to 255 characters',
          code: 'invalid_header',
        },
      ]);
    }
    const { tenantId, actor } = c.var.principal;
    const storeKey = JSON.stringify([tenantId, actor.id, key]);
    // The bytes, not c.req.text(): Hono caches the first read, and text would hand the body
    // reader U+FFFD for a byte that is not UTF-8, which it must refuse. Decoded as text() does,
    // so fingerprints stored before stay the same.
    const body = new TextDecoder().decode(await c.req.arrayBuffer());
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([c.req.method, c.req.path, body]))
      .digest('hex');
    const begun = await store.begin(storeKey, fingerprint);
    if (begun.kind === 'mismatch') {
      throw new HttpProblem(
        'IDEMPOTENCY_KEY_REUSED',
        `Idempotency-Key ${key} was used for another request; use a new key for a new write`,
      );
    }
    if (begun.kind === 'running') {
      throw new HttpProblem(
        'IDEMPOTENCY_KEY_IN_USE',
        `a request with Idempotency-Key ${key} is still running`,
      );
    }
    if (begun.kind === 'replay') {
      const headers = new Headers(
        begun.response.headers.map(([name, value]): [string, string] => [name, value]),
      );
      headers.set('Idempotent-Replayed', 'true');
      return new Response(begun.response.body, { status: begun.response.status, headers });
    }
    try {
      await next();
    } catch (error) {
      await store.release(storeKey);
      throw error;
    }
    if (c.res.status >= 500) {
      await store.release(storeKey);
      return;
    }
    await store.complete(storeKey, {
      fingerprint,
      status: c.res.status,
      headers: [...c.res.headers.entries()],
      body: await c.res.clone().text(),
    });
  };
}
