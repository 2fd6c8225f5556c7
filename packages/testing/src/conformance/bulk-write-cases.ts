import { describe, expect, it } from 'vitest';
import {
  type ConformanceSetup,
  expectNothingWritten,
  newTenant,
  useCrm,
} from './conformance-context.js';

/** @internal createMany and upsertMany: bulk writes with the guarantees of single writes. */
export function bulkWriteCases(setup: ConformanceSetup): void {
  describe('bulk writes', () => {
    const crm = useCrm(setup);

    it('createMany writes every record, its stage history and its events', async () => {
      const { admin } = await newTenant(crm());
      const owner = await admin.users.create({ name: 'Bulk Owner', role: 'rep' });
      const created: string[] = [];
      const listener = (event: { object: string; record: { id: string } }) => {
        if (event.object === 'opportunity') created.push(event.record.id);
      };
      crm().events.on('record.created', listener);
      const deals = await admin.opportunities.createMany(
        Array.from({ length: 120 }, (_, index) => ({
          name: `Deal ${index}`,
          ownerId: owner.id,
          amount: index * 100,
          closeDate: '2026-12-31',
        })),
      );
      crm().events.off('record.created', listener);
      expect(deals).toHaveLength(120);
      expect(deals[7]).toMatchObject({
        name: 'Deal 7',
        amount: 700,
        stage: 'Prospecting',
        version: 1,
      });
      expect(await admin.opportunities.count()).toBe(120);
      expect(await admin.stageHistory.count()).toBe(120);
      expect(new Set(created)).toEqual(new Set(deals.map((d) => d.id)));
    });

    it('createMany is all or nothing and names the index of a bad input', async () => {
      const { admin } = await newTenant(crm());
      const owner = await admin.users.create({ name: 'Bulk Owner', role: 'rep' });
      const good = { name: 'Good', ownerId: owner.id, closeDate: '2026-12-31' };
      await expectNothingWritten(
        admin,
        () => admin.opportunities.createMany([good, good, { ...good, closeDate: 'soon' }]),
        'VALIDATION',
        [2, 'closeDate'],
      );
      await expectNothingWritten(
        admin,
        () => admin.opportunities.createMany([good, { ...good, stage: 'Nope' }]),
        'VALIDATION',
        [1, 'stage'],
      );
      await expectNothingWritten(
        admin,
        () => admin.opportunities.createMany([good, good, { ...good, accountId: 'missing' }]),
        'VALIDATION',
        [2, 'accountId'],
      );
    });

    it('createMany accepts references between records of the same batch', async () => {
      const { admin } = await newTenant(crm());
      const owner = await admin.users.create({ name: 'Bulk Owner', role: 'rep' });
      const [parent, child] = await admin.accounts.createMany([
        { id: 'parent-account', name: 'Parent', ownerId: owner.id },
        { name: 'Child', ownerId: owner.id, parentId: 'parent-account' },
      ]);
      expect(child?.parentId).toBe(parent?.id);
    });

    it('upsertMany creates, updates and leaves unchanged records alone', async () => {
      const { admin } = await newTenant(crm());
      const { id: ownerId } = await admin.users.create({ name: 'Bulk Owner', role: 'rep' });
      const rows = [
        { externalId: 'a', name: 'Alpha', industry: 'Retail', ownerId },
        { externalId: 'b', name: 'Beta', industry: 'Banking', ownerId },
      ];
      const first = await admin.accounts.upsertMany(rows);
      expect(first).toMatchObject({ created: 2, updated: 0, unchanged: 0 });
      const again = await admin.accounts.upsertMany(rows);
      expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
      expect(again.records.map((r) => r.version)).toEqual([1, 1]);
      const changed = await admin.accounts.upsertMany([
        { externalId: 'b', name: 'Beta', industry: 'Insurance', ownerId },
        { externalId: 'c', name: 'Gamma', ownerId },
      ]);
      expect(changed).toMatchObject({ created: 1, updated: 1, unchanged: 0 });
      expect(changed.records[0]).toMatchObject({
        externalId: 'b',
        industry: 'Insurance',
        version: 2,
      });
      expect(await admin.accounts.count()).toBe(3);
    });

    it('upsertMany rejects a missing or repeated external id before writing', async () => {
      const { admin } = await newTenant(crm());
      await expectNothingWritten(
        admin,
        () =>
          admin.accounts.upsertMany([
            { externalId: 'x', name: 'X' },
            { externalId: 'x', name: 'X again' },
          ]),
        'VALIDATION',
        [1, 'externalId'],
      );
    });
  });
}
