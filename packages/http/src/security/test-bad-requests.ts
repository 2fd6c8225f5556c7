/**
 * @internal Fuzzed bad input over HTTP (issue 12, proof c): requests generated from the API's
 * own OpenAPI document, each wrong in one way (a missing or forged id, a filter value of the
 * wrong type, an unknown operator or field, a body of the wrong shape or a field of the wrong
 * type, a malformed header). Every one must get a 4xx problem with a known code, none a 500, and
 * the database must stay byte for byte the same.
 */
import { createCrm } from '@rapport/core';
import { closingPlugin } from '@rapport/kpi-closing';
import { pipelinePlugin } from '@rapport/kpi-pipeline';
import { sqliteStorage } from '@rapport/sqlite';
import fc from 'fast-check';
import { createRapportApi } from '../api/create-rapport-api.js';
import { createApiKeyStore } from '../auth/api-key-store.js';
import { httpPlugin } from '../auth/http-plugin.js';
import type { JsonSchema, OpenApiDocument } from '../openapi/openapi-types.js';

/** One generated request, and the kind of badness it carries. */
export interface BadRequest {
  readonly category: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** A request whose answer broke the rule, with the answer. */
export interface Finding {
  readonly request: BadRequest;
  readonly status: number;
  readonly body: string;
}

/** Codes a problem document may carry (the engine's and the HTTP layer's). */
const knownCodes = new Set([
  'VALIDATION',
  'NOT_FOUND',
  'CONFLICT',
  'FORBIDDEN',
  'UNSUPPORTED',
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'PRECONDITION_FAILED',
  'PRECONDITION_REQUIRED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_KEY_IN_USE',
  'TOO_MANY_REQUESTS',
]);

/**
 * Every table of the database with its rows sorted, as one string (the `.dump` of the data):
 * what "nothing changed" compares.
 */
export function databaseDump(database: {
  prepare(sql: string): { all(...args: unknown[]): unknown[] };
}): string {
  const tables = database
    .prepare("select name, sql from sqlite_master where type = 'table' order by name")
    .all() as { name: string; sql: string }[];
  return tables
    .map(({ name, sql }) => {
      const rows = database.prepare(`select * from "${name.replaceAll('"', '""')}"`).all();
      return `${sql}\n${rows
        .map((row) => JSON.stringify(row))
        .sort()
        .join('\n')}`;
    })
    .join('\n\n');
}

/** A migrated engine with one record in every collection, the API over it and an admin key. */
export async function fuzzFixture() {
  const storage = sqliteStorage({ filename: ':memory:' });
  const crm = createCrm({ storage, plugins: [httpPlugin, closingPlugin, pipelinePlugin] });
  await crm.migrate();
  await crm.createTenant({ id: 'acme', name: 'Acme GmbH' });
  const system = crm.tenant('acme').system();
  const admin = await system.users.create({ name: 'Ada Admin', role: 'admin' });
  const rep = await system.users.create({ name: 'Rita Rep', role: 'rep' });
  const team = await system.teams.create({ name: 'North' });
  const account = await system.accounts.create({ name: 'Globex', ownerId: rep.id });
  const contact = await system.contacts.create({ lastName: 'Doe', ownerId: rep.id });
  const campaign = await system.campaigns.create({ name: 'Spring' });
  const lead = await system.leads.create({ lastName: 'Kim', company: 'Umbrella', ownerId: rep.id });
  const product = await system.products.create({ name: 'Seat', listPrice: 100_00 });
  const deal = await system.opportunities.create({
    name: 'Deal',
    ownerId: rep.id,
    accountId: account.id,
    closeDate: '2026-12-31',
    amount: 1000_00,
  });
  const item = await system.lineItems.create({
    opportunityId: deal.id,
    productId: product.id,
    quantity: 2,
  });
  const activity = await system.activities.create({
    type: 'call',
    subject: 'Hello',
    ownerId: rep.id,
  });
  const quota = await system.quotas.create({
    ownerId: rep.id,
    periodStart: '2026-01-01',
    periodEnd: '2026-03-31',
    amount: 10_000_00,
  });
  const contract = await system.contracts.create({
    accountId: account.id,
    ownerId: rep.id,
    startDate: '2026-01-01',
    monthlyAmount: 100_00,
  });
  const pipeline = (await system.pipelines.list()).items[0];
  const history = (await system.stageHistory.list()).items[0];
  const keys = createApiKeyStore(crm);
  const { key } = await keys.create({ tenantId: 'acme', name: 'fuzz', userId: admin.id });
  const { key: repKey } = await keys.create({ tenantId: 'acme', name: 'fuzz rep', userId: rep.id });
  const api = createRapportApi({ crm, authenticate: keys.authenticate, rateLimit: false });
  const ids: Record<string, string> = {
    users: rep.id,
    teams: team.id,
    accounts: account.id,
    contacts: contact.id,
    campaigns: campaign.id,
    leads: lead.id,
    products: product.id,
    pipelines: pipeline?.id ?? 'none',
    opportunities: deal.id,
    'line-items': item.id,
    activities: activity.id,
    'stage-history': history?.id ?? 'none',
    quotas: quota.id,
    contracts: contract.id,
  };
  const document = (await (
    await api.request('/openapi.json', { headers: { authorization: `Bearer ${key}` } })
  ).json()) as OpenApiDocument;
  return { crm, storage, api, key, repKey, ids, document };
}

/** A route of the document: method, path template, its query parameters and body schema. */
interface FuzzRoute {
  readonly method: string;
  readonly path: string;
  readonly collection: string;
  readonly hasId: boolean;
  readonly query: readonly { readonly name: string; readonly schema: JsonSchema }[];
  readonly body: JsonSchema | undefined;
  readonly ifMatch: boolean;
}

function resolve(
  document: OpenApiDocument,
  schema: JsonSchema | undefined,
): JsonSchema | undefined {
  const ref = schema?.$ref;
  if (typeof ref !== 'string') return schema;
  const name = ref.replace('#/components/schemas/', '');
  return (document.components?.schemas as Record<string, JsonSchema> | undefined)?.[name];
}

/** The routes with input to get wrong (not /session, /kpis or /openapi.json, which take none). */
export function fuzzRoutes(document: OpenApiDocument): FuzzRoute[] {
  const routes: FuzzRoute[] = [];
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const parameters = operation.parameters ?? [];
      const content = operation.requestBody?.content as
        | Record<string, { schema?: JsonSchema }>
        | undefined;
      const body = resolve(document, content?.['application/json']?.schema);
      const query = parameters
        .filter((p) => p.in === 'query')
        .map((p) => ({ name: p.name, schema: (p.schema ?? {}) as JsonSchema }));
      const hasId = path.includes('{id}');
      if (!hasId && !body && query.length === 0) continue;
      routes.push({
        method: method.toUpperCase(),
        path,
        collection: path.split('/')[1] ?? '',
        hasId,
        query,
        body,
        ifMatch: parameters.some((p) => p.name === 'If-Match'),
      });
    }
  }
  return routes;
}

/** The JSON types a schema allows (`type`, or the types of its `anyOf`). */
function typesOf(schema: JsonSchema): Set<string> {
  const types = new Set<string>();
  const type = schema.type;
  if (typeof type === 'string') types.add(type);
  if (Array.isArray(type)) for (const t of type) types.add(String(t));
  for (const part of (schema.anyOf as JsonSchema[] | undefined) ?? []) {
    for (const t of typesOf(part)) types.add(t);
  }
  if (types.has('integer')) types.add('number');
  return types;
}

/** Values of JSON types a schema does not allow: certainly wrong for that field. */
function wrongValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  const allowed = typesOf(schema);
  const candidates: fc.Arbitrary<unknown>[] = [];
  if (!allowed.has('string')) candidates.push(fc.string({ maxLength: 20 }));
  if (!allowed.has('number'))
    candidates.push(fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })));
  if (!allowed.has('boolean')) candidates.push(fc.boolean());
  if (!allowed.has('null')) candidates.push(fc.constant(null));
  if (!allowed.has('array')) candidates.push(fc.array(fc.integer(), { maxLength: 3 }));
  if (!allowed.has('object'))
    candidates.push(fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }));
  const enumValues = schema.enum as unknown[] | undefined;
  if (enumValues)
    candidates.push(fc.string({ maxLength: 12 }).filter((value) => !enumValues.includes(value)));
  if (schema.format === 'date') {
    candidates.push(
      fc.constantFrom('2026-02-30', '2026-13-01', '26-1-1', '2026/01/01', 'tomorrow'),
    );
  }
  if (typeof schema.maximum === 'number' && allowed.has('number')) {
    candidates.push(fc.constant((schema.maximum as number) * 2 + 1));
  }
  if (typeof schema.minimum === 'number' && allowed.has('number') && !allowed.has('null')) {
    candidates.push(fc.constant((schema.minimum as number) - 1));
  }
  return fc.oneof(...candidates);
}

const badIds = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40 }),
  fc.constantFrom(
    "' or 1=1 --",
    '../../etc/passwd',
    'x'.repeat(300),
    '%00',
    'null',
    '0',
    '-1',
    '1e999',
  ),
  fc.uuid(),
);

const badJson = fc.constantFrom('{', '[1,2', '{"a":}', 'nul', '{"a":1}}', '\u0000', "{'a':1}");
const nonObjectJson = fc.constantFrom('[]', '1', '"text"', 'null', 'true', '[{}]');

function withQuery(path: string, pairs: readonly (readonly [string, string])[]): string {
  if (pairs.length === 0) return path;
  return `${path}?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
}

/** The bad query parameters of a list or KPI route. */
function badQueries(
  route: FuzzRoute,
): fc.Arbitrary<{ category: string; pairs: [string, string][] }> {
  const isKpi = route.path.startsWith('/kpis');
  const options: fc.Arbitrary<{ category: string; pairs: [string, string][] }>[] = [
    fc
      .string({ minLength: 1, maxLength: 12 })
      .filter(
        (name) =>
          !route.query.some((q) => q.name === name) &&
          !/[[\]]/.test(name) &&
          !name.startsWith('custom'),
      )
      .map((name) => ({ category: 'unknown query parameter', pairs: [[name, '1']] })),
  ];
  if (isKpi) {
    options.push(
      fc
        .constantFrom<[string, string][]>(
          [['ids', 'no.such.kpi']],
          [
            ['ids', ','],
            ['period', 'Q5-2026'],
          ],
          [
            ['ids', 'closing.winRate'],
            ['period', 'someday'],
          ],
          [
            ['ids', 'closing.winRate'],
            ['period', '2026-02-30..2026-03-01'],
          ],
          [
            ['ids', 'closing.winRate'],
            ['by', 'nothing'],
          ],
          [
            ['ids', 'closing.winRate'],
            ['compare', 'maybe'],
          ],
          [
            ['ids', 'closing.winRate'],
            ['filter[nothing]', 'x'],
          ],
          [
            ['ids', 'closing.winRate'],
            ['by', "owner'; drop table users; --"],
          ],
        )
        .map((pairs) => ({ category: 'bad KPI query', pairs })),
    );
    return fc.oneof(...options);
  }
  const filters = route.query.filter((q) => !['limit', 'cursor', 'sort'].includes(q.name));
  const numeric = filters.filter((q) => typesOf(q.schema).has('number'));
  options.push(
    fc
      .constantFrom('0', '-1', '1001', 'ten', '1.5', '')
      .map((value) => ({ category: 'bad limit', pairs: [['limit', value]] })),
    fc
      .string({ maxLength: 12 })
      .filter((field) => !route.query.some((q) => q.name === field.replace(/^-/, '')))
      .map((field) => ({
        category: 'bad sort',
        pairs: [['sort', field.length === 0 ? '-' : field]],
      })),
    fc
      .string({ minLength: 1, maxLength: 30 })
      .filter((value) => !/^[A-Za-z0-9_-]{8,}$/.test(value))
      .map((value) => ({ category: 'garbage cursor', pairs: [['cursor', value]] })),
  );
  if (filters.length > 0) {
    options.push(
      fc
        .tuple(fc.constantFrom(...filters), fc.constantFrom('between', 'like', 'regex', 'gte]', ''))
        .map(([q, op]) => ({
          category: 'unknown filter operator',
          pairs: [[`${q.name}[${op}]`, '1']],
        })),
      fc
        .tuple(fc.constantFrom(...filters), fc.constantFrom('maybe', 'yes', '2', ''))
        .map(([q, value]) => ({
          category: 'bad isNull',
          pairs: [[`${q.name}[isNull]`, value]],
        })),
    );
  }
  if (numeric.length > 0) {
    options.push(
      fc
        .tuple(
          fc.constantFrom(...numeric),
          fc.constantFrom('lots', 'NaN', '1.2.3', 'abc', '1;2', 'Infinity'),
          fc.constantFrom('', '[gte]', '[lt]', '[in]'),
        )
        .map(([q, value, op]) => ({
          category: 'non-numeric filter value',
          pairs: [[`${q.name}${op}`, op === '[in]' ? `1,${value}` : value]],
        })),
    );
  }
  return fc.oneof(...options);
}

/** A body wrong in one way for a route with a JSON body. */
function badBodies(
  route: FuzzRoute,
): fc.Arbitrary<{ category: string; body: string; contentType: string }> {
  const json = 'application/json';
  const properties = Object.entries(
    (route.body?.properties as Record<string, JsonSchema> | undefined) ?? {},
  ).filter(([name]) => name !== 'version');
  const options: fc.Arbitrary<{ category: string; body: string; contentType: string }>[] = [
    badJson.map((body) => ({ category: 'malformed JSON', body, contentType: json })),
    nonObjectJson.map((body) => ({
      category: 'JSON that is not an object',
      body,
      contentType: json,
    })),
    fc
      .constantFrom('text/plain', 'application/x-www-form-urlencoded', 'text/csv')
      .map((contentType) => ({
        category: 'wrong content type',
        body: '{"name":"x"}',
        contentType,
      })),
  ];
  if (route.body?.additionalProperties === false) {
    options.push(
      fc
        .string({ minLength: 1, maxLength: 12 })
        .filter(
          (name) =>
            !properties.some(([p]) => p === name) && name !== 'version' && name !== '__proto__',
        )
        .map((name) => ({
          category: 'unknown body field',
          body: JSON.stringify({ [name]: 1 }),
          contentType: json,
        })),
    );
  }
  if (properties.length > 0) {
    const wrongType = fc
      .constantFrom(...properties)
      .chain(([name, schema]) => wrongValue(schema).map((value) => ({ name, value })))
      .map(({ name, value }) => ({
        category: 'body field of the wrong type',
        body: JSON.stringify({ [name]: value }),
        contentType: json,
      }));
    // Weighted: the field checks are where most of the input rules are.
    options.push(wrongType, wrongType, wrongType, wrongType);
  }
  return fc.oneof(...options);
}

/** The generator of bad requests over every route with input. */
export function badRequests(
  routes: readonly FuzzRoute[],
  ids: Readonly<Record<string, string>>,
  key: string,
): fc.Arbitrary<BadRequest> {
  const auth = { authorization: `Bearer ${key}` };
  return fc.constantFrom(...routes).chain((route) => {
    const realPath = route.path.replace(
      '{id}',
      encodeURIComponent(ids[route.collection] ?? 'none'),
    );
    const kinds: fc.Arbitrary<BadRequest>[] = [];
    if (route.hasId) {
      kinds.push(
        badIds.map((id) => ({
          category: 'missing or forged id',
          method: route.method,
          path: route.path.replace('{id}', encodeURIComponent(id)),
          headers: { ...auth, 'content-type': 'application/json', 'if-match': '"1"' },
          body: route.method === 'GET' || route.method === 'DELETE' ? undefined : '{"version":1}',
        })),
      );
    }
    if (route.ifMatch) {
      kinds.push(
        fc.constantFrom('soon', '"a"', 'W/"x"', '"-1"', '1 2').map((value) => ({
          category: 'malformed If-Match',
          method: route.method,
          path: realPath,
          headers: { ...auth, 'content-type': 'application/json', 'if-match': value },
          body: route.method === 'DELETE' ? undefined : '{}',
        })),
      );
    }
    if (route.query.length > 0) {
      kinds.push(
        badQueries(route).map(({ category, pairs }) => ({
          category,
          method: route.method,
          path: withQuery(realPath, pairs),
          headers: auth,
        })),
      );
    }
    if (route.body) {
      kinds.push(
        badBodies(route).map(({ category, body, contentType }) => ({
          category,
          method: route.method,
          path: realPath,
          // Updates carry the right version, so only the wrong field can be the problem.
          headers: {
            ...auth,
            'content-type': contentType,
            ...(route.ifMatch ? { 'if-match': '"1"' } : {}),
          },
          body,
        })),
      );
      if (route.method === 'POST') {
        kinds.push(
          fc.constantFrom('', 'k'.repeat(256)).map((idempotencyKey) => ({
            category: 'bad Idempotency-Key',
            method: route.method,
            path: realPath,
            headers: {
              ...auth,
              'content-type': 'application/json',
              'idempotency-key': idempotencyKey,
            },
            body: '{"version": "one"}',
          })),
        );
      }
    }
    return fc.oneof(...kinds);
  });
}

/** Sends a request and returns a finding unless it got a 4xx problem with a known code. */
export async function sendBad(
  api: { request(path: string, init: RequestInit): Response | Promise<Response> },
  request: BadRequest,
): Promise<{ status: number; finding?: Finding }> {
  const response = await api.request(request.path, {
    method: request.method,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  const text = await response.text();
  let code: unknown;
  try {
    code = (JSON.parse(text) as { code?: unknown }).code;
  } catch {
    code = undefined;
  }
  const ok =
    response.status >= 400 &&
    response.status < 500 &&
    response.headers.get('content-type') === 'application/problem+json' &&
    typeof code === 'string' &&
    knownCodes.has(code);
  return ok
    ? { status: response.status }
    : {
        status: response.status,
        finding: { request, status: response.status, body: text.slice(0, 300) },
      };
}

/** Runs `count` generated bad requests; returns the statuses seen and every finding. */
export async function runBadRequests(count: number, seed?: number) {
  const fx = await fuzzFixture();
  const routes = fuzzRoutes(fx.document);
  const before = databaseDump(fx.storage.database);
  const requests = fc.sample(
    fc.oneof(
      { weight: 4, arbitrary: badRequests(routes, fx.ids, fx.key) },
      { weight: 1, arbitrary: badRequests(routes, fx.ids, fx.repKey) },
    ),
    { numRuns: count, ...(seed === undefined ? {} : { seed }) },
  );
  const statuses: Record<string, number> = {};
  const categories: Record<string, number> = {};
  const findings: Finding[] = [];
  const routesHit = new Set<string>();
  for (const request of requests) {
    const { status, finding } = await sendBad(fx.api, request);
    statuses[status] = (statuses[status] ?? 0) + 1;
    categories[request.category] = (categories[request.category] ?? 0) + 1;
    routesHit.add(`${request.method} ${request.path.split('?')[0]?.split('/')[1]}`);
    if (finding) findings.push(finding);
  }
  const after = databaseDump(fx.storage.database);
  await fx.crm.destroy();
  return {
    sent: requests.length,
    routes: routes.length,
    statuses,
    categories,
    findings,
    unchanged: before === after,
    routesHit: routesHit.size,
  };
}
