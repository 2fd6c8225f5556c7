import { isRapportError } from '@rapport/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AnyScope,
  type ConformanceSetup,
  expectRapportError,
  newTenant,
  useCrm,
} from './conformance-context.js';

/** @internal Optimistic concurrency: a stale version is a CONFLICT and changes nothing. */
export function concurrencyCases(setup: ConformanceSetup): void {
  describe('optimistic concurrency', () => {
    const crm = useCrm(setup);
    let admin: AnyScope;
    let ownerId: string;
    const newDeal = (name: string) =>
      admin.opportunities.create({ name, ownerId, closeDate: '2026-12-31', amount: 100_00 });
    beforeAll(async () => {
      admin = (await newTenant(crm())).admin;
      ownerId = (await admin.users.create({ name: 'Concurrent Owner' })).id;
    });

    it('an update with a stale version is a CONFLICT and changes nothing', async () => {
      const deal = await newDeal('Stale update');
      const current = await admin.opportunities.update(deal.id, { version: 1, nextStep: 'First' });
      expect(current.version).toBe(2);
      const historyBefore = await admin.stageHistory.count({ opportunityId: deal.id });
      await expectRapportError(
        admin.opportunities.update(deal.id, { version: 1, nextStep: 'Second', amount: 1 }),
        'CONFLICT',
      );
      expect(await admin.opportunities.get(deal.id)).toEqual(current);
      expect(await admin.stageHistory.count({ opportunityId: deal.id })).toBe(historyBefore);
    });

    it('of two writers who read the same version, the second gets CONFLICT', async () => {
      const deal = await newDeal('Two writers');
      const readByA = await admin.opportunities.get(deal.id);
      const readByB = await admin.opportunities.get(deal.id);
      await admin.opportunities.update(deal.id, { version: readByA.version, nextStep: 'A' });
      await expectRapportError(
        admin.opportunities.update(deal.id, { version: readByB.version, nextStep: 'B' }),
        'CONFLICT',
      );
      expect(await admin.opportunities.get(deal.id)).toMatchObject({ nextStep: 'A', version: 2 });
    });

    it('a version from the future is a CONFLICT too', async () => {
      const deal = await newDeal('Future');
      await expectRapportError(
        admin.opportunities.update(deal.id, { version: 7, nextStep: 'x' }),
        'CONFLICT',
      );
      expect((await admin.opportunities.get(deal.id)).version).toBe(1);
    });

    it('a delete with a stale version is a CONFLICT and the record stays', async () => {
      const deal = await newDeal('Stale delete');
      await admin.opportunities.update(deal.id, { version: 1, nextStep: 'Moved on' });
      await expectRapportError(admin.opportunities.delete(deal.id, { version: 1 }), 'CONFLICT');
      expect((await admin.opportunities.get(deal.id)).version).toBe(2);
    });

    it('stage moves and closing with a stale version are a CONFLICT and write no history', async () => {
      const deal = await newDeal('Stale stage');
      await admin.opportunities.update(deal.id, { version: 1, nextStep: 'Bumped' });
      const before = await admin.opportunities.get(deal.id);
      const historyBefore = await admin.stageHistory.count({ opportunityId: deal.id });
      await expectRapportError(
        admin.opportunities.changeStage(deal.id, { version: 1, stage: 'Qualification' }),
        'CONFLICT',
      );
      await expectRapportError(admin.opportunities.closeWon(deal.id, { version: 1 }), 'CONFLICT');
      await expectRapportError(
        admin.opportunities.closeLost(deal.id, { version: 1, lostReason: 'Price' }),
        'CONFLICT',
      );
      expect(await admin.opportunities.get(deal.id)).toEqual(before);
      expect(await admin.stageHistory.count({ opportunityId: deal.id })).toBe(historyBefore);
    });

    it('a missing version is a VALIDATION error', async () => {
      const deal = await newDeal('No version');
      await expectRapportError(
        // @ts-expect-error update requires the version that was read
        admin.opportunities.update(deal.id, { nextStep: 'x' }),
        'VALIDATION',
        ['version'],
      );
    });

    it('simultaneous writers on one version: exactly one lands, the others get CONFLICT', async () => {
      const deal = await newDeal('Race');
      const writers = 6;
      const results = await Promise.allSettled(
        Array.from({ length: writers }, (_, i) =>
          admin.opportunities.update(deal.id, { version: 1, nextStep: `writer ${i}` }),
        ),
      );
      const landed = results.filter((r) => r.status === 'fulfilled');
      const conflicts = results.filter(
        (r) => r.status === 'rejected' && isRapportError(r.reason, 'CONFLICT'),
      );
      expect(landed).toHaveLength(1);
      expect(conflicts).toHaveLength(writers - 1);
      const winner = landed[0]!.status === 'fulfilled' ? landed[0]!.value : undefined;
      const stored = await admin.opportunities.get(deal.id);
      expect(stored.version).toBe(2);
      expect(stored.nextStep).toBe(winner?.nextStep);
    });

    it('simultaneous line item writers on one deal all land, and its amount is the sum of their items', async () => {
      const deal = await newDeal('Basket');
      const product = await admin.products.create({ name: 'Seat', listPrice: 10_00 });
      const writers = 6;
      // Each its own transaction (a pool on Postgres): none may read the sum before another's
      // item is committed and then write an amount that is not the sum.
      const results = await Promise.allSettled(
        Array.from({ length: writers }, (_, i) =>
          admin.lineItems.create({
            opportunityId: deal.id,
            productId: product.id,
            quantity: i + 1,
            unitPrice: 10_00,
          }),
        ),
      );
      expect(results.filter((r) => r.status === 'rejected').map((r) => r.reason)).toEqual([]);
      const stored = await admin.opportunities.get(deal.id);
      expect(stored.amount).toBe((writers * (writers + 1) * 10_00) / 2);
      // Deleting all but one side by side leaves the amount of the one that stays.
      const items = (await admin.lineItems.list({ where: { opportunityId: deal.id } })).items;
      expect(items).toHaveLength(writers);
      const [kept, ...others] = items;
      const removed = await Promise.allSettled(
        others.map((item) => admin.lineItems.delete(item.id)),
      );
      expect(removed.filter((r) => r.status === 'rejected').map((r) => r.reason)).toEqual([]);
      expect((await admin.opportunities.get(deal.id)).amount).toBe(kept?.totalPrice);
    });

    it('a line item written while another transaction holds one of the same deal waits for it, and the amount is the sum of both', async () => {
      const deal = await newDeal('Held basket');
      const product = await admin.products.create({ name: 'Desk', listPrice: 10_00 });
      const item = (quantity: number) => ({
        opportunityId: deal.id,
        productId: product.id,
        quantity,
        unitPrice: 10_00,
      });
      const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      // The first transaction has written its item and the amount, and stays open a while; the
      // second starts meanwhile. Where transactions run side by side, the second must not sum
      // the items before the first commits (its amount would miss the first item).
      const held = admin.transaction(async (tx) => {
        await tx.lineItems.create(item(1));
        await pause(400);
      });
      await pause(150);
      const [first, second] = await Promise.allSettled([held, admin.lineItems.create(item(2))]);
      expect([first.status, second.status]).toEqual(['fulfilled', 'fulfilled']);
      expect((await admin.opportunities.get(deal.id)).amount).toBe(30_00);
    });

    it('writers that retry on CONFLICT lose no update', async () => {
      const deal = await newDeal('Counter');
      const writers = 5;
      await Promise.all(
        Array.from({ length: writers }, async () => {
          for (let attempt = 0; attempt < 50; attempt++) {
            const current = await admin.opportunities.get(deal.id);
            try {
              await admin.opportunities.update(deal.id, {
                version: current.version,
                amount: (current.amount ?? 0) + 1,
              });
              return;
            } catch (error) {
              if (!isRapportError(error, 'CONFLICT')) throw error;
            }
          }
          throw new Error('a writer never landed');
        }),
      );
      const stored = await admin.opportunities.get(deal.id);
      expect(stored.amount).toBe(100_00 + writers);
      expect(stored.version).toBe(1 + writers);
      // Every landed write left one amount change in the history.
      expect(await admin.stageHistory.count({ opportunityId: deal.id })).toBe(1 + writers);
    });
  });
}
