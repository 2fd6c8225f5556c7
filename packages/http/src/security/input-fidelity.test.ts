import { newId, recordIdPattern } from '@rapport/core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OpenApiDocument } from '../openapi/openapi-types.js';
import { databaseDump, fuzzFixture } from './test-fuzz-fixture.js';

/**
 * Issue 12.9 and the id pattern: what the API is sent is stored as sent or refused with a code,
 * never changed on the way (rounded money, U+FFFD for bytes that are not UTF-8), and a path id
 * that cannot be a record id is refused before anything is read.
 */
type Fixture = Awaited<ReturnType<typeof fuzzFixture>>;
let fx: Fixture;
beforeAll(async () => {
  fx = await fuzzFixture();
});

const send = async (
  path: string,
  init: { method?: string; body?: string | Uint8Array; headers?: object } = {},
): Promise<Response> =>
  fx.api.request(path, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${fx.key}`,
      'content-type': 'application/json',
      ...init.headers,
    },
    ...(init.body === undefined ? {} : { body: init.body }),
  });

interface Problem {
  code: string;
  issues: { path: (string | number)[]; code: string; message: string }[];
}

describe('money is stored as sent or refused, never rounded', () => {
  it('a fraction of a minor unit is VALIDATION naming the field, in every currency', async () => {
    const before = databaseDump(fx.storage.database);
    for (const [path, body, field] of [
      ['/opportunities', { amount: 1234.5, currency: 'EUR' }, 'amount'],
      ['/opportunities', { amount: 12.345, currency: 'JPY' }, 'amount'],
      ['/products', { listPrice: 0.5 }, 'listPrice'],
      ['/quotas', { amount: 100.01 }, 'amount'],
      ['/campaigns', { actualCost: 1e-3 }, 'actualCost'],
    ] as const) {
      const base =
        path === '/opportunities'
          ? { name: 'Deal', closeDate: '2026-12-31', ownerId: fx.ids.users }
          : path === '/products'
            ? { name: 'Widget' }
            : path === '/quotas'
              ? { ownerId: fx.ids.users, periodStart: '2026-04-01', periodEnd: '2026-06-30' }
              : { name: 'Fair' };
      const response = await send(path, {
        method: 'POST',
        body: JSON.stringify({ ...base, ...body }),
      });
      expect(response.status, `${path} ${JSON.stringify(body)}`).toBe(422);
      const problem = (await response.json()) as Problem;
      expect(problem.code).toBe('VALIDATION');
      expect(problem.issues.map((issue) => issue.path)).toEqual([[field]]);
      expect(problem.issues[0]?.message).toMatch(/whole number of minor units/);
    }
    const filter = await send('/opportunities?amount[gte]=12.345');
    expect(filter.status).toBe(422);
    expect(((await filter.json()) as Problem).issues[0]?.path).toEqual(['where', 'amount', 'gte']);
    expect(databaseDump(fx.storage.database)).toBe(before);
  });
});

describe('a body that is not UTF-8 is refused, not stored as U+FFFD', () => {
  it('Latin-1, overlong, surrogate and truncated bytes are 400 invalid_utf8 and write nothing', async () => {
    const before = databaseDump(fx.storage.database);
    const name = (bytes: number[]) =>
      Buffer.concat([Buffer.from('{"name":"Caf'), Buffer.from(bytes), Buffer.from('"}')]);
    for (const bytes of [[0xe9], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xff]]) {
      for (const path of ['/accounts', `/accounts/${fx.ids.accounts}`]) {
        const response = await send(path, {
          method: path === '/accounts' ? 'POST' : 'PATCH',
          body: name(bytes),
          headers: { 'if-match': '"1"', 'idempotency-key': `utf8-${path}-${bytes.join('.')}` },
        });
        expect(response.status, `${path} ${bytes}`).toBe(400);
        const problem = (await response.json()) as Problem;
        expect(problem.code).toBe('BAD_REQUEST');
        expect(problem.issues.map((issue) => issue.code)).toEqual(['invalid_utf8']);
      }
    }
    expect(databaseDump(fx.storage.database)).toBe(before);
  });

  it('UTF-8 with a BOM is read, and the text is stored byte for byte', async () => {
    const body = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(JSON.stringify({ name: 'Café Müller 東京 😀', ownerId: fx.ids.users })),
    ]);
    const response = await send('/accounts', { method: 'POST', body });
    expect(response.status).toBe(201);
    const created = (await response.json()) as { id: string; name: string };
    expect(created.name).toBe('Café Müller 東京 😀');
    const stored = (await (await send(`/accounts/${created.id}`)).json()) as { name: string };
    expect(Buffer.from(stored.name)).toEqual(Buffer.from('Café Müller 東京 😀'));
  });
});

describe('a query that is not UTF-8 is refused, not read as U+FFFD', () => {
  it('percent-encoded bytes that are not UTF-8 are 400 invalid_utf8 on lists and KPIs', async () => {
    for (const path of [
      '/accounts?name=Caf%E9',
      '/accounts?name[startsWith]=%C0%AF',
      '/opportunities?%FF=1',
      '/kpis/evaluate?ids=pipeline.openCount&filter[owner]=%ED%A0%80',
    ]) {
      const response = await send(path);
      expect(response.status, path).toBe(400);
      const problem = (await response.json()) as Problem;
      expect(problem.issues.map((issue) => issue.code)).toEqual(['invalid_utf8']);
    }
    const ok = await send(`/accounts?name=${encodeURIComponent('Café 東京')}`);
    expect(ok.status).toBe(200);
  });
});

describe('path ids follow the id pattern', () => {
  it('the OpenAPI document declares the pattern on every {id}, and ids Rapport makes fit it', async () => {
    const document = (await (await send('/openapi.json')).json()) as OpenApiDocument;
    const withId = Object.entries(document.paths).filter(([path]) => path.includes('{id}'));
    // One item path per collection (14), and the lead and opportunity actions.
    expect(withId.length).toBeGreaterThanOrEqual(18);
    for (const [path, operations] of withId) {
      for (const [method, operation] of Object.entries(operations)) {
        const parameter = operation.parameters?.find((p) => p.in === 'path' && p.name === 'id');
        expect(parameter?.schema, `${method} ${path}`).toMatchObject({
          type: 'string',
          pattern: recordIdPattern.source,
          maxLength: 64,
        });
        expect(Object.keys(operation.responses), `${method} ${path}`).toContain('400');
      }
    }
    for (let i = 0; i < 100; i++) expect(newId()).toMatch(recordIdPattern);
    for (const id of Object.values(fx.ids)) expect(id).toMatch(recordIdPattern);
  });

  it('a malformed id is 400 invalid_id on every route, before any read: not 404, 412 or 428', async () => {
    const before = databaseDump(fx.storage.database);
    const document = (await (await send('/openapi.json')).json()) as OpenApiDocument;
    const routes = Object.entries(document.paths)
      .filter(([path]) => path.includes('{id}'))
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => ({ method, path })));
    const bad = ['a b', "x' or 1=1 --", 'x'.repeat(65), 'semi;colon', '\u202eevil', 'ä', '%00'];
    for (const { method, path } of routes) {
      for (const id of bad) {
        // A stale If-Match would be 412 and a missing one 428 after a read: the id comes first.
        const response = await send(path.replace('{id}', encodeURIComponent(id)), {
          method: method.toUpperCase(),
          ...(method === 'get' || method === 'delete' ? {} : { body: '{"version":99}' }),
          headers: method === 'get' ? {} : { 'if-match': '"99"' },
        });
        expect(response.status, `${method} ${path} ${id}`).toBe(400);
        const problem = (await response.json()) as Problem;
        expect(problem.issues).toEqual([
          expect.objectContaining({ path: ['id'], code: 'invalid_id' }),
        ]);
      }
    }
    // A well-formed id of no record is still 404.
    expect((await send('/accounts/no-such-record')).status).toBe(404);
    expect(databaseDump(fx.storage.database)).toBe(before);
  });
});
