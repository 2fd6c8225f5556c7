import { Hono } from 'hono';
import { beforeAll, describe, expect, test } from 'vitest';
import type { OpenApiDocument } from '../openapi/openapi-types.js';
import { createRapportApi } from './create-rapport-api.js';
import { apiFixture } from './test-fixture.js';

type Fixture = Awaited<ReturnType<typeof apiFixture>>;
let fx: Fixture;
let productId: string;
let accountId: string;

beforeAll(async () => {
  fx = await apiFixture();
  productId = (await fx.system.products.create({ name: 'Widget', listPrice: 50_00 })).id;
  accountId = (await fx.system.accounts.create({ name: 'Globex', ownerId: fx.users.rep.id })).id;
});

async function json<T = Record<string, unknown>>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

async function newOpportunity(fields: Record<string, unknown> = {}) {
  const response = await fx.call('/opportunities', {
    method: 'POST',
    body: { name: 'Deal', closeDate: '2026-12-31', amount: 1000_00, ...fields },
  });
  expect(response.status).toBe(201);
  return json<{ id: string; version: number; amount: number; stage: string; status: string }>(
    response,
  );
}

/** A valid create body and a change, per collection. */
const cases: Record<
  string,
  () => { create: Record<string, unknown>; patch: Record<string, unknown> }
> = {
  users: () => ({ create: { name: 'Neu Nutzer', role: 'rep' }, patch: { region: 'DACH' } }),
  teams: () => ({ create: { name: 'Team Nord' }, patch: { region: 'Nord' } }),
  accounts: () => ({ create: { name: 'Initech' }, patch: { industry: 'Software' } }),
  contacts: () => ({ create: { lastName: 'Doe', accountId }, patch: { title: 'CFO' } }),
  campaigns: () => ({ create: { name: 'Fair', actualCost: 500_00 }, patch: { status: 'Done' } }),
  leads: () => ({ create: { lastName: 'Lee', company: 'Hooli' }, patch: { rating: 'Hot' } }),
  products: () => ({ create: { name: 'Gadget', listPrice: 10_00 }, patch: { family: 'Tools' } }),
  pipelines: () => ({
    create: {
      name: 'Short',
      stages: [
        { name: 'Open', probability: 30, forecastCategory: 'Pipeline', status: 'open' },
        { name: 'Won', probability: 100, forecastCategory: 'Closed', status: 'won' },
        { name: 'Lost', probability: 0, forecastCategory: 'Omitted', status: 'lost' },
      ],
    },
    patch: { name: 'Shorter' },
  }),
  opportunities: () => ({
    create: { name: 'Big deal', closeDate: '2026-11-30', amount: 5000_00 },
    patch: { nextStep: 'Call the CFO' },
  }),
  'line-items': () => ({ create: {}, patch: { quantity: 3 } }),
  activities: () => ({
    create: { type: 'call', subject: 'Intro' },
    patch: { subject: 'Intro call' },
  }),
  quotas: () => ({
    create: {
      ownerId: fx.users.rep.id,
      periodStart: '2026-01-01',
      periodEnd: '2026-03-31',
      amount: 100_00,
    },
    patch: { amount: 200_00 },
  }),
  contracts: () => ({
    create: { accountId, startDate: '2026-01-01', monthlyAmount: 99_00 },
    patch: { status: 'Cancelled' },
  }),
};

describe('routes of every object', () => {
  test.each(Object.keys(cases))(
    '%s: create, get, list, update with If-Match, delete',
    async (path) => {
      const { create, patch } = cases[path]!();
      if (path === 'line-items') {
        Object.assign(create, {
          opportunityId: (await newOpportunity()).id,
          productId,
          quantity: 2,
        });
      }
      const created = await fx.call(`/${path}`, { method: 'POST', body: create });
      expect(created.status, await created.clone().text()).toBe(201);
      const record = await json<{ id: string; version: number }>(created);
      expect(created.headers.get('etag')).toBe(`"${record.version}"`);
      expect(created.headers.get('location')).toBe(`/${path}/${record.id}`);

      const got = await fx.call(`/${path}/${record.id}`);
      expect(got.status).toBe(200);
      expect((await json(got)).id).toBe(record.id);
      const etag = got.headers.get('etag')!;

      const listed = await json<{ items: { id: string }[] }>(
        await fx.call(`/${path}?id=${record.id}`),
      );
      expect(listed.items.map((item) => item.id)).toEqual([record.id]);

      const updated = await fx.call(`/${path}/${record.id}`, {
        method: 'PATCH',
        body: patch,
        headers: { 'if-match': etag },
      });
      expect(updated.status, await updated.clone().text()).toBe(200);
      const after = await json<Record<string, unknown>>(updated);
      for (const [field, value] of Object.entries(patch)) expect(after[field]).toEqual(value);
      expect(after.version).toBe(record.version + 1);
      expect(updated.headers.get('etag')).toBe(`"${record.version + 1}"`);

      const deleted = await fx.call(`/${path}/${record.id}`, {
        method: 'DELETE',
        headers: { 'if-match': `"${record.version + 1}"` },
      });
      expect(deleted.status, await deleted.clone().text()).toBe(204);
      expect((await fx.call(`/${path}/${record.id}`)).status).toBe(404);
    },
  );

  test('stage history is listed and read, and cannot be written', async () => {
    const deal = await newOpportunity();
    const page = await json<{ items: { id: string; stage: string }[] }>(
      await fx.call(`/stage-history?opportunityId=${deal.id}`),
    );
    expect(page.items.map((row) => row.stage)).toEqual([deal.stage]);
    const one = await fx.call(`/stage-history/${page.items[0]!.id}`);
    expect(one.status).toBe(200);
    expect((await fx.call('/stage-history', { method: 'POST', body: {} })).status).toBe(404);
  });
});

describe('lists', () => {
  test('filter with operators, sort and page by cursor', async () => {
    const tag = `page-${Date.now()}`;
    for (const amount of [100, 300, 500, 700, 900]) {
      await newOpportunity({ amount, name: tag });
    }
    const seen: number[] = [];
    let url: string | null = `/opportunities?name=${tag}&amount[gte]=300&sort=-amount&limit=2`;
    let pages = 0;
    while (url) {
      const page: { items: { amount: number }[]; nextCursor: string | null } = await json(
        await fx.call(url),
      );
      seen.push(...page.items.map((item) => item.amount));
      pages++;
      url = page.nextCursor
        ? `/opportunities?name=${tag}&amount[gte]=300&sort=-amount&limit=2&cursor=${page.nextCursor}`
        : null;
    }
    expect(seen).toEqual([900, 700, 500, 300]);
    expect(pages).toBe(2);
    const inList = await json<{ items: { amount: number }[] }>(
      await fx.call(`/opportunities?name=${tag}&amount[in]=100,900&sort=amount`),
    );
    expect(inList.items.map((item) => item.amount)).toEqual([100, 900]);
  });

  test('a filter value of the wrong kind is 400, an unknown field 422 naming it', async () => {
    const bad = await fx.call('/opportunities?amount=lots');
    expect(bad.status).toBe(400);
    expect((await json<{ issues: { path: string[] }[] }>(bad)).issues[0]!.path).toEqual([
      'where',
      'amount',
    ]);
    const unknown = await fx.call('/opportunities?colour=red');
    expect(unknown.status).toBe(422);
    const problem = await json<{ code: string; issues: { path: string[]; pointer: string }[] }>(
      unknown,
    );
    expect(problem.code).toBe('VALIDATION');
    expect(problem.issues[0]!.path).toEqual(['where', 'colour']);
    expect(problem.issues[0]!.pointer).toBe('/where/colour');
  });
});

describe('sales routes', () => {
  test('convert a lead', async () => {
    const lead = await json<{ id: string }>(
      await fx.call('/leads', { method: 'POST', body: { lastName: 'Kim', company: 'Umbrella' } }),
    );
    const response = await fx.call(`/leads/${lead.id}/convert`, { method: 'POST', body: {} });
    expect(response.status).toBe(200);
    const converted = await json<{
      lead: { status: string };
      account: { name: string };
      opportunity: { id: string } | null;
    }>(response);
    expect(converted.lead.status).toBe('Closed - Converted');
    expect(converted.account.name).toBe('Umbrella');
    expect(converted.opportunity).not.toBeNull();
    const again = await fx.call(`/leads/${lead.id}/convert`, { method: 'POST', body: {} });
    expect(again.status).toBe(409);
  });

  test('change stage, close won with line items, close lost', async () => {
    const deal = await newOpportunity();
    const moved = await fx.call(`/opportunities/${deal.id}/stage`, {
      method: 'POST',
      body: { stage: 'Negotiation/Review' },
      headers: { 'if-match': `"${deal.version}"` },
    });
    expect(moved.status, await moved.clone().text()).toBe(200);
    const after = await json<{ stage: string; probability: number; version: number }>(moved);
    expect(after).toMatchObject({ stage: 'Negotiation/Review', probability: 90 });

    const won = await fx.call(`/opportunities/${deal.id}/close-won`, {
      method: 'POST',
      body: { version: after.version, lineItems: [{ productId, quantity: 4 }] },
    });
    expect(won.status, await won.clone().text()).toBe(200);
    expect(await json(won)).toMatchObject({ status: 'won', amount: 200_00 });

    const other = await newOpportunity();
    const lost = await fx.call(`/opportunities/${other.id}/close-lost`, {
      method: 'POST',
      body: { lostReason: 'Price', closeDate: '2026-06-01' },
      headers: { 'if-match': `"${other.version}"` },
    });
    expect(lost.status).toBe(200);
    expect(await json(lost)).toMatchObject({
      status: 'lost',
      lostReason: 'Price',
      closeDate: '2026-06-01',
    });
  });

  test('a bad line item on close won names its path and changes nothing', async () => {
    const deal = await newOpportunity();
    const response = await fx.call(`/opportunities/${deal.id}/close-won`, {
      method: 'POST',
      body: {
        version: deal.version,
        lineItems: [
          { productId, quantity: 1 },
          { productId, quantity: -1 },
        ],
      },
    });
    expect(response.status).toBe(422);
    const problem = await json<{ issues: { pointer: string }[] }>(response);
    expect(problem.issues.map((issue) => issue.pointer)).toContain('/lineItems/1/quantity');
    const stored = await json<{ status: string; version: number }>(
      await fx.call(`/opportunities/${deal.id}`),
    );
    expect(stored).toMatchObject({ status: 'open', version: deal.version });
    const items = await json<{ items: unknown[] }>(
      await fx.call(`/line-items?opportunityId=${deal.id}`),
    );
    expect(items.items).toEqual([]);
  });
});

describe('authentication and rights', () => {
  test('every route answers 401 without credentials, or with a wrong or revoked key', async () => {
    const revoked = await fx.keys.create({
      tenantId: 'acme',
      name: 'old',
      userId: fx.users.admin.id,
    });
    await fx.keys.revoke('acme', revoked.id);
    const routes = fx.api.routes.filter(
      // The reference page and its files are public on purpose (reference-routes.test.ts).
      (route) => route.method !== 'ALL' && !route.path.startsWith('/reference'),
    );
    expect(routes.length).toBeGreaterThan(60);
    const credentials: Record<string, string>[] = [
      {},
      { authorization: 'Bearer rpk_0000000000000000_nope' },
      { authorization: `Bearer ${fx.adminKey.slice(0, -2)}xx` },
      { 'x-api-key': revoked.key },
      { authorization: 'Basic YWRtaW46YWRtaW4=' },
    ];
    for (const route of routes) {
      for (const headers of credentials) {
        const response = await fx.api.request(route.path.replace(':id', 'x'), {
          method: route.method,
          headers,
        });
        expect(response.status, `${route.method} ${route.path}`).toBe(401);
        expect(response.headers.get('content-type')).toBe('application/problem+json');
        expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      }
    }
    const unknownRoute = await fx.api.request('/nothing-here');
    expect(unknownRoute.status).toBe(401);
  });

  test('X-API-Key works as well as Bearer', async () => {
    const response = await fx.api.request('/session', { headers: { 'x-api-key': fx.repKey } });
    expect(await json(response)).toMatchObject({
      tenantId: 'acme',
      actor: { id: fx.users.rep.id, role: 'rep' },
    });
  });

  test("403 outside the actor's rights, 404 for what it cannot see", async () => {
    const product = await fx.call('/products', {
      method: 'POST',
      key: fx.repKey,
      body: { name: 'Mine' },
    });
    expect(product.status).toBe(403);
    expect(await json(product)).toMatchObject({ code: 'FORBIDDEN', status: 403 });
    const foreign = await fx.call('/opportunities', {
      method: 'POST',
      key: fx.repKey,
      body: { name: 'Not mine', closeDate: '2026-12-31', ownerId: fx.users.otherRep.id },
    });
    expect(foreign.status).toBe(403);
    const othersDeal = await newOpportunity({ ownerId: fx.users.otherRep.id });
    expect((await fx.call(`/opportunities/${othersDeal.id}`, { key: fx.repKey })).status).toBe(404);
    expect((await fx.call(`/opportunities/${othersDeal.id}`, { key: fx.managerKey })).status).toBe(
      404,
    );
    const repsDeal = await newOpportunity({ ownerId: fx.users.rep.id });
    expect((await fx.call(`/opportunities/${repsDeal.id}`, { key: fx.managerKey })).status).toBe(
      200,
    );
  });

  test('a key of another tenant sees nothing of this one', async () => {
    const deal = await newOpportunity();
    expect((await fx.call(`/opportunities/${deal.id}`, { key: fx.otherTenantKey })).status).toBe(
      404,
    );
    const page = await json<{ items: unknown[] }>(
      await fx.call('/opportunities', { key: fx.otherTenantKey }),
    );
    expect(page.items).toEqual([]);
  });
});

describe('errors', () => {
  test('validation is 422 problem+json with field paths and pointers', async () => {
    const response = await fx.call('/opportunities', {
      method: 'POST',
      body: { name: '', closeDate: 'soon', bogus: 1 },
    });
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const problem = await json<{
      type: string;
      title: string;
      code: string;
      issues: { path: string[]; pointer: string }[];
    }>(response);
    expect(problem.code).toBe('VALIDATION');
    expect(problem.type).toBe('https://rapport.dev/problems/validation');
    expect(problem.issues.map((issue) => issue.pointer).sort()).toEqual([
      '/bogus',
      '/closeDate',
      '/name',
    ]);
  });

  test('malformed JSON is 400, a body that is not JSON 415, an unknown id 404, a taken id 409', async () => {
    const malformed = await fx.call('/accounts', { method: 'POST', body: '{"name":' });
    expect(malformed.status).toBe(400);
    const array = await fx.call('/accounts', { method: 'POST', body: '[1]' });
    expect(array.status).toBe(400);
    const text = await fx.call('/accounts', {
      method: 'POST',
      body: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(text.status).toBe(415);
    const missing = await fx.call('/accounts/does-not-exist');
    expect(missing.status).toBe(404);
    expect(await json(missing)).toMatchObject({
      code: 'NOT_FOUND',
      object: 'account',
      id: 'does-not-exist',
    });
    await fx.call('/accounts', { method: 'POST', body: { id: 'fixed-id', name: 'A' } });
    const taken = await fx.call('/accounts', {
      method: 'POST',
      body: { id: 'fixed-id', name: 'B' },
    });
    expect(taken.status).toBe(409);
    expect(await json(taken)).toMatchObject({ code: 'CONFLICT' });
  });

  test('a body over the limit is 413 and writes nothing', async () => {
    const small = await apiFixture({ maxBodyBytes: 2_000 });
    const response = await small.call('/accounts', {
      method: 'POST',
      body: {
        name: 'Big',
        industry: 'x'.repeat(900),
        type: 'y'.repeat(900),
        segment: 'z'.repeat(900),
      },
    });
    expect(response.status).toBe(413);
    expect(await json(response)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 });
    expect(await small.system.accounts.count()).toBe(0);
    const fits = await small.call('/accounts', { method: 'POST', body: { name: 'Small' } });
    expect(fits.status).toBe(201);
  });

  test('a stale If-Match is 412 and changes nothing; a stale body version 409; none 428', async () => {
    const deal = await newOpportunity({ nextStep: 'first' });
    const moved = await json<{ version: number }>(
      await fx.call(`/opportunities/${deal.id}`, {
        method: 'PATCH',
        body: { nextStep: 'second' },
        headers: { 'if-match': `"${deal.version}"` },
      }),
    );
    const stale = await fx.call(`/opportunities/${deal.id}`, {
      method: 'PATCH',
      body: { nextStep: 'lost update' },
      headers: { 'if-match': `"${deal.version}"` },
    });
    expect(stale.status).toBe(412);
    expect(await json(stale)).toMatchObject({ code: 'PRECONDITION_FAILED' });
    const staleClose = await fx.call(`/opportunities/${deal.id}/close-lost`, {
      method: 'POST',
      body: { lostReason: 'x' },
      headers: { 'if-match': `"${deal.version}"` },
    });
    expect(staleClose.status).toBe(412);
    const staleDelete = await fx.call(`/opportunities/${deal.id}`, {
      method: 'DELETE',
      headers: { 'if-match': `"${deal.version}"` },
    });
    expect(staleDelete.status).toBe(412);
    const stored = await json<{ nextStep: string; version: number; status: string }>(
      await fx.call(`/opportunities/${deal.id}`),
    );
    expect(stored).toMatchObject({ nextStep: 'second', version: moved.version, status: 'open' });

    const staleBody = await fx.call(`/opportunities/${deal.id}`, {
      method: 'PATCH',
      body: { nextStep: 'lost update', version: deal.version },
    });
    expect(staleBody.status).toBe(409);
    const none = await fx.call(`/opportunities/${deal.id}`, {
      method: 'PATCH',
      body: { nextStep: 'x' },
    });
    expect(none.status).toBe(428);
    const garbage = await fx.call(`/opportunities/${deal.id}`, {
      method: 'PATCH',
      body: { nextStep: 'x' },
      headers: { 'if-match': 'yesterday' },
    });
    expect(garbage.status).toBe(400);
    expect(
      (await json<{ nextStep: string }>(await fx.call(`/opportunities/${deal.id}`))).nextStep,
    ).toBe('second');
  });

  test('an unexpected failure is a 500 problem without internals, reported to the host', async () => {
    const seen: unknown[] = [];
    const broken = createRapportApi({
      crm: fx.crm,
      authenticate: () => {
        throw new Error('secret detail');
      },
      onUnexpectedError: (error) => seen.push(error),
    });
    const response = await broken.request('/session');
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.text()).not.toContain('secret detail');
    expect(seen).toEqual([new Error('secret detail')]);
  });

  test('createRapportApi refuses to run without authenticate', () => {
    // A JavaScript caller can leave it out; the type forbids it.
    const options = { crm: fx.crm } as unknown as Parameters<typeof createRapportApi>[0];
    expect(() => createRapportApi(options)).toThrow(/authenticate/);
  });
});

describe('Idempotency-Key', () => {
  test('the same key and body replays the first response without a second write', async () => {
    const body = { name: 'Once only', closeDate: '2026-12-31', amount: 42_00 };
    const first = await fx.call('/opportunities', {
      method: 'POST',
      body,
      headers: { 'idempotency-key': 'k-1' },
    });
    expect(first.status).toBe(201);
    const second = await fx.call('/opportunities', {
      method: 'POST',
      body,
      headers: { 'idempotency-key': 'k-1' },
    });
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(await second.json()).toEqual(await first.json());
    expect(await fx.system.opportunities.count({ name: 'Once only' })).toBe(1);

    const different = await fx.call('/opportunities', {
      method: 'POST',
      body: { ...body, amount: 43_00 },
      headers: { 'idempotency-key': 'k-1' },
    });
    expect(different.status).toBe(422);
    expect(await json(different)).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await fx.system.opportunities.count({ name: 'Once only' })).toBe(1);

    // Keys belong to their client: the rep's k-1 is a different key.
    const rep = await fx.call('/opportunities', {
      method: 'POST',
      key: fx.repKey,
      body,
      headers: { 'idempotency-key': 'k-1' },
    });
    expect(rep.status).toBe(201);
    expect(rep.headers.get('idempotent-replayed')).toBeNull();
    expect(await fx.system.opportunities.count({ name: 'Once only' })).toBe(2);
  });

  test('an action replays too: close-won runs once', async () => {
    const deal = await newOpportunity();
    const init = {
      method: 'POST',
      body: { version: deal.version, lineItems: [{ productId, quantity: 1 }] },
      headers: { 'idempotency-key': `won-${deal.id}` },
    };
    const first = await fx.call(`/opportunities/${deal.id}/close-won`, init);
    const second = await fx.call(`/opportunities/${deal.id}/close-won`, init);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await fx.system.lineItems.count({ opportunityId: deal.id })).toBe(1);
  });
});

describe('OpenAPI', () => {
  let document: OpenApiDocument;
  beforeAll(async () => {
    const response = await fx.call('/openapi.json');
    expect(response.status).toBe(200);
    document = await json<OpenApiDocument>(response);
  });

  test('every registered route is in the document, and nothing else', () => {
    const registered = fx.api.routes
      .filter((route) => route.method !== 'ALL' && !route.path.startsWith('/reference'))
      .map(
        (route) => `${route.method.toLowerCase()} ${route.path.replace(/:([A-Za-z]+)/g, '{$1}')}`,
      )
      .sort();
    const documented = Object.entries(document.paths)
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`))
      .sort();
    expect(documented).toEqual(registered);
    expect(document.openapi).toBe('3.1.0');
  });

  test('every $ref resolves and operation ids are unique', () => {
    const refs =
      JSON.stringify(document).match(/"\$ref":"#\/components\/schemas\/[A-Za-z]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(50);
    for (const ref of refs) {
      const name = ref.split('/').pop()!.replace('"', '');
      expect(document.components.schemas[name], name).toBeDefined();
    }
    const ids = Object.values(document.paths).flatMap((operations) =>
      Object.values(operations).map((operation) => operation.operationId),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('object schemas come from the zod field schemas', () => {
    const create = document.components.schemas.OpportunityCreate as {
      required: string[];
      properties: Record<string, { format?: string }>;
    };
    expect(create.required).toEqual(['name', 'closeDate']);
    expect(create.properties.closeDate?.format).toBe('date');
    expect(create.properties).not.toHaveProperty('status');
    const record = document.components.schemas.Opportunity as {
      properties: Record<string, unknown>;
    };
    expect(Object.keys(record.properties)).toEqual(
      expect.arrayContaining(['id', 'version', 'status', 'custom']),
    );
  });
});

test('mounts in a host app', async () => {
  const host = new Hono();
  host.get('/health', (c) => c.text('ok'));
  host.route('/api', fx.api);
  const response = await host.request('/api/session', {
    headers: { authorization: `Bearer ${fx.adminKey}` },
  });
  expect(response.status).toBe(200);
  expect(await json(response)).toMatchObject({ tenantId: 'acme', tenant: { name: 'Acme GmbH' } });
  expect((await host.request('/api/session')).status).toBe(401);
  expect(await (await host.request('/health')).text()).toBe('ok');
});
