import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AnyScope,
  type ConformanceSetup,
  expectRapportError,
  newTenant,
  useCrm,
} from './conformance-context.js';
import { type Deps, seedDeps } from './crud-dependencies.js';

/**
 * @internal CRUD beyond the round trip: ids, external ids, upserts, missing records, referential
 * integrity and updates that change nothing or clear a value.
 */
export function crudIntegrityCases(setup: ConformanceSetup): void {
  describe('CRUD', () => {
    const crm = useCrm(setup);
    let admin: AnyScope;
    let deps: Deps;
    beforeAll(async () => {
      const tenant = await newTenant(crm());
      admin = tenant.admin;
      deps = await seedDeps(admin);
    });

    it('stage history is readable and has a row for the created opportunity', async () => {
      const rows = await admin.stageHistory.list({
        where: { opportunityId: deps.opportunity.id, previousStage: null },
      });
      expect(rows.items).toHaveLength(1);
      expect(rows.items[0]).toMatchObject({ stage: 'Prospecting', previousStage: null });
    });

    it('get, update and delete of a missing id are NOT_FOUND', async () => {
      await expectRapportError(admin.accounts.get('no-such-id'), 'NOT_FOUND');
      expect(await admin.accounts.find('no-such-id')).toBeUndefined();
      await expectRapportError(
        admin.accounts.update('no-such-id', { version: 1, name: 'x' }),
        'NOT_FOUND',
      );
      await expectRapportError(admin.accounts.delete('no-such-id'), 'NOT_FOUND');
    });

    it('new ids are UUID v7 unless the caller gives one; a taken id is a CONFLICT', async () => {
      const generated = await admin.accounts.create({
        name: 'Generated Id',
        ownerId: deps.owner.id,
      });
      expect(generated.id).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      const chosen = await admin.accounts.create({
        id: 'account-chosen-1',
        name: 'Chosen Id',
        ownerId: deps.owner.id,
      });
      expect(chosen.id).toBe('account-chosen-1');
      expect((await admin.accounts.get('account-chosen-1')).name).toBe('Chosen Id');
      const before = await admin.accounts.count();
      await expectRapportError(
        admin.accounts.create({ id: 'account-chosen-1', name: 'Again', ownerId: deps.owner.id }),
        'CONFLICT',
      );
      expect(await admin.accounts.count()).toBe(before);
      expect((await admin.accounts.get('account-chosen-1')).name).toBe('Chosen Id');
    });

    it('external ids are unique per object, found by findByExternalId, and key upserts', async () => {
      const first = await admin.accounts.create({
        name: 'External',
        externalId: 'crm-42',
        ownerId: deps.owner.id,
      });
      expect((await admin.accounts.findByExternalId('crm-42'))?.id).toBe(first.id);
      expect(await admin.accounts.findByExternalId('crm-43')).toBeUndefined();
      await expectRapportError(
        admin.accounts.create({ name: 'Duplicate', externalId: 'crm-42', ownerId: deps.owner.id }),
        'CONFLICT',
      );
      // Another object may use the same external id.
      const contact = await admin.contacts.create({
        lastName: 'Same Key',
        externalId: 'crm-42',
        ownerId: deps.owner.id,
      });
      expect(contact.externalId).toBe('crm-42');

      const inserted = await admin.products.upsert({
        externalId: 'sku-1',
        name: 'Gadget',
        listPrice: 10_00,
      });
      expect(inserted.created).toBe(true);
      expect(inserted.record).toMatchObject({ name: 'Gadget', listPrice: 10_00, version: 1 });
      const updated = await admin.products.upsert({
        externalId: 'sku-1',
        name: 'Gadget',
        listPrice: 12_00,
      });
      expect(updated.created).toBe(false);
      expect(updated.record).toMatchObject({
        id: inserted.record.id,
        listPrice: 12_00,
        version: 2,
      });
      expect(await admin.products.count({ externalId: 'sku-1' })).toBe(1);
      await expectRapportError(
        admin.products.upsert({ externalId: '', name: 'No key' }),
        'VALIDATION',
        ['externalId'],
      );
    });

    it('a record still referenced cannot be deleted (CONFLICT) and stays', async () => {
      const account = await admin.accounts.create({ name: 'Referenced', ownerId: deps.owner.id });
      await admin.contacts.create({
        lastName: 'Holder',
        accountId: account.id,
        ownerId: deps.owner.id,
      });
      await expectRapportError(admin.accounts.delete(account.id), 'CONFLICT');
      expect((await admin.accounts.get(account.id)).name).toBe('Referenced');
    });

    it('deleting an opportunity removes its line items and stage history', async () => {
      const deal = await admin.opportunities.create({
        name: 'Doomed',
        closeDate: '2026-10-01',
        ownerId: deps.owner.id,
      });
      await admin.lineItems.create({
        opportunityId: deal.id,
        productId: deps.product.id,
        quantity: 1,
      });
      expect(await admin.stageHistory.count({ opportunityId: deal.id })).toBeGreaterThan(0);
      await admin.opportunities.delete(deal.id);
      expect(await admin.lineItems.count({ opportunityId: deal.id })).toBe(0);
      expect(await admin.stageHistory.count({ opportunityId: deal.id })).toBe(0);
      expect(await admin.opportunities.find(deal.id)).toBeUndefined();
    });

    it('an update that changes nothing keeps the version', async () => {
      const account = await admin.accounts.create({
        name: 'Unchanged',
        industry: 'Retail',
        ownerId: deps.owner.id,
      });
      const same = await admin.accounts.update(account.id, { version: 1, industry: 'Retail' });
      expect(same.version).toBe(1);
      expect((await admin.accounts.get(account.id)).version).toBe(1);
    });

    it('a value can be cleared with null', async () => {
      const account = await admin.accounts.create({
        name: 'Clearable',
        industry: 'Retail',
        ownerId: deps.owner.id,
      });
      const cleared = await admin.accounts.update(account.id, { version: 1, industry: null });
      expect(cleared.industry).toBeNull();
      expect((await admin.accounts.get(account.id)).industry).toBeNull();
    });
  });
}
