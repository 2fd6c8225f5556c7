import { RapportError } from '@rapport/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AnyScope,
  type ConformanceSetup,
  expectNothingWritten,
  newTenant,
  useCrm,
} from './conformance-context.js';

interface Fixtures {
  readonly admin: AnyScope;
  readonly ownerId: string;
  readonly account: { readonly id: string; readonly version: number };
  readonly deal: { readonly id: string; readonly version: number };
  readonly productId: string;
  readonly foreignAccountId: string;
  readonly teamId: string;
}

/** One kind of bad input: what to try, and the field path the error must name. */
type BadInput = readonly [
  title: string,
  attempt: (f: Fixtures) => Promise<unknown>,
  path: readonly (string | number)[],
];

// Inputs that do not compile are sent anyway (as a JavaScript caller or an HTTP body would);
// each of those lines says so with @ts-expect-error.
const badInputs: readonly BadInput[] = [
  [
    'a wrong type',
    (f) =>
      f.admin.opportunities.create({
        name: 'x',
        ownerId: f.ownerId,
        closeDate: '2026-01-01',
        // @ts-expect-error amount is a number
        amount: 'lots',
      }),
    ['amount'],
  ],
  [
    'a fraction where a whole number is required',
    (f) => f.admin.accounts.create({ name: 'x', ownerId: f.ownerId, numberOfEmployees: 12.5 }),
    ['numberOfEmployees'],
  ],
  [
    'a wrong type deep inside a value',
    (f) =>
      f.admin.pipelines.create({
        name: 'Broken',
        stages: [
          { name: 'A', probability: 10, forecastCategory: 'Pipeline', status: 'open' },
          // @ts-expect-error probability is a number
          { name: 'B', probability: 'high', forecastCategory: 'Closed', status: 'won' },
          { name: 'C', probability: 0, forecastCategory: 'Omitted', status: 'lost' },
        ],
      }),
    ['stages', 1, 'probability'],
  ],
  [
    'an unknown field on create',
    // @ts-expect-error bogus is not a field
    (f) => f.admin.accounts.create({ name: 'x', ownerId: f.ownerId, bogus: 1 }),
    ['bogus'],
  ],
  [
    'an unknown field on update',
    // @ts-expect-error bogus is not a field
    (f) => f.admin.accounts.update(f.account.id, { version: f.account.version, bogus: 1 }),
    ['bogus'],
  ],
  [
    'a missing required field',
    // @ts-expect-error closeDate is required
    (f) => f.admin.opportunities.create({ name: 'x', ownerId: f.ownerId }),
    ['closeDate'],
  ],
  ['an empty name', (f) => f.admin.accounts.create({ name: '', ownerId: f.ownerId }), ['name']],
  [
    'a negative quantity',
    (f) =>
      f.admin.lineItems.create({ opportunityId: f.deal.id, productId: f.productId, quantity: -3 }),
    ['quantity'],
  ],
  [
    'a negative amount',
    (f) => f.admin.opportunities.update(f.deal.id, { version: f.deal.version, amount: -100 }),
    ['amount'],
  ],
  [
    'a negative cost',
    (f) => f.admin.campaigns.create({ name: 'x', budgetedCost: -1 }),
    ['budgetedCost'],
  ],
  [
    'a probability over 100',
    (f) => f.admin.opportunities.update(f.deal.id, { version: f.deal.version, probability: 120 }),
    ['probability'],
  ],
  [
    'an unknown stage',
    (f) =>
      f.admin.opportunities.changeStage(f.deal.id, { version: f.deal.version, stage: 'Limbo' }),
    ['stage'],
  ],
  [
    'a currency that is not ISO 4217',
    (f) =>
      f.admin.opportunities.create({
        name: 'x',
        ownerId: f.ownerId,
        closeDate: '2026-01-01',
        currency: 'BTC',
      }),
    ['currency'],
  ],
  [
    "a foreign key to another tenant's record",
    (f) =>
      f.admin.contacts.create({ lastName: 'x', ownerId: f.ownerId, accountId: f.foreignAccountId }),
    ['accountId'],
  ],
  [
    'a foreign key to a record that does not exist',
    (f) => f.admin.contacts.create({ lastName: 'x', ownerId: f.ownerId, accountId: 'missing' }),
    ['accountId'],
  ],
  [
    'an impossible date',
    (f) =>
      f.admin.opportunities.update(f.deal.id, { version: f.deal.version, closeDate: '2026-13-01' }),
    ['closeDate'],
  ],
  [
    'a timestamp that is not ISO 8601',
    (f) =>
      f.admin.activities.create({
        type: 'task',
        subject: 'x',
        ownerId: f.ownerId,
        dueAt: 'tomorrow',
      }),
    ['dueAt'],
  ],
  [
    'an invalid e-mail address',
    (f) => f.admin.contacts.create({ lastName: 'x', ownerId: f.ownerId, email: 'not-an-email' }),
    ['email'],
  ],
  [
    'a value outside an enum',
    // @ts-expect-error fax is not an activity type
    (f) => f.admin.activities.create({ type: 'fax', subject: 'x', ownerId: f.ownerId }),
    ['type'],
  ],
  [
    'an unknown role',
    // @ts-expect-error boss is not a role
    (f) => f.admin.users.create({ name: 'x', role: 'boss' }),
    ['role'],
  ],
  [
    'a quota for both an owner and a team',
    (f) =>
      f.admin.quotas.create({
        ownerId: f.ownerId,
        teamId: f.teamId,
        periodStart: '2026-01-01',
        periodEnd: '2026-03-31',
        amount: 100,
      }),
    ['ownerId'],
  ],
  [
    'a period that ends before it starts',
    (f) =>
      f.admin.quotas.create({
        ownerId: f.ownerId,
        periodStart: '2026-03-31',
        periodEnd: '2026-01-01',
        amount: 100,
      }),
    ['periodEnd'],
  ],
  [
    'a contract that ends before it starts',
    (f) =>
      f.admin.contracts.create({
        accountId: f.account.id,
        ownerId: f.ownerId,
        startDate: '2026-06-01',
        endDate: '2026-05-31',
        monthlyAmount: 100,
      }),
    ['endDate'],
  ],
  [
    'a NUL character in a name',
    (f) => f.admin.accounts.create({ name: 'Nul\u0000Corp', ownerId: f.ownerId }),
    ['name'],
  ],
  [
    'a NUL character in a long text on update',
    (f) =>
      f.admin.opportunities.update(f.deal.id, { version: f.deal.version, description: 'a\u0000' }),
    ['description'],
  ],
  [
    'a NUL character in an external id',
    (f) => f.admin.accounts.create({ name: 'x', ownerId: f.ownerId, externalId: 'ext\u0000' }),
    ['externalId'],
  ],
  [
    'a NUL character in a reference',
    (f) => f.admin.contacts.create({ lastName: 'x', ownerId: f.ownerId, accountId: 'a\u0000' }),
    ['accountId'],
  ],
  [
    'a client-chosen id with a path separator',
    (f) => f.admin.accounts.create({ id: '../x', name: 'x', ownerId: f.ownerId }),
    ['id'],
  ],
  [
    'a client-chosen id longer than 64 characters',
    (f) => f.admin.accounts.create({ id: 'a'.repeat(65), name: 'x', ownerId: f.ownerId }),
    ['id'],
  ],
  [
    'money past a safe integer',
    (f) => f.admin.campaigns.create({ name: 'x', budgetedCost: 2 ** 53 }),
    ['budgetedCost'],
  ],
  [
    'a line item total (quantity x unit price) past a safe integer',
    (f) =>
      f.admin.lineItems.create({
        opportunityId: f.deal.id,
        productId: f.productId,
        quantity: 1e9,
        unitPrice: 9e15,
      }),
    ['totalPrice'],
  ],
  [
    'line items whose sum (the opportunity amount) passes a safe integer',
    (f) =>
      f.admin.lineItems.createMany([
        { opportunityId: f.deal.id, productId: f.productId, quantity: 1, unitPrice: 5e15 },
        { opportunityId: f.deal.id, productId: f.productId, quantity: 1, unitPrice: 5e15 },
      ]),
    ['totalPrice'],
  ],
  [
    'a system field',
    // @ts-expect-error version is set by the engine
    (f) => f.admin.accounts.create({ name: 'x', ownerId: f.ownerId, version: 9 }),
    ['version'],
  ],
];

/** @internal Every kind of bad input: a VALIDATION error naming the field, and nothing written. */
export function validationCases(setup: ConformanceSetup): void {
  describe('validation of bad input', () => {
    const crm = useCrm(setup);
    let fixtures: Fixtures;
    beforeAll(async () => {
      const { admin } = await newTenant(crm());
      const foreign = (await newTenant(crm())).admin;
      const foreignOwner = await foreign.users.create({ name: 'Foreign' });
      const ownerId = (await admin.users.create({ name: 'Validation Owner' })).id;
      fixtures = {
        admin,
        ownerId,
        account: await admin.accounts.create({ name: 'Valid Account', ownerId }),
        deal: await admin.opportunities.create({
          name: 'Valid Deal',
          ownerId,
          closeDate: '2026-06-30',
          amount: 10_00,
        }),
        productId: (await admin.products.create({ name: 'Valid Product', listPrice: 1_00 })).id,
        foreignAccountId: (
          await foreign.accounts.create({ name: 'Foreign Account', ownerId: foreignOwner.id })
        ).id,
        teamId: (await admin.teams.create({ name: 'Valid Team' })).id,
      };
    });

    for (const [title, attempt, path] of badInputs) {
      it(`${title} is a VALIDATION error at ${path.join('.')} and writes nothing`, async () => {
        const { admin, deal, account } = fixtures;
        const dealBefore = await admin.opportunities.get(deal.id);
        const accountBefore = await admin.accounts.get(account.id);
        const error = await expectNothingWritten(
          admin,
          () => attempt(fixtures),
          'VALIDATION',
          path,
        );
        expect(error).toBeInstanceOf(RapportError);
        expect(error.message).toContain(path.join('.'));
        expect(await admin.opportunities.get(deal.id)).toEqual(dealBefore);
        expect(await admin.accounts.get(account.id)).toEqual(accountBefore);
      });
    }

    it('client-chosen ids of the safe alphabet are kept as given', async () => {
      const { admin, ownerId } = fixtures;
      for (const id of ['0190f6a1-7c2e-7000-8000-0123456789ab', 'demo-acc-1', 'crm:42', 'a_b.C']) {
        expect((await admin.accounts.create({ id, name: 'Chosen', ownerId })).id).toBe(id);
      }
    });

    it('an id with a NUL is NOT_FOUND for get, update and delete (PostgreSQL cannot compare one)', async () => {
      const { admin } = fixtures;
      const id = 'acc\u0000x';
      expect(await admin.accounts.find(id)).toBeUndefined();
      for (const attempt of [
        () => admin.accounts.get(id),
        () => admin.accounts.update(id, { version: 1, name: 'x' }),
        () => admin.accounts.delete(id),
      ]) {
        await expectNothingWritten(admin, attempt, 'NOT_FOUND');
      }
    });

    it('a line item that would take the opportunity amount past a safe integer writes nothing', async () => {
      const { admin, ownerId, productId } = fixtures;
      const deal = await admin.opportunities.create({
        name: 'Big',
        ownerId,
        closeDate: '2026-06-30',
      });
      const item = { opportunityId: deal.id, productId, quantity: 1, unitPrice: 5e15 };
      await admin.lineItems.create(item);
      await expectNothingWritten(admin, () => admin.lineItems.create(item), 'VALIDATION', [
        'totalPrice',
      ]);
      expect((await admin.opportunities.get(deal.id)).amount).toBe(5e15);
    });

    it('every problem of one input is reported, each with its path and a message', async () => {
      const { admin, ownerId } = fixtures;
      const error = await expectNothingWritten(
        admin,
        () =>
          admin.opportunities.create({
            name: 'x',
            ownerId,
            closeDate: 'someday',
            amount: -1,
            // @ts-expect-error an unknown field, among other problems
            bogus: true,
          }),
        'VALIDATION',
      );
      expect(error.issues.map((issue) => issue.path)).toEqual(
        expect.arrayContaining([['closeDate'], ['amount'], ['bogus']]),
      );
      for (const issue of error.issues) {
        expect(issue.message.length).toBeGreaterThan(0);
        expect(issue.code.length).toBeGreaterThan(0);
      }
      expect(error.toJSON()).toMatchObject({
        code: 'VALIDATION',
        object: 'opportunity',
        issues: error.issues,
      });
    });
  });
}
