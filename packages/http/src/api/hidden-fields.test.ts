import { beforeAll, describe, expect, test } from 'vitest';
import { apiFixture } from './test-fixture.js';

// A lead keeps its converted deal's status, amount and currency for the lead KPIs; they are
// hidden fields: a rep who may read the lead but not the deal must not read them over the API,
// and neither does an admin (they are the engine's, not part of the lead).

type Fixture = Awaited<ReturnType<typeof apiFixture>>;
let fx: Fixture;
let leadId: string;
let dealId: string;

const hidden = [
  'convertedOpportunityStatus',
  'convertedOpportunityAmount',
  'convertedOpportunityCurrency',
] as const;

function expectNoHidden(record: unknown): void {
  expect(record).toBeTypeOf('object');
  for (const field of hidden) expect(record).not.toHaveProperty(field);
}

beforeAll(async () => {
  fx = await apiFixture();
  const lead = await fx.system.leads.create({
    lastName: 'Hidden',
    company: 'Initech',
    ownerId: fx.users.rep.id,
  });
  leadId = lead.id;
  const { opportunity } = await fx.system.leads.convert(lead.id, {
    opportunity: { amount: 9_000_00 },
  });
  if (!opportunity) throw new Error('the conversion made no deal');
  dealId = opportunity.id;
  // The deal goes to another rep and is won: the lead's owner still reads the lead, not the deal.
  const moved = await fx.system.opportunities.update(dealId, {
    version: opportunity.version,
    ownerId: fx.users.otherRep.id,
  });
  await fx.system.opportunities.closeWon(dealId, { version: moved.version });
});

describe('hidden lead fields over HTTP', () => {
  test('the rep reads the lead but not its deal', async () => {
    expect((await fx.call(`/leads/${leadId}`, { key: fx.repKey })).status).toBe(200);
    expect((await fx.call(`/opportunities/${dealId}`, { key: fx.repKey })).status).toBe(404);
  });

  test('GET /leads/:id and GET /leads omit them, for the rep and the admin', async () => {
    for (const key of [fx.repKey, fx.adminKey]) {
      const one = (await (await fx.call(`/leads/${leadId}`, { key })).json()) as Record<
        string,
        unknown
      >;
      expect(one.convertedOpportunityId).toBe(dealId);
      expectNoHidden(one);
      const page = (await (await fx.call(`/leads?id=${leadId}`, { key })).json()) as {
        items: unknown[];
      };
      expect(page.items).toHaveLength(1);
      expectNoHidden(page.items[0]);
    }
  });

  test('a lead filter or sort on one is refused as on an unknown field, naming it', async () => {
    const unknown = await fx.call('/leads?colour=red', { key: fx.repKey });
    for (const key of [fx.repKey, fx.adminKey]) {
      for (const field of hidden) {
        const response = await fx.call(`/leads?${field}[isNull]=false`, { key });
        expect(response.status).toBe(unknown.status);
        expect(response.headers.get('content-type')).toBe('application/problem+json');
        const problem = (await response.json()) as {
          code: string;
          detail: string;
          issues: { path: string[]; pointer: string }[];
        };
        expect(problem.code).toBe('VALIDATION');
        expect(problem.issues[0]?.path).toEqual(['where', field]);
        expect(problem.issues[0]?.pointer).toBe(`/where/${field}`);
        const sorted = await fx.call(`/leads?sort=-${field}`, { key });
        expect(sorted.status).toBe(unknown.status);
        expect(JSON.stringify(await sorted.json())).toContain(field);
      }
    }
    expect(unknown.status).toBe(422);
  });

  test('the lead in a conversion response omits them', async () => {
    const lead = (await (
      await fx.call('/leads', { method: 'POST', body: { lastName: 'Kim', company: 'Umbrella' } })
    ).json()) as { id: string };
    expectNoHidden(lead);
    const response = await fx.call(`/leads/${lead.id}/convert`, { method: 'POST', body: {} });
    expect(response.status).toBe(200);
    const converted = (await response.json()) as { lead: { convertedOpportunityId: string } };
    expect(converted.lead.convertedOpportunityId).toBeTypeOf('string');
    expectNoHidden(converted.lead);
  });

  test('the OpenAPI document does not mention them', async () => {
    const text = JSON.stringify(await (await fx.call('/openapi.json')).json());
    expect(text).toContain('convertedOpportunityId');
    for (const field of hidden) expect(text).not.toContain(field);
  });
});
