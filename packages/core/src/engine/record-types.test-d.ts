import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { createCrm } from '../crm/create-crm.js';
import type { KpiField, KpiNumericField } from '../kpi/kpi-source.js';
import { definePlugin } from '../plugins/define-plugin.js';
import type { MergeCustomFields } from '../plugins/merge-custom-fields.js';
import type { RapportStorage } from '../storage/storage-adapter.js';
import type {
  CreateInput,
  CrmRecord,
  CustomValues,
  ListQuery,
  Page,
  StoredCrmRecord,
  UpdateInput,
  Where,
} from './record-types.js';

declare const storage: RapportStorage;

const npsPlugin = definePlugin({
  id: 'acme-nps',
  fields: {
    account: { nps: z.number().int().min(0).max(10).optional() },
    opportunity: { competitor: z.string().optional() },
  },
});

const crm = createCrm({
  storage,
  plugins: [npsPlugin],
  fields: {
    opportunity: { region: z.enum(['EMEA', 'AMER']).optional(), seats: z.number() },
    lead: { score: z.number().default(0) },
  },
});
const scope = crm.tenant('acme').as({ id: 'u1', role: 'rep' });

describe('records', () => {
  it('are typed per object, with system fields', () => {
    type Deal = CrmRecord<'opportunity'>;
    expectTypeOf<Deal['amount']>().toEqualTypeOf<number | null>();
    expectTypeOf<Deal['closeDate']>().toEqualTypeOf<string>();
    expectTypeOf<Deal['status']>().toEqualTypeOf<'open' | 'won' | 'lost'>();
    expectTypeOf<Deal['forecastCategory']>().toEqualTypeOf<
      'Pipeline' | 'BestCase' | 'Commit' | 'Closed' | 'Omitted'
    >();
    expectTypeOf<Deal['version']>().toEqualTypeOf<number>();
    expectTypeOf<Deal['tenantId']>().toEqualTypeOf<string>();
    expectTypeOf<Deal['externalId']>().toEqualTypeOf<string | null>();
    expectTypeOf<CrmRecord<'lineItem'>['quantity']>().toEqualTypeOf<number>();
    expectTypeOf<CrmRecord<'user'>['role']>().toEqualTypeOf<
      'admin' | 'manager' | 'rep' | 'readonly'
    >();
    expectTypeOf<CrmRecord<'account'>>().not.toHaveProperty('amount');
    expectTypeOf<CrmRecord<'stageHistory'>['previousStage']>().toEqualTypeOf<string | null>();
  });

  it('come back typed from every repository', async () => {
    expectTypeOf(await scope.opportunities.get('id')).toHaveProperty('stage');
    expectTypeOf(await scope.accounts.find('id')).toEqualTypeOf<
      Awaited<ReturnType<typeof scope.accounts.get>> | undefined
    >();
    expectTypeOf(await scope.leads.list()).toHaveProperty('items');
    expectTypeOf((await scope.contacts.list()).items[0]).toEqualTypeOf<
      Awaited<ReturnType<typeof scope.contacts.get>> | undefined
    >();
    expectTypeOf(scope.contacts.list).returns.resolves.toHaveProperty('nextCursor');
    expectTypeOf<Page<CrmRecord<'lead'>>['nextCursor']>().toEqualTypeOf<string | null>();
    expectTypeOf(await scope.stageHistory.count()).toEqualTypeOf<number>();
  });

  it('stage history is read-only through the scope', () => {
    expectTypeOf(scope.stageHistory).not.toHaveProperty('create');
    expectTypeOf(scope.stageHistory).not.toHaveProperty('update');
    expectTypeOf(scope.stageHistory).not.toHaveProperty('delete');
  });
});

describe('custom fields', () => {
  it('are inferred from the fields config', async () => {
    const deal = await scope.opportunities.get('id');
    expectTypeOf(deal.custom.region).toEqualTypeOf<'EMEA' | 'AMER' | undefined>();
    expectTypeOf(deal.custom.seats).toEqualTypeOf<number>();
    expectTypeOf((await scope.leads.get('id')).custom.score).toEqualTypeOf<number>();
  });

  it('are inferred from a plugin, merged with the config per object', async () => {
    const deal = await scope.opportunities.get('id');
    expectTypeOf(deal.custom.competitor).toEqualTypeOf<string | undefined>();
    expectTypeOf(deal.custom).toEqualTypeOf<{
      competitor?: string | undefined;
      region?: 'EMEA' | 'AMER' | undefined;
      seats: number;
    }>();
    expectTypeOf((await scope.accounts.get('id')).custom.nps).toEqualTypeOf<number | undefined>();
  });

  it('objects without custom fields have a custom object that holds nothing', async () => {
    expectTypeOf((await scope.contacts.get('id')).custom).toEqualTypeOf<Record<string, never>>();
    expectTypeOf<CustomValues<MergeCustomFields<readonly [], {}>, 'account'>>().toEqualTypeOf<
      Record<string, never>
    >();
  });

  it('are typed on input: defaults make fields optional, wrong values do not compile', () => {
    scope.leads.create({ lastName: 'x', company: 'y', custom: {} });
    scope.opportunities.create({ name: 'x', closeDate: '2026-01-01', custom: { seats: 3 } });
    // @ts-expect-error seats is required when custom values are given
    scope.opportunities.create({ name: 'x', closeDate: '2026-01-01', custom: { region: 'EMEA' } });
    scope.opportunities.create({
      name: 'x',
      closeDate: '2026-01-01',
      // @ts-expect-error region is EMEA or AMER
      custom: { seats: 1, region: 'APAC' },
    });
    // @ts-expect-error nps belongs to accounts, not contacts
    scope.contacts.create({ lastName: 'x', custom: { nps: 3 } });
  });

  it('are typed in filters', () => {
    scope.opportunities.list({ where: { custom: { seats: { gte: 10 }, region: 'EMEA' } } });
    scope.accounts.count({ custom: { nps: { in: [9, 10] } } });
    // @ts-expect-error bogus is not a custom field of opportunities
    scope.opportunities.list({ where: { custom: { bogus: 1 } } });
    // @ts-expect-error seats is a number
    scope.opportunities.count({ custom: { seats: 'many' } });
  });
});

describe('create and update input', () => {
  it('takes the writable fields of the object', () => {
    scope.accounts.create({ name: 'Acme', industry: 'Retail', externalId: 'crm-1', id: 'a1' });
    scope.lineItems.create({ opportunityId: 'o1', productId: 'p1', quantity: 2 });
    expectTypeOf<CreateInput<'account'>>().toHaveProperty('name');
  });

  it('rejects an unknown field', () => {
    // @ts-expect-error bogus is not a field of accounts
    scope.accounts.create({ name: 'Acme', bogus: 1 });
    // @ts-expect-error amount is a field of opportunities, not of accounts
    scope.accounts.create({ name: 'Acme', amount: 100 });
  });

  it('rejects a missing required field and read-only fields', () => {
    // @ts-expect-error closeDate is required
    scope.opportunities.create({ name: 'Deal' });
    // @ts-expect-error status follows the stage and cannot be written
    scope.opportunities.create({ name: 'Deal', closeDate: '2026-01-01', status: 'won' });
    // @ts-expect-error totalPrice is computed
    scope.lineItems.create({ opportunityId: 'o', productId: 'p', quantity: 1, totalPrice: 5 });
    // @ts-expect-error version is a system field
    scope.accounts.create({ name: 'Acme', version: 2 });
  });

  it('rejects values of the wrong type', () => {
    // @ts-expect-error amount is a number in minor units
    scope.opportunities.create({ name: 'Deal', closeDate: '2026-01-01', amount: '100' });
    // @ts-expect-error type is one of the activity types
    scope.activities.create({ type: 'fax', subject: 'x' });
  });

  it('update requires the version that was read', () => {
    scope.accounts.update('a1', { version: 3, industry: 'Energy' });
    // @ts-expect-error version is required
    scope.accounts.update('a1', { industry: 'Energy' });
    // @ts-expect-error version is a number
    scope.accounts.update('a1', { version: '3', industry: 'Energy' });
    // @ts-expect-error the id cannot change
    scope.accounts.update('a1', { version: 3, id: 'a2' });
    expectTypeOf<UpdateInput<'account'>['version']>().toEqualTypeOf<number>();
    expectTypeOf<UpdateInput<'account'>>().toHaveProperty('name');
    expectTypeOf<Partial<UpdateInput<'account'>>>().toMatchTypeOf<{ name?: string }>();
  });

  it('stage moves and closing take a version too', () => {
    scope.opportunities.changeStage('o1', { version: 1, stage: 'Qualification' });
    scope.opportunities.closeLost('o1', { version: 1, lostReason: 'Price' });
    // @ts-expect-error version is required
    scope.opportunities.closeWon('o1', {});
    // @ts-expect-error lostReason is required
    scope.opportunities.closeLost('o1', { version: 1 });
  });
});

describe('queries', () => {
  it('filter on the fields of the object with operators of their type', () => {
    const where: Where<CrmRecord<'opportunity'>> = {
      status: 'open',
      amount: { gte: 100, lt: 500 },
      stage: { in: ['Prospecting'] },
      name: { startsWith: 'Ac' },
      accountId: null,
    };
    expectTypeOf(where).toMatchTypeOf<Where<CrmRecord<'opportunity'>>>();
    // @ts-expect-error status is open, won or lost
    scope.opportunities.list({ where: { status: 'pending' } });
    // @ts-expect-error startsWith is for text
    scope.opportunities.list({ where: { amount: { startsWith: '1' } } });
    // @ts-expect-error bogus is not a field
    scope.opportunities.count({ bogus: 1 });
  });

  it('sort by a field of the object', () => {
    const query: ListQuery<CrmRecord<'opportunity'>> = {
      orderBy: { field: 'amount', direction: 'desc' },
      limit: 10,
    };
    expectTypeOf(query).toMatchTypeOf<ListQuery<CrmRecord<'opportunity'>>>();
    // @ts-expect-error industry is a field of accounts
    scope.opportunities.list({ orderBy: { field: 'industry' } });
    // @ts-expect-error custom fields are not sortable
    scope.opportunities.list({ orderBy: { field: 'custom' } });
    // @ts-expect-error the direction is asc or desc
    scope.opportunities.list({ orderBy: { field: 'amount', direction: 'up' } });
  });
});

describe('hooks', () => {
  it('receive a scope typed with the custom fields', () => {
    createCrm({
      storage,
      fields: { account: { tier: z.enum(['gold', 'silver']).optional() } },
      hooks: {
        account: {
          afterCreate: async ({ scope: hookScope }) => {
            const account = await hookScope.accounts.get('a1');
            expectTypeOf(account.custom.tier).toEqualTypeOf<'gold' | 'silver' | undefined>();
          },
        },
      },
    });
  });
});

describe('hidden fields', () => {
  it('are not in the record type reads return, nor filters or sorts, but KPIs declare over them', () => {
    expectTypeOf<CrmRecord<'lead'>>().not.toHaveProperty('convertedOpportunityStatus');
    expectTypeOf<CrmRecord<'lead'>>().not.toHaveProperty('convertedOpportunityAmount');
    expectTypeOf<CrmRecord<'lead'>>().not.toHaveProperty('convertedOpportunityCurrency');
    expectTypeOf<CrmRecord<'lead'>>().toHaveProperty('convertedOpportunityId');
    expectTypeOf<CrmRecord<'lead'>>().toHaveProperty('firstActivityAt');
    // @ts-expect-error hidden fields cannot be filtered
    const where: Where<CrmRecord<'lead'>> = { convertedOpportunityStatus: 'won' };
    expectTypeOf(where).toBeObject();
    expectTypeOf<StoredCrmRecord<'lead'>['convertedOpportunityStatus']>().toEqualTypeOf<
      'open' | 'won' | 'lost' | null
    >();
    expectTypeOf<'convertedOpportunityAmount'>().toMatchTypeOf<KpiNumericField<'lead'>>();
    expectTypeOf<'convertedOpportunityStatus'>().toMatchTypeOf<KpiField<'lead'>>();
  });
});
