/**
 * @internal Generators of requests wrong in one way each, from the routes of the OpenAPI
 * document: a missing or forged id, a bad query parameter, a body of the wrong shape or with a
 * field of the wrong type, a malformed header.
 */
import fc from 'fast-check';
import type { JsonSchema } from '../openapi/openapi-types.js';
import type { FuzzRoute } from './test-fuzz-routes.js';

/** One generated request, and the kind of badness it carries. */
export interface BadRequest {
  readonly category: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
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
