import { expect, test } from 'vitest';
import { applyDealOp, stages } from './deal-writes.js';
import { leadKpiIds } from './lead-writes.js';
import { evaluate, strip, system } from './rollup-engines.js';
import type { RollupSuite } from './rollup-suite.js';

/** @internal What reads rollups instead of the records once a tenant is built, and what still scans (same figures). */
export function rollupReadCases(suite: RollupSuite): void {
  const { engines, newWorld } = suite;
  test('the dashboard reads rollups, not opportunities, for a tenant whose rollups are built', async () => {
    const world = await newWorld(engines().kept);
    for (const stage of stages)
      await applyDealOp(world, {
        kind: 'create',
        owner: 1,
        amount: 1_00,
        usd: true,
        day: 4,
        stage,
        source: 'Web',
      });
    engines().log.reset();
    await engines()
      .kept.tenant(world.scope.tenantId)
      .system()
      .kpis.evaluate(['closing.winRate', 'closing.wonRevenue'], { period: 'thisMonth' });
    const statements = engines().log.statements.join('\n');
    expect(statements).toMatch(/rollup_cells/);
    expect(statements).not.toMatch(/from "opportunities"/);
  }, 60_000);

  test('the median deal size reads its money histogram, not opportunities, for a tenant whose rollups are built', async () => {
    const world = await newWorld(engines().kept);
    for (const [i, stage] of stages.entries())
      await applyDealOp(world, {
        kind: 'create',
        owner: i % 3,
        amount: (i + 1) * 10_00,
        usd: i % 2 === 0,
        day: 4,
        stage,
        source: 'Web',
      });
    const scope = engines().kept.tenant(world.scope.tenantId).system();
    for (const by of [undefined, 'owner', 'team'] as const) {
      engines().log.reset();
      const kept = await scope.kpis.evaluate(['closing.medianDealSize'], {
        period: 'thisMonth',
        ...(by ? { by } : {}),
      });
      const statements = engines().log.statements.join('\n');
      expect(statements, String(by)).toMatch(/rollup_cells/);
      expect(statements, String(by)).not.toMatch(/from "opportunities"/);
      const scanned = await evaluate(
        engines().scanned,
        world.scope.tenantId,
        system,
        ['closing.medianDealSize'],
        { period: 'thisMonth', ...(by ? { by } : {}) },
      );
      expect(strip(kept)).toEqual(strip(scanned));
    }
  }, 60_000);

  test('the new lead KPIs read rollups, not leads, for a built tenant in a zone with DST', async () => {
    const world = await newWorld(engines().kept, 'Europe/Berlin');
    const tenantId = world.scope.tenantId;
    await applyDealOp(world, { kind: 'leadImport', count: 8, seed: 1 });
    await applyDealOp(world, { kind: 'lead', owner: 1, source: 'Web' });
    for (const options of [
      { period: 'thisMonth' },
      { period: '2026-Q2', by: 'leadSource' },
      { period: '2026-04', by: 'owner' },
    ] as const) {
      engines().log.reset();
      const kept = await evaluate(engines().kept, tenantId, system, leadKpiIds, options);
      const statements = engines().log.statements.join('\n');
      expect(statements).toMatch(/rollup_cells/);
      expect(statements).not.toMatch(/from "leads"/);
      const scanned = await evaluate(engines().scanned, tenantId, system, leadKpiIds, options);
      expect(strip(kept), JSON.stringify(options)).toEqual(strip(scanned));
    }
  }, 60_000);

  test('the product breakdowns read rollups, not opportunities, and follow the main product as line items change', async () => {
    const world = await newWorld(engines().kept);
    const tenantId = world.scope.tenantId;
    for (const stage of stages)
      await applyDealOp(world, {
        kind: 'create',
        owner: 1,
        amount: 1_00,
        usd: true,
        day: 4,
        stage,
        source: 'Web',
      });
    // The won deal (the third) gets a product; the lost one has none.
    const item = { kind: 'addItem', pick: 2, quantity: 1, price: 5_00 } as const;
    await applyDealOp(world, { ...item, product: 0 });
    const read = async (by: 'product' | 'productFamily') => {
      const ids = ['closing.winRate', 'closing.wonRevenue'];
      const options = { period: 'thisMonth', by } as const;
      engines().log.reset();
      const kept = await evaluate(engines().kept, tenantId, system, ids, options);
      const statements = engines().log.statements.join('\n');
      const scanned = await evaluate(engines().scanned, tenantId, system, ids, options);
      expect(strip(kept), by).toEqual(strip(scanned));
      expect(statements, by).toMatch(/rollup_cells/);
      expect(statements, by).not.toMatch(/from "opportunities"/);
      return kept;
    };
    const before = await read('product');
    const familyBefore = await read('productFamily');
    // A larger item of a product without a family: the deal moves to it, in both breakdowns.
    await applyDealOp(world, { ...item, product: 2, quantity: 3 });
    expect(await read('product')).not.toEqual(before);
    expect(await read('productFamily')).not.toEqual(familyBefore);
    const [check] = await engines().kept.checkRollups({ tenantId });
    expect(check?.differences).toEqual([]);
    // Its largest item gone, the deal is back where it was.
    await applyDealOp(world, { kind: 'deleteItem', pick: 0, largest: true });
    expect(strip(await read('product'))).toEqual(strip(before));
  }, 60_000);

  test('a fractional probability makes the weighted pipeline scan (same figure); whole percent reads the rollups again', async () => {
    const world = await newWorld(engines().kept);
    const { scope } = world;
    const tenantId = scope.tenantId;
    const deal = await scope.opportunities.create({
      name: 'weighted',
      ownerId: world.owners[1],
      amount: 1_234_56,
      currency: 'USD',
      closeDate: '2026-06-30',
      stage: 'Prospecting',
    });
    await scope.opportunities.create({
      name: 'other',
      ownerId: world.owners[2],
      amount: 7_00,
      closeDate: '2026-06-30',
      stage: 'Negotiation/Review',
    });
    const weighted = async () => {
      engines().log.reset();
      const kept = await evaluate(engines().kept, tenantId, system, ['pipeline.weightedValue'], {
        period: 'thisMonth',
      });
      const statements = engines().log.statements.join('\n');
      const scanned = await evaluate(
        engines().scanned,
        tenantId,
        system,
        ['pipeline.weightedValue'],
        { period: 'thisMonth' },
      );
      expect(strip(kept)).toEqual(strip(scanned));
      return { kept, statements };
    };
    const whole = await weighted();
    expect(whole.statements).toMatch(/rollup_cells/);
    expect(whole.statements).not.toMatch(/from "opportunities"/);
    const before = await scope.opportunities.get(deal.id);
    await scope.opportunities.update(deal.id, { version: before.version, probability: 33.5 });
    const fractional = await weighted();
    expect(fractional.statements).toMatch(/from "opportunities"/);
    expect(fractional.kept).not.toEqual(whole.kept);
    const [check] = await engines().kept.checkRollups({ tenantId });
    expect(check?.differences).toEqual([]);
    const after = await scope.opportunities.get(deal.id);
    await scope.opportunities.update(deal.id, { version: after.version, probability: 40 });
    const again = await weighted();
    expect(again.statements).not.toMatch(/from "opportunities"/);
  }, 60_000);
}
