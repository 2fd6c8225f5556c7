import { refreshKeptValues, tenantTablesOf, unscopedDatabase } from '@rapport/core/storage';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AnyScope,
  type ConformanceSetup,
  expectNothingWritten,
  newTenant,
  useCrm,
} from './conformance-context.js';
import { expectedExits, type History, instant, keptExits } from './kept-value-expectations.js';

/**
 * @internal Values the engine keeps at write time (stage exits and advances, a lead's first
 * completed activity, a deal's main product) under every write path that can move them.
 */
export function keptValueCases(setup: ConformanceSetup): void {
  describe('values kept at write time', () => {
    // One second per reading of the clock: every history entry has its own instant.
    let tick = Date.parse('2026-03-01T09:00:00.000Z');
    const crm = useCrm(setup, {
      now: () => {
        tick += 1000;
        return new Date(tick);
      },
    });
    let admin: AnyScope;
    let tenantId: string;
    let ownerId: string;
    let small: { id: string };
    let large: { id: string };
    const newDeal = () =>
      admin.opportunities.create({ name: 'Kept deal', ownerId, closeDate: '2026-09-30' });
    const historyOf = async (id: string): Promise<History[]> =>
      (
        await admin.stageHistory.list({
          where: { opportunityId: id },
          orderBy: { field: 'createdAt' },
          limit: 1000,
        })
      ).items;
    const changeStage = async (id: string, stage: string) => {
      const current = await admin.opportunities.get(id);
      return admin.opportunities.changeStage(id, { version: current.version, stage });
    };

    beforeAll(async () => {
      const tenant = await newTenant(crm());
      admin = tenant.admin;
      tenantId = tenant.id;
      ownerId = (await admin.users.create({ name: 'Kept Owner' })).id;
      small = await admin.products.create({ name: 'Small', listPrice: 10_00 });
      large = await admin.products.create({ name: 'Large', listPrice: 90_00 });
    });

    it('a stage history entry knows when the deal left its stage and whether it moved on, back and forth', async () => {
      const deal = await newDeal();
      const [entry] = await historyOf(deal.id);
      expect(entry).toMatchObject({ stage: 'Prospecting', exitedAt: null, advancedAt: null });

      await changeStage(deal.id, 'Needs Analysis');
      await changeStage(deal.id, 'Prospecting');
      const current = await admin.opportunities.get(deal.id);
      // An amount change in the same stage is an entry too; it ends no stay.
      await admin.opportunities.update(deal.id, { version: current.version, amount: 5_00 });
      await changeStage(deal.id, 'Needs Analysis');
      const rows = await historyOf(deal.id);
      expect(rows.map((row) => row.stage)).toEqual([
        'Prospecting',
        'Needs Analysis',
        'Prospecting',
        'Prospecting',
        'Needs Analysis',
      ]);
      const [first, second, third, fourth, fifth] = rows.map((row) => Date.parse(row.createdAt));
      expect(keptExits(rows)).toEqual([
        { id: rows[0]?.id, exitedAt: second, advancedAt: second },
        { id: rows[1]?.id, exitedAt: third, advancedAt: third },
        { id: rows[2]?.id, exitedAt: fifth, advancedAt: fifth },
        { id: rows[3]?.id, exitedAt: fifth, advancedAt: fifth },
        { id: rows[4]?.id, exitedAt: null, advancedAt: null },
      ]);
      expect(first).toBeLessThan(fourth ?? 0);
      expect(keptExits(rows)).toEqual(expectedExits(rows));
    });

    it('closing lost ends a stay without advancing it; reopening advances it after all', async () => {
      const deal = await newDeal();
      await changeStage(deal.id, 'Qualification');
      const qualified = await admin.opportunities.get(deal.id);
      await admin.opportunities.closeLost(deal.id, {
        version: qualified.version,
        lostReason: 'Price',
      });
      let rows = await historyOf(deal.id);
      const lostAt = Date.parse(rows[2]?.createdAt ?? '');
      expect(rows[1]).toMatchObject({ stage: 'Qualification' });
      expect(keptExits(rows)[1]).toEqual({ id: rows[1]?.id, exitedAt: lostAt, advancedAt: null });

      // Reopened: the deal moves on from Qualification to an open stage later on.
      await changeStage(deal.id, 'Needs Analysis');
      rows = await historyOf(deal.id);
      const reopenedAt = Date.parse(rows[3]?.createdAt ?? '');
      expect(keptExits(rows)[1]).toEqual({
        id: rows[1]?.id,
        exitedAt: lostAt,
        advancedAt: reopenedAt,
      });
      expect(keptExits(rows)[2]).toEqual({
        id: rows[2]?.id,
        exitedAt: reopenedAt,
        advancedAt: reopenedAt,
      });
      expect(keptExits(rows)).toEqual(expectedExits(rows));

      // Closed won with line items: the amount entry and the won entry, all in one transaction.
      const reopened = await admin.opportunities.get(deal.id);
      await admin.opportunities.closeWon(deal.id, {
        version: reopened.version,
        lineItems: [{ productId: large.id, quantity: 1 }],
      });
      rows = await historyOf(deal.id);
      expect(rows.at(-1)).toMatchObject({ status: 'won', exitedAt: null, advancedAt: null });
      expect(keptExits(rows)).toEqual(expectedExits(rows));
      expect((await admin.opportunities.get(deal.id)).mainProductId).toBe(large.id);
    });

    it('changes of many deals in one transaction keep each deal to its own history', async () => {
      const deals = await admin.opportunities.createMany([
        { name: 'Bulk A', ownerId, closeDate: '2026-09-30' },
        { name: 'Bulk B', ownerId, closeDate: '2026-09-30' },
      ]);
      await admin.transaction(async (tx) => {
        for (const deal of deals) {
          const staged = await tx.opportunities.changeStage(deal.id, {
            version: deal.version,
            stage: 'Qualification',
          });
          await tx.opportunities.changeStage(deal.id, {
            version: staged.version,
            stage: 'Closed Lost',
          });
        }
        // Read inside the transaction: what it wrote, not a cached copy from before.
        const inside = (
          await tx.stageHistory.list({
            where: { opportunityId: deals[0]?.id ?? '' },
            orderBy: { field: 'createdAt' },
          })
        ).items;
        expect(keptExits(inside)).toEqual(expectedExits(inside));
      });
      for (const deal of deals) {
        const rows = await historyOf(deal.id);
        expect(rows).toHaveLength(3);
        expect(keptExits(rows)).toEqual(expectedExits(rows));
        expect(rows[1]?.advancedAt).toBeNull();
        expect(instant(rows[1]?.exitedAt)).toBe(Date.parse(rows[2]?.createdAt ?? ''));
      }
    });

    it("deleting a deal removes its history with its kept values; other deals' stay as they were", async () => {
      const kept = await newDeal();
      await changeStage(kept.id, 'Qualification');
      const doomed = await newDeal();
      await changeStage(doomed.id, 'Qualification');
      const before = await historyOf(kept.id);
      const current = await admin.opportunities.get(doomed.id);
      await admin.opportunities.delete(doomed.id, { version: current.version });
      expect(await historyOf(doomed.id)).toEqual([]);
      expect(await historyOf(kept.id)).toEqual(before);
      expect(keptExits(before)).toEqual(expectedExits(before));
    });

    it('a lead knows its first completed activity: created, completed, uncompleted, relinked and deleted in any order', async () => {
      const lead = await admin.leads.create({ lastName: 'Kept', company: 'Kept GmbH', ownerId });
      const other = await admin.leads.create({ lastName: 'Other', company: 'Other AG', ownerId });
      const firstOf = async (id: string) => instant((await admin.leads.get(id)).firstActivityAt);
      expect(await firstOf(lead.id)).toBeNull();

      const call = (completedAt: string | null, leadId = lead.id) =>
        admin.activities.create({ type: 'call', subject: 'Call', ownerId, leadId, completedAt });
      // Out of order: the later one is logged first.
      const late = await call('2026-03-10T10:00:00.000Z');
      expect(await firstOf(lead.id)).toBe(Date.parse('2026-03-10T10:00:00.000Z'));
      const early = await call('2026-03-05T08:00:00.000Z');
      expect(await firstOf(lead.id)).toBe(Date.parse('2026-03-05T08:00:00.000Z'));
      const open = await call(null);
      expect(await firstOf(lead.id)).toBe(Date.parse('2026-03-05T08:00:00.000Z'));

      // Completed at last, before the others.
      await admin.activities.update(open.id, {
        version: open.version,
        completedAt: '2026-03-01T12:00:00.000Z',
      });
      expect(await firstOf(lead.id)).toBe(Date.parse('2026-03-01T12:00:00.000Z'));
      // Uncompleted again.
      const completed = await admin.activities.get(open.id);
      await admin.activities.update(open.id, { version: completed.version, completedAt: null });
      expect(await firstOf(lead.id)).toBe(Date.parse('2026-03-05T08:00:00.000Z'));

      // Relinked to the other lead: it leaves this lead and becomes the other's first.
      await admin.activities.update(early.id, { version: early.version, leadId: other.id });
      expect(await firstOf(lead.id)).toBe(Date.parse('2026-03-10T10:00:00.000Z'));
      expect(await firstOf(other.id)).toBe(Date.parse('2026-03-05T08:00:00.000Z'));

      // Deleted: nothing completed is left on the lead.
      await admin.activities.delete(late.id);
      expect(await firstOf(lead.id)).toBeNull();

      // Many at once, in one statement.
      await admin.activities.createMany([
        { type: 'email', subject: 'A', ownerId, leadId: lead.id, completedAt: null },
        {
          type: 'email',
          subject: 'B',
          ownerId,
          leadId: lead.id,
          completedAt: '2026-04-02T00:00:00.000Z',
        },
        {
          type: 'email',
          subject: 'C',
          ownerId,
          leadId: other.id,
          completedAt: '2026-02-01T00:00:00.000Z',
        },
      ]);
      expect(await firstOf(lead.id)).toBe(Date.parse('2026-04-02T00:00:00.000Z'));
      expect(await firstOf(other.id)).toBe(Date.parse('2026-02-01T00:00:00.000Z'));
    });

    it('a lead keeps its first activity through conversion; the new deal has no main product yet', async () => {
      const lead = await admin.leads.create({
        lastName: 'Convert',
        company: 'Convert SE',
        ownerId,
      });
      await admin.activities.create({
        type: 'meeting',
        subject: 'Demo',
        ownerId,
        leadId: lead.id,
        completedAt: '2026-03-03T15:00:00.000Z',
      });
      const { lead: converted, opportunity } = await admin.leads.convert(lead.id, {
        opportunity: { name: 'Converted deal', closeDate: '2026-10-31' },
      });
      expect(instant(converted.firstActivityAt)).toBe(Date.parse('2026-03-03T15:00:00.000Z'));
      expect(instant((await admin.leads.get(lead.id)).firstActivityAt)).toBe(
        Date.parse('2026-03-03T15:00:00.000Z'),
      );
      expect(opportunity?.mainProductId).toBeNull();
      const activities = await admin.activities.list({ where: { leadId: lead.id } });
      expect(activities.items.map((a) => a.opportunityId)).toEqual([opportunity?.id]);
    });

    it('a deal knows its main product: the largest line item, ties to the smaller id, as items are added, replaced and deleted', async () => {
      const deal = await newDeal();
      const mainOf = async () => (await admin.opportunities.get(deal.id)).mainProductId;
      expect(deal.mainProductId).toBeNull();
      const a = await admin.lineItems.create({
        opportunityId: deal.id,
        productId: small.id,
        quantity: 3,
      });
      expect(await mainOf()).toBe(small.id);
      const b = await admin.lineItems.create({
        opportunityId: deal.id,
        productId: large.id,
        quantity: 1,
      });
      expect(await mainOf()).toBe(large.id);
      // Replaced by a smaller quantity: 1 x 10 < 3 x 10.
      await admin.lineItems.update(b.id, { version: b.version, unitPrice: 10_00 });
      expect(await mainOf()).toBe(small.id);
      // A tie (30 = 30): the line item with the smaller id wins.
      const tiedB = await admin.lineItems.get(b.id);
      await admin.lineItems.update(b.id, { version: tiedB.version, quantity: 3 });
      const smaller = [a, b].sort((x, y) => (x.id < y.id ? -1 : 1))[0];
      expect(await mainOf()).toBe(smaller?.id === a.id ? small.id : large.id);
      await admin.lineItems.delete(a.id);
      expect(await mainOf()).toBe(large.id);
      await admin.lineItems.delete(b.id);
      expect(await mainOf()).toBeNull();
    });

    it("two transactions logging activities on one lead at once: the lead keeps the earlier one's time", async () => {
      const lead = await admin.leads.create({ lastName: 'Busy', company: 'Busy AG', ownerId });
      let release: () => void = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const call = (scope: AnyScope, completedAt: string) =>
        scope.activities.create({
          type: 'call',
          subject: 'Call',
          ownerId,
          leadId: lead.id,
          completedAt,
        });
      // The first holds its transaction open after its (earlier) call; the second logs a later
      // call meanwhile, and must not overwrite the earlier time with its own when it commits last.
      const first = admin.transaction(async (tx) => {
        await call(tx, '2026-03-01T08:00:00.000Z');
        await gate;
      });
      const second = admin.transaction(async (tx) => {
        await call(tx, '2026-03-05T08:00:00.000Z');
      });
      // Not a timing assertion: the pause only gives the second writer time to queue up.
      await new Promise((resolve) => setTimeout(resolve, 200));
      release();
      await Promise.all([first, second]);
      expect(instant((await admin.leads.get(lead.id)).firstActivityAt)).toBe(
        Date.parse('2026-03-01T08:00:00.000Z'),
      );
    });

    it('kept values are read-only: a write naming one is VALIDATION and writes nothing', async () => {
      const deal = await newDeal();
      const lead = await admin.leads.create({ lastName: 'RO', company: 'RO Ltd', ownerId });
      // The `as never` casts: the write types already leave kept fields out; the engine must
      // refuse them from untyped callers (HTTP, JavaScript) too.
      await expectNothingWritten(
        admin,
        () =>
          admin.opportunities.create({
            name: 'Forged',
            ownerId,
            closeDate: '2026-09-30',
            mainProductId: small.id,
          } as never),
        'VALIDATION',
      );
      await expectNothingWritten(
        admin,
        () =>
          admin.opportunities.update(deal.id, {
            version: deal.version,
            mainProductId: large.id,
          } as never),
        'VALIDATION',
      );
      await expectNothingWritten(
        admin,
        () =>
          admin.leads.update(lead.id, {
            version: lead.version,
            firstActivityAt: '2026-01-01T00:00:00.000Z',
          } as never),
        'VALIDATION',
      );
      expect((await admin.opportunities.get(deal.id)).mainProductId).toBeNull();
      expect((await admin.leads.get(lead.id)).firstActivityAt).toBeNull();
    });

    it('refreshKeptValues (what the migration backfills with) restores values lost below the engine', async () => {
      const deal = await newDeal();
      await changeStage(deal.id, 'Qualification');
      await admin.lineItems.create({ opportunityId: deal.id, productId: small.id, quantity: 1 });
      const lead = await admin.leads.create({ lastName: 'Raw', company: 'Raw Inc', ownerId });
      await admin.activities.create({
        type: 'call',
        subject: 'Raw call',
        ownerId,
        leadId: lead.id,
        completedAt: '2026-03-09T09:00:00.000Z',
      });
      const history = await historyOf(deal.id);
      const db = unscopedDatabase(crm());
      const tenantRows = tenantTablesOf(db, tenantId);
      // A raw load writes none of them.
      await tenantRows
        .updateTable('stageHistory')
        .set({ exitedAt: null, advancedAt: null })
        .execute();
      await tenantRows.updateTable('leads').set({ firstActivityAt: null }).execute();
      await tenantRows.updateTable('opportunities').set({ mainProductId: null }).execute();
      expect((await historyOf(deal.id))[0]?.exitedAt).toBeNull();
      await refreshKeptValues(db, { tenantId });
      expect(keptExits(await historyOf(deal.id))).toEqual(keptExits(history));
      expect(keptExits(history)[0]?.exitedAt).not.toBeNull();
      expect((await admin.opportunities.get(deal.id)).mainProductId).toBe(small.id);
      expect(instant((await admin.leads.get(lead.id)).firstActivityAt)).toBe(
        Date.parse('2026-03-09T09:00:00.000Z'),
      );
    });
  });
}
