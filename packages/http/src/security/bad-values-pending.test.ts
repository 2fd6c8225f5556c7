import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { sendBad } from './test-bad-requests.js';
import { databaseDump, fuzzFixture } from './test-fuzz-fixture.js';

/**
 * Bad values that reach core's write and filter paths (issue 12.3, 12.4 and safe client ids):
 * each a 4xx problem with a known code and nothing written. These wait on core's fixes; the
 * general fuzz (bad-requests.test.ts) holds today.
 */
type Fixture = Awaited<ReturnType<typeof fuzzFixture>>;
let fx: Fixture;
beforeAll(async () => {
  fx = await fuzzFixture();
});

const json = (body: unknown) => JSON.stringify(body);

async function expectRefused(requests: readonly { method: string; path: string; body?: string }[]) {
  const before = databaseDump(fx.storage.database);
  const findings = [];
  for (const request of requests) {
    const { finding } = await sendBad(fx.api, {
      category: 'pending',
      headers: { authorization: `Bearer ${fx.key}`, 'content-type': 'application/json' },
      ...request,
    });
    if (finding)
      findings.push({
        request: `${request.method} ${request.path} ${request.body ?? ''}`,
        status: finding.status,
        body: finding.body.slice(0, 120),
      });
  }
  expect(findings).toEqual([]);
  expect(databaseDump(fx.storage.database)).toBe(before);
}

describe('bad values core must refuse (12.3, 12.4, client ids)', () => {
  it('an impossible calendar date in a filter is a 4xx, not an empty 200 (or a 500 on Postgres)', async () => {
    await expectRefused(
      [
        'closeDate[gte]=2026-02-30',
        'closeDate=2026-13-01',
        'openDate[lt]=2026-02-29',
        'closeDate[in]=2026-01-01,2026-04-31',
      ].map((query) => ({ method: 'GET', path: `/opportunities?${query}` })),
    );
  });

  it('a forged cursor (base64url JSON [value, id], the value of any JSON type) with a sort is never a 500', async () => {
    const before = databaseDump(fx.storage.database);
    const cursors = fc
      .sample(fc.tuple(fc.jsonValue(), fc.string({ maxLength: 8 })), { numRuns: 300, seed: 12 })
      .map((pair) => Buffer.from(JSON.stringify(pair)).toString('base64url'));
    const failures = [];
    for (const [index, cursor] of cursors.entries()) {
      const collection = ['accounts', 'opportunities', 'users'][index % 3];
      const path = `/${collection}?sort=${index % 2 ? 'name' : '-createdAt'}&cursor=${cursor}`;
      const response = await fx.api.request(path, {
        headers: { authorization: `Bearer ${fx.key}` },
      });
      // A forged scalar is indistinguishable from a real cursor (200); anything else is a 4xx.
      if (response.status >= 500) failures.push(`${path}: ${response.status}`);
    }
    expect(failures).toEqual([]);
    expect(databaseDump(fx.storage.database)).toBe(before);
  });

  it('a NUL byte in text is refused on SQLite as on Postgres', async () => {
    await expectRefused([
      {
        method: 'POST',
        path: '/accounts',
        body: json({ name: 'Nul\u0000Corp', ownerId: fx.ids.users }),
      },
      { method: 'POST', path: '/leads', body: json({ lastName: 'K\u0000', company: 'X' }) },
    ]);
  });

  it('money past a safe integer, given or derived (quantity x unit price), is VALIDATION', async () => {
    await expectRefused([
      {
        method: 'POST',
        path: '/line-items',
        body: json({
          opportunityId: fx.ids.opportunities,
          productId: fx.ids.products,
          quantity: 1e9,
          unitPrice: 9e15,
        }),
      },
    ]);
  });

  it('a client-chosen id outside the safe alphabet is VALIDATION', async () => {
    await expectRefused(
      ['../x', 'a b', 'semi;colon', "quote'", 'nul\u0000', '\u202eevil'].map((id) => ({
        method: 'POST',
        path: '/accounts',
        body: json({ id, name: 'Chosen id', ownerId: fx.ids.users }),
      })),
    );
  });

  it('an unknown custom field in a KPI breakdown or filter is a 4xx, not an empty 200', async () => {
    await expectRefused([
      { method: 'GET', path: '/kpis/evaluate?ids=pipeline.openCount&by=custom.nothing' },
      { method: 'GET', path: '/kpis/evaluate?ids=pipeline.openCount&filter[custom.nothing]=x' },
    ]);
  });
});
