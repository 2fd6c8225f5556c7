import type { ActorRole } from '@rapport/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AnyScope,
  type ConformanceSetup,
  expectNothingWritten,
  expectRapportError,
  newTenant,
  seedSalesTeam,
  useCrm,
} from './conformance-context.js';

/** @internal Tenant isolation: other tenants' records are invisible, untouchable and unreferenceable. */
export function tenancyCases(setup: ConformanceSetup): void {
  describe('tenant isolation', () => {
    const crm = useCrm(setup);
    let mine: AnyScope;
    let theirs: AnyScope;
    let theirOwner: { id: string };
    let theirAccount: { id: string; version: number; name: string };
    let theirDeal: { id: string; version: number };
    let myOwner: { id: string };
    beforeAll(async () => {
      mine = (await newTenant(crm())).admin;
      theirs = (await newTenant(crm())).admin;
      myOwner = await mine.users.create({ name: 'My Owner' });
      theirOwner = await theirs.users.create({ name: 'Their Owner' });
      theirAccount = await theirs.accounts.create({
        name: 'Their Account',
        ownerId: theirOwner.id,
        externalId: 'shared-key',
      });
      theirDeal = await theirs.opportunities.create({
        name: 'Their Deal',
        ownerId: theirOwner.id,
        accountId: theirAccount.id,
        closeDate: '2026-12-31',
        amount: 5_000_00,
      });
    });

    it("another tenant's records are invisible to reads", async () => {
      await expectRapportError(mine.accounts.get(theirAccount.id), 'NOT_FOUND');
      expect(await mine.accounts.find(theirAccount.id)).toBeUndefined();
      expect(await mine.accounts.findByExternalId('shared-key')).toBeUndefined();
      expect((await mine.accounts.list({ limit: 1000 })).items.map((a) => a.id)).not.toContain(
        theirAccount.id,
      );
      expect(await mine.opportunities.count()).toBe(0);
      expect(await mine.stageHistory.count()).toBe(0);
      expect(await mine.users.count({ id: theirOwner.id })).toBe(0);
      const scoped = await mine.from('opportunity');
      expect(await scoped.select('t.id').execute()).toEqual([]);
    });

    it("another tenant's records are untouchable", async () => {
      await expectRapportError(
        mine.accounts.update(theirAccount.id, { version: theirAccount.version, name: 'Hijacked' }),
        'NOT_FOUND',
      );
      await expectRapportError(mine.accounts.delete(theirAccount.id), 'NOT_FOUND');
      await expectRapportError(
        mine.opportunities.closeWon(theirDeal.id, { version: theirDeal.version }),
        'NOT_FOUND',
      );
      await expectRapportError(
        mine.opportunities.changeStage(theirDeal.id, {
          version: theirDeal.version,
          stage: 'Qualification',
        }),
        'NOT_FOUND',
      );
      expect(await theirs.accounts.get(theirAccount.id)).toEqual(theirAccount);
      expect((await theirs.opportunities.get(theirDeal.id)).version).toBe(theirDeal.version);
    });

    it('ids and external ids are unique per tenant, not across tenants', async () => {
      const sameId = await mine.accounts.create({
        id: theirAccount.id,
        name: 'Same Id, Other Tenant',
        ownerId: myOwner.id,
        externalId: 'shared-key',
      });
      expect(sameId.id).toBe(theirAccount.id);
      expect((await mine.accounts.get(theirAccount.id)).name).toBe('Same Id, Other Tenant');
      expect((await theirs.accounts.get(theirAccount.id)).name).toBe('Their Account');
      expect((await mine.accounts.findByExternalId('shared-key'))?.name).toBe(
        'Same Id, Other Tenant',
      );
      await mine.accounts.delete(sameId.id);
      expect((await theirs.accounts.get(theirAccount.id)).name).toBe('Their Account');
    });

    it("a reference to another tenant's record is a VALIDATION error and writes nothing", async () => {
      await expectNothingWritten(
        mine,
        () =>
          mine.opportunities.create({
            name: 'Cross-tenant',
            ownerId: myOwner.id,
            accountId: theirAccount.id,
            closeDate: '2026-12-31',
          }),
        'VALIDATION',
        ['accountId'],
      );
      await expectNothingWritten(
        mine,
        () => mine.accounts.create({ name: 'Foreign owner', ownerId: theirOwner.id }),
        'VALIDATION',
        ['ownerId'],
      );
      const product = await mine.products.create({ name: 'Mine', listPrice: 100 });
      await expectNothingWritten(
        mine,
        () =>
          mine.lineItems.create({
            opportunityId: theirDeal.id,
            productId: product.id,
            quantity: 1,
          }),
        'VALIDATION',
        ['opportunityId'],
      );
      const account = await mine.accounts.create({ name: 'Mine', ownerId: myOwner.id });
      await expectNothingWritten(
        mine,
        () =>
          mine.accounts.update(account.id, { version: account.version, parentId: theirAccount.id }),
        'VALIDATION',
        ['parentId'],
      );
      expect((await mine.accounts.get(account.id)).parentId).toBeNull();
    });

    it('exchange rates and settings belong to one tenant', async () => {
      await theirs.currencies.setRate('USD', 0.9);
      expect(await mine.currencies.rates()).toEqual([]);
      await expectRapportError(
        mine.opportunities.create({
          name: 'Dollars',
          ownerId: myOwner.id,
          closeDate: '2026-12-31',
          currency: 'USD',
        }),
        'VALIDATION',
        ['currency'],
      );
      await theirs.updateSettings({ timeZone: 'Asia/Tokyo' });
      expect((await mine.settings()).timeZone).toBe('UTC');
      expect((await theirs.settings()).timeZone).toBe('Asia/Tokyo');
    });

    it('tenants: a taken id is a CONFLICT, ensureTenant is idempotent, an unknown one is NOT_FOUND', async () => {
      const { id } = await newTenant(crm());
      await expectRapportError(crm().createTenant({ id, name: 'Again' }), 'CONFLICT');
      const ensured = await crm().ensureTenant({ id, name: 'Ignored' });
      expect(ensured.id).toBe(id);
      expect(ensured.name).not.toBe('Ignored');
      await expectRapportError(
        crm().tenant('no-such-tenant').system().accounts.create({ name: 'Nowhere' }),
        'NOT_FOUND',
      );
      await expectRapportError(crm().tenant('no-such-tenant').system().settings(), 'NOT_FOUND');
      // Reads too: a mistyped tenant id must not look like an empty CRM.
      const nowhere = crm().tenant('no-such-tenant').as({ id: 'u1', role: 'rep' });
      await expectRapportError(nowhere.opportunities.list(), 'NOT_FOUND');
      await expectRapportError(nowhere.accounts.count(), 'NOT_FOUND');
      await expectRapportError(nowhere.products.list(), 'NOT_FOUND');
      await expectRapportError(nowhere.from('lead'), 'NOT_FOUND');
      await expectRapportError(
        crm().createTenant({ id: 'bad id with spaces', name: 'x' }),
        'VALIDATION',
        ['id'],
      );
    });
  });

  describe('visibility', () => {
    const crm = useCrm(setup);
    let tenantId: string;
    let admin: AnyScope;
    let team: Awaited<ReturnType<typeof seedSalesTeam>>;
    /** One opportunity per person, by person. */
    const deals: Record<string, { id: string; version: number }> = {};
    let product: { id: string };
    const as = (user: { id: string; role: ActorRole }) =>
      crm().tenant(tenantId).as({ id: user.id, role: user.role });

    beforeAll(async () => {
      const tenant = await newTenant(crm());
      tenantId = tenant.id;
      admin = tenant.admin;
      team = await seedSalesTeam(admin);
      product = await admin.products.create({ name: 'Seat', listPrice: 10_00 });
      for (const [key, user] of Object.entries(team)) {
        const deal = await admin.opportunities.create({
          name: `${key} deal`,
          ownerId: user.id,
          closeDate: '2026-12-31',
        });
        await admin.lineItems.create({
          opportunityId: deal.id,
          productId: product.id,
          quantity: 1,
        });
        deals[key] = await admin.opportunities.get(deal.id);
      }
    });

    const visibleTo = async (scope: AnyScope) =>
      (await scope.opportunities.list({ limit: 1000 })).items.map((d) => d.name).sort();

    it('a rep sees only their own records', async () => {
      const rep = as(team.repA);
      expect(await visibleTo(rep)).toEqual(['repA deal']);
      expect(await rep.lineItems.count()).toBe(1);
      expect(await rep.stageHistory.count({ opportunityId: deals.repC!.id })).toBe(0);
      await expectRapportError(rep.opportunities.get(deals.repC!.id), 'NOT_FOUND');
      const scoped = await rep.from('opportunity');
      expect((await scoped.select('t.name').execute()).map((r) => r.name)).toEqual(['repA deal']);
      // Line items follow the visibility of their opportunity in the query layer too.
      const items = await (await rep.from('lineItem')).select('t.opportunityId').execute();
      expect(items.map((r) => r.opportunityId)).toEqual([deals.repA!.id]);
    });

    it("a manager sees their reports' records, transitively", async () => {
      expect(await visibleTo(as(team.manager))).toEqual([
        'manager deal',
        'repA deal',
        'repB deal',
        'subManager deal',
      ]);
      expect(await visibleTo(as(team.subManager))).toEqual(['repB deal', 'subManager deal']);
      expect(await as(team.manager).lineItems.count()).toBe(4);
    });

    it('an admin sees everything', async () => {
      const all = ['manager deal', 'repA deal', 'repB deal', 'repC deal', 'subManager deal'];
      expect(await visibleTo(as({ id: team.manager.id, role: 'admin' }))).toEqual(all);
      expect(await visibleTo(admin)).toEqual(all);
    });

    it('shared objects (users, products, pipelines) are readable by everyone', async () => {
      const rep = as(team.repC);
      expect(await rep.users.count()).toBe(5);
      expect((await rep.products.get(product.id)).name).toBe('Seat');
      expect(await rep.pipelines.count()).toBe(1);
    });

    it("records outside a rep's rights cannot be changed, and stay unchanged", async () => {
      const rep = as(team.repA);
      const target = deals.repC!;
      const before = await admin.opportunities.get(target.id);
      await expectRapportError(
        rep.opportunities.update(target.id, { version: target.version, nextStep: 'steal' }),
        'NOT_FOUND',
      );
      await expectRapportError(rep.opportunities.delete(target.id), 'NOT_FOUND');
      await expectRapportError(
        rep.lineItems.create({ opportunityId: target.id, productId: product.id, quantity: 1 }),
        'VALIDATION',
        ['opportunityId'],
      );
      expect(await admin.opportunities.get(target.id)).toEqual(before);
    });

    it('a rep cannot reference or relink to a record they cannot see: the same error as a missing id (issue 12)', async () => {
      const rep = as(team.repA);
      const theirAccount = await admin.accounts.create({ name: 'RepC Co', ownerId: team.repC.id });
      const theirDeal = deals.repC!;
      const missing = async (write: Promise<unknown>, ...path: (string | number)[]) => {
        const error = await expectRapportError(write, 'VALIDATION', path);
        expect(error.issues[0]?.code).toBe('unknown_reference');
      };
      await missing(
        rep.opportunities.create({
          name: 'Plant',
          accountId: theirAccount.id,
          closeDate: '2026-12-31',
        }),
        'accountId',
      );
      await missing(
        rep.contacts.create({ lastName: 'Plant', accountId: theirAccount.id }),
        'accountId',
      );
      await missing(
        rep.activities.create({ type: 'call', subject: 'Plant', opportunityId: theirDeal.id }),
        'opportunityId',
      );
      await missing(
        rep.contacts.createMany([{ lastName: 'Plant', accountId: theirAccount.id }]),
        0,
        'accountId',
      );
      const own = await rep.accounts.create({ name: 'Mine' });
      const deal = await rep.opportunities.create({
        name: 'Own',
        accountId: own.id,
        closeDate: '2026-12-31',
      });
      await missing(
        rep.opportunities.update(deal.id, { version: deal.version, accountId: theirAccount.id }),
        'accountId',
      );
      const invisible = await expectRapportError(
        rep.contacts.create({ lastName: 'X', accountId: theirAccount.id }),
        'VALIDATION',
      );
      const absent = await expectRapportError(
        rep.contacts.create({ lastName: 'X', accountId: 'no-such-account' }),
        'VALIDATION',
      );
      expect(invisible.message.replace(theirAccount.id, 'ID')).toBe(
        absent.message.replace('no-such-account', 'ID'),
      );
      // A manager may link to what a report owns.
      const reportsAccount = await admin.accounts.create({
        name: 'RepB Co',
        ownerId: team.repB.id,
      });
      const contact = await as(team.manager).contacts.create({
        lastName: 'Fine',
        accountId: reportsAccount.id,
      });
      expect(contact.accountId).toBe(reportsAccount.id);
    });

    it('writing records for an owner you cannot see is FORBIDDEN and writes nothing', async () => {
      const rep = as(team.repA);
      await expectNothingWritten(
        admin,
        () =>
          rep.opportunities.create({
            name: 'For C',
            ownerId: team.repC.id,
            closeDate: '2026-12-31',
          }),
        'FORBIDDEN',
      );
      await expectNothingWritten(
        admin,
        () => as(team.manager).accounts.create({ name: 'For C', ownerId: team.repC.id }),
        'FORBIDDEN',
      );
      const own = await rep.opportunities.create({ name: 'Own', closeDate: '2026-12-31' });
      expect(own.ownerId).toBe(team.repA.id);
      await expectRapportError(
        rep.opportunities.update(own.id, { version: own.version, ownerId: team.repC.id }),
        'FORBIDDEN',
      );
      expect((await admin.opportunities.get(own.id)).ownerId).toBe(team.repA.id);
      await rep.opportunities.delete(own.id);
    });

    it('a manager may reassign between their reports; a rep may edit their own', async () => {
      const manager = as(team.manager);
      const deal = await manager.opportunities.create({
        name: 'Reassigned',
        ownerId: team.repA.id,
        closeDate: '2026-12-31',
      });
      const moved = await manager.opportunities.update(deal.id, {
        version: deal.version,
        ownerId: team.repB.id,
      });
      expect(moved.ownerId).toBe(team.repB.id);
      expect(moved.updatedBy).toBe(team.manager.id);
      const repB = as(team.repB);
      const edited = await repB.opportunities.update(deal.id, {
        version: moved.version,
        nextStep: 'Demo',
      });
      expect(edited).toMatchObject({ nextStep: 'Demo', updatedBy: team.repB.id });
      await expectRapportError(as(team.repA).opportunities.get(deal.id), 'NOT_FOUND');
    });

    it('only admins change shared objects, rates and settings (FORBIDDEN otherwise)', async () => {
      const manager = as(team.manager);
      await expectNothingWritten(
        admin,
        () => manager.products.create({ name: 'Rogue', listPrice: 1 }),
        'FORBIDDEN',
      );
      await expectRapportError(
        manager.users.update(team.repA.id, { version: 1, role: 'admin' }),
        'FORBIDDEN',
      );
      expect((await admin.users.get(team.repA.id)).role).toBe('rep');
      await expectNothingWritten(admin, () => manager.currencies.setRate('USD', 1.1), 'FORBIDDEN');
      await expectRapportError(manager.updateSettings({ timeZone: 'Asia/Tokyo' }), 'FORBIDDEN');
      expect((await admin.settings()).timeZone).toBe('UTC');
    });

    it('visibility follows the management chain as it changes', async () => {
      const before = await visibleTo(as(team.subManager));
      expect(before).not.toContain('repC deal');
      const repC = await admin.users.get(team.repC.id);
      await admin.users.update(repC.id, { version: repC.version, managerId: team.subManager.id });
      expect(await visibleTo(as(team.subManager))).toContain('repC deal');
      expect(await visibleTo(as(team.manager))).toContain('repC deal');
      const moved = await admin.users.get(team.repC.id);
      await admin.users.update(repC.id, { version: moved.version, managerId: null });
      expect(await visibleTo(as(team.manager))).not.toContain('repC deal');
    });

    it('a management cycle is a VALIDATION error', async () => {
      const manager = await admin.users.get(team.manager.id);
      await expectRapportError(
        admin.users.update(manager.id, { version: manager.version, managerId: team.repB.id }),
        'VALIDATION',
        ['managerId'],
      );
      expect((await admin.users.get(team.manager.id)).managerId).toBeNull();
    });
  });
}
