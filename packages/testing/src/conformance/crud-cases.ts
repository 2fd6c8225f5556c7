import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AnyScope,
  type ConformanceSetup,
  expectRapportError,
  newTenant,
  useCrm,
} from './conformance-context.js';

/** The reads every repository has; each object's repository fits it. */
interface ReadWriteRepository {
  get(id: string): Promise<{ readonly id: string; readonly version: number }>;
  find(id: string): Promise<{ readonly id: string } | undefined>;
  list(query?: { readonly limit?: number }): Promise<{ items: { readonly id: string }[] }>;
  count(): Promise<number>;
  delete(id: string, options?: { readonly version?: number }): Promise<void>;
}

import { type Deps, seedDeps } from './crud-dependencies.js';

interface CrudSpec {
  readonly object: string;
  readonly repository: (scope: AnyScope) => ReadWriteRepository;
  readonly create: (scope: AnyScope, deps: Deps) => Promise<{ id: string; version: number }>;
  /** What the created record must contain. */
  readonly created: (deps: Deps) => Record<string, unknown>;
  readonly update: (
    scope: AnyScope,
    record: { id: string; version: number },
  ) => Promise<{ id: string; version: number }>;
  /** What the updated record must contain. */
  readonly updated: Record<string, unknown>;
}

const threeStages = [
  { name: 'Open', probability: 20, forecastCategory: 'Pipeline', status: 'open' },
  { name: 'Won', probability: 100, forecastCategory: 'Closed', status: 'won' },
  { name: 'Lost', probability: 0, forecastCategory: 'Omitted', status: 'lost' },
] as const;

const specs: readonly CrudSpec[] = [
  {
    object: 'user',
    repository: (s) => s.users,
    create: (s) => s.users.create({ name: 'Una User', email: 'una@example.com', role: 'manager' }),
    created: () => ({ name: 'Una User', email: 'una@example.com', role: 'manager' }),
    update: (s, r) => s.users.update(r.id, { version: r.version, region: 'EMEA' }),
    updated: { region: 'EMEA', name: 'Una User', role: 'manager' },
  },
  {
    object: 'team',
    repository: (s) => s.teams,
    create: (s, d) => s.teams.create({ name: 'Team North', managerId: d.owner.id }),
    created: (d) => ({ name: 'Team North', managerId: d.owner.id, region: null }),
    update: (s, r) => s.teams.update(r.id, { version: r.version, region: 'North' }),
    updated: { region: 'North' },
  },
  {
    object: 'account',
    repository: (s) => s.accounts,
    create: (s, d) =>
      s.accounts.create({
        name: 'Acme',
        ownerId: d.owner.id,
        industry: 'Retail',
        numberOfEmployees: 250,
      }),
    created: (d) => ({
      name: 'Acme',
      ownerId: d.owner.id,
      industry: 'Retail',
      numberOfEmployees: 250,
    }),
    update: (s, r) => s.accounts.update(r.id, { version: r.version, industry: 'Energy' }),
    updated: { industry: 'Energy', numberOfEmployees: 250 },
  },
  {
    object: 'contact',
    repository: (s) => s.contacts,
    create: (s, d) =>
      s.contacts.create({ lastName: 'Doe', accountId: d.account.id, ownerId: d.owner.id }),
    created: (d) => ({ lastName: 'Doe', accountId: d.account.id, ownerId: d.owner.id }),
    update: (s, r) => s.contacts.update(r.id, { version: r.version, title: 'CFO' }),
    updated: { title: 'CFO', lastName: 'Doe' },
  },
  {
    object: 'campaign',
    repository: (s) => s.campaigns,
    create: (s) =>
      s.campaigns.create({
        name: 'Spring',
        budgetedCost: 1_000_00,
        startDate: '2026-03-01',
        endDate: '2026-03-31',
      }),
    created: () => ({
      name: 'Spring',
      budgetedCost: 1_000_00,
      actualCost: 0,
      currency: 'EUR',
      startDate: '2026-03-01',
      endDate: '2026-03-31',
    }),
    update: (s, r) => s.campaigns.update(r.id, { version: r.version, actualCost: 500_00 }),
    updated: { actualCost: 500_00, budgetedCost: 1_000_00 },
  },
  {
    object: 'lead',
    repository: (s) => s.leads,
    create: (s, d) => s.leads.create({ lastName: 'Lee', company: 'Initech', ownerId: d.owner.id }),
    created: (d) => ({
      lastName: 'Lee',
      company: 'Initech',
      ownerId: d.owner.id,
      status: 'Open - Not Contacted',
      convertedAt: null,
    }),
    update: (s, r) => s.leads.update(r.id, { version: r.version, status: 'Working - Contacted' }),
    updated: { status: 'Working - Contacted', company: 'Initech' },
  },
  {
    object: 'product',
    repository: (s) => s.products,
    create: (s) => s.products.create({ name: 'Widget', listPrice: 50_00, family: 'Hardware' }),
    created: () => ({ name: 'Widget', listPrice: 50_00, family: 'Hardware', currency: 'EUR' }),
    update: (s, r) => s.products.update(r.id, { version: r.version, listPrice: 60_00 }),
    updated: { listPrice: 60_00 },
  },
  {
    object: 'pipeline',
    repository: (s) => s.pipelines,
    create: (s) => s.pipelines.create({ name: 'Renewals', stages: [...threeStages] }),
    created: () => ({ name: 'Renewals', stages: threeStages }),
    update: (s, r) => s.pipelines.update(r.id, { version: r.version, name: 'Renewals 2027' }),
    updated: { name: 'Renewals 2027', stages: threeStages },
  },
  {
    object: 'opportunity',
    repository: (s) => s.opportunities,
    create: (s, d) =>
      s.opportunities.create({
        name: 'Big Deal',
        accountId: d.account.id,
        ownerId: d.owner.id,
        closeDate: '2026-12-31',
        amount: 1_000_00,
      }),
    created: (d) => ({
      name: 'Big Deal',
      accountId: d.account.id,
      ownerId: d.owner.id,
      closeDate: '2026-12-31',
      amount: 1_000_00,
      currency: 'EUR',
      stage: 'Prospecting',
      status: 'open',
      probability: 10,
      forecastCategory: 'Pipeline',
    }),
    update: (s, r) => s.opportunities.update(r.id, { version: r.version, nextStep: 'Call CFO' }),
    updated: { nextStep: 'Call CFO', amount: 1_000_00 },
  },
  {
    object: 'lineItem',
    repository: (s) => s.lineItems,
    create: (s, d) =>
      s.lineItems.create({ opportunityId: d.opportunity.id, productId: d.product.id, quantity: 2 }),
    created: (d) => ({
      opportunityId: d.opportunity.id,
      productId: d.product.id,
      quantity: 2,
      unitPrice: 2_500,
      discount: 0,
      totalPrice: 5_000,
      currency: 'EUR',
    }),
    update: (s, r) => s.lineItems.update(r.id, { version: r.version, quantity: 3 }),
    updated: { quantity: 3, totalPrice: 7_500 },
  },
  {
    object: 'activity',
    repository: (s) => s.activities,
    create: (s, d) =>
      s.activities.create({
        type: 'call',
        subject: 'Intro call',
        ownerId: d.owner.id,
        accountId: d.account.id,
        dueAt: '2026-05-01T10:00:00+02:00',
      }),
    // Timestamps are stored in UTC whatever offset they were given with.
    created: (d) => ({
      type: 'call',
      subject: 'Intro call',
      ownerId: d.owner.id,
      dueAt: '2026-05-01T08:00:00.000Z',
      completedAt: null,
    }),
    update: (s, r) =>
      s.activities.update(r.id, { version: r.version, completedAt: '2026-05-01T08:30:00Z' }),
    updated: { completedAt: '2026-05-01T08:30:00.000Z' },
  },
  {
    object: 'quota',
    repository: (s) => s.quotas,
    create: (s, d) =>
      s.quotas.create({
        ownerId: d.owner.id,
        periodStart: '2026-01-01',
        periodEnd: '2026-03-31',
        amount: 50_000_00,
      }),
    created: (d) => ({
      ownerId: d.owner.id,
      teamId: null,
      periodStart: '2026-01-01',
      periodEnd: '2026-03-31',
      amount: 50_000_00,
    }),
    update: (s, r) => s.quotas.update(r.id, { version: r.version, amount: 60_000_00 }),
    updated: { amount: 60_000_00 },
  },
  {
    object: 'contract',
    repository: (s) => s.contracts,
    create: (s, d) =>
      s.contracts.create({
        accountId: d.account.id,
        ownerId: d.owner.id,
        startDate: '2026-01-01',
        monthlyAmount: 100_00,
      }),
    created: (d) => ({
      accountId: d.account.id,
      status: 'Activated',
      startDate: '2026-01-01',
      endDate: null,
      monthlyAmount: 100_00,
    }),
    update: (s, r) =>
      s.contracts.update(r.id, { version: r.version, status: 'Cancelled', endDate: '2026-06-30' }),
    updated: { status: 'Cancelled', endDate: '2026-06-30' },
  },
];

const isoTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** @internal CRUD of every object as a round trip, and values of every kind kept exactly. */
export function crudCases(setup: ConformanceSetup): void {
  describe('CRUD', () => {
    const crm = useCrm(setup);
    let admin: AnyScope;
    let tenantId: string;
    let deps: Deps;
    beforeAll(async () => {
      const tenant = await newTenant(crm());
      admin = tenant.admin;
      tenantId = tenant.id;
      deps = await seedDeps(admin);
    });

    for (const spec of specs) {
      it(`${spec.object}: create, get, find, list, count, update and delete round-trip`, async () => {
        const repository = spec.repository(admin);
        const countBefore = await repository.count();

        const created = await spec.create(admin, deps);
        expect(created).toMatchObject({
          ...spec.created(deps),
          tenantId,
          version: 1,
          createdBy: 'system',
          updatedBy: 'system',
          externalId: null,
          custom: {},
        });
        expect(created).toMatchObject({ createdAt: expect.stringMatching(isoTimestamp) });
        // What the storage gives back is exactly what the write returned: types survive the trip.
        expect(await repository.get(created.id)).toEqual(created);
        expect(await repository.find(created.id)).toEqual(created);
        expect(await repository.count()).toBe(countBefore + 1);
        const listed = await repository.list({ limit: 1000 });
        expect(listed.items.map((item) => item.id)).toContain(created.id);

        const updated = await spec.update(admin, created);
        expect(updated).toMatchObject({ ...spec.updated, id: created.id, version: 2 });
        expect(await repository.get(created.id)).toEqual(updated);

        await repository.delete(created.id, { version: 2 });
        expect(await repository.find(created.id)).toBeUndefined();
        await expectRapportError(repository.get(created.id), 'NOT_FOUND');
        expect(await repository.count()).toBe(countBefore);
      });
    }

    it('every kind of value survives the round trip exactly', async () => {
      const text = `O'Brien "Ltd" \\ 100% _real_\nsecond line — Ünïcödé 😀`;
      const account = await admin.accounts.create({
        name: text,
        ownerId: deps.owner.id,
        annualRevenue: 1_234_567.89,
        numberOfEmployees: 0,
        industry: '',
      });
      expect(await admin.accounts.get(account.id)).toEqual(account);
      expect(account).toMatchObject({
        name: text,
        annualRevenue: 1_234_567.89,
        numberOfEmployees: 0,
        industry: '',
      });
      expect(await admin.accounts.count({ name: text })).toBe(1);

      const deal = await admin.opportunities.create({
        name: 'Fractions',
        ownerId: deps.owner.id,
        closeDate: '2026-02-28',
        probability: 33.3,
        description: 'x'.repeat(20_000),
      });
      const item = await admin.lineItems.create({
        opportunityId: deal.id,
        productId: deps.product.id,
        quantity: 2.5,
        discount: 12.5,
      });
      expect(await admin.lineItems.get(item.id)).toEqual(item);
      expect(item).toMatchObject({ quantity: 2.5, discount: 12.5, totalPrice: 5_469 });
      const stored = await admin.opportunities.get(deal.id);
      expect(stored).toMatchObject({ probability: 33.3, amount: 5_469, closeDate: '2026-02-28' });
      expect(stored.description).toHaveLength(20_000);
      expect(typeof stored.version).toBe('number');
      expect(typeof stored.amount).toBe('number');
    });
  });
}
