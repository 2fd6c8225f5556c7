import { unscopedDatabase } from '@rapport/core/storage';
import { describe, expect, it } from 'vitest';
import { type ConformanceSetup, newTenant, useCrm } from './conformance-context.js';
import { expectedExits, instant, keptExits } from './kept-value-expectations.js';

/**
 * @internal The backfill of `0005-kept-values` over rows written before it, on a storage of its
 * own.
 */
export function keptValueMigrationCases(setup: ConformanceSetup): void {
  describe('values kept at write time: the migration backfills existing rows', () => {
    const crm = useCrm(setup);

    it('rows from before 0005-kept-values get their values when it runs', async () => {
      const { id: tenantId, admin } = await newTenant(crm());
      const ownerId = (await admin.users.create({ name: 'Before' })).id;
      const product = await admin.products.create({ name: 'Old product', listPrice: 5_00 });
      const deal = await admin.opportunities.create({
        name: 'Old deal',
        ownerId,
        closeDate: '2026-09-30',
      });
      await admin.lineItems.create({ opportunityId: deal.id, productId: product.id, quantity: 2 });
      const staged = await admin.opportunities.get(deal.id);
      await admin.opportunities.changeStage(deal.id, {
        version: staged.version,
        stage: 'Qualification',
      });
      const lead = await admin.leads.create({ lastName: 'Old', company: 'Old Co', ownerId });
      await admin.activities.create({
        type: 'call',
        subject: 'Old call',
        ownerId,
        leadId: lead.id,
        completedAt: '2026-02-02T10:00:00.000Z',
      });
      const history = (
        await admin.stageHistory.list({
          where: { opportunityId: deal.id },
          orderBy: { field: 'createdAt' },
        })
      ).items;
      expect(history.length).toBeGreaterThan(1);

      // The database as it was before the migration: without its columns, not yet applied.
      const db = unscopedDatabase(crm());
      await db.schema.alterTable('stageHistory').dropColumn('exitedAt').execute();
      await db.schema.alterTable('stageHistory').dropColumn('advancedAt').execute();
      await db.schema.alterTable('leads').dropColumn('firstActivityAt').execute();
      await db.schema.alterTable('opportunities').dropColumn('mainProductId').execute();
      await db.deleteFrom('kyselyMigration').where('name', '=', 'core:0005-kept-values').execute();

      expect((await crm().migrate()).applied).toContain('core:0005-kept-values');
      const after = crm().tenant(tenantId).system();
      const rows = (
        await after.stageHistory.list({
          where: { opportunityId: deal.id },
          orderBy: { field: 'createdAt' },
        })
      ).items;
      expect(keptExits(rows)).toEqual(keptExits(history));
      expect(keptExits(rows)).toEqual(expectedExits(rows));
      expect((await after.opportunities.get(deal.id)).mainProductId).toBe(product.id);
      expect(instant((await after.leads.get(lead.id)).firstActivityAt)).toBe(
        Date.parse('2026-02-02T10:00:00.000Z'),
      );
    });
  });
}
