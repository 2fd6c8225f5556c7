import type { RapportStorage } from '@rapport/core';
import { refreshKeptValues, unscopedDatabase } from '@rapport/core/storage';
import { expect } from 'vitest';
import type { World } from './deal-writes.js';
import type { RollupConformanceOptions } from './describe-rollup-conformance.js';
import { leadKpiIds } from './lead-writes.js';
import {
  dashboard,
  type Engine,
  evaluate,
  plugins,
  strip,
  system,
  useRollupEngines,
} from './rollup-engines.js';

/**
 * @internal Registers the hooks that make the suite's storage and its two engines over it (one
 * keeping rollups, one scanning), and returns what the cases share: the engines, new tenants
 * with their worlds, and the comparison of every figure with the scan.
 */
export function useRollupSuite(
  makeStorage: () => RapportStorage | Promise<RapportStorage>,
  options: RollupConformanceOptions,
) {
  const clock = { now: new Date('2026-06-15T09:00:00.000Z') };
  const { engines, storageOf } = useRollupEngines(makeStorage, options.cleanup, plugins, clock);
  let tenants = 0;

  const newWorld = async (engine: Engine, timeZone = 'UTC'): Promise<World> => {
    tenants += 1;
    const id = `rollups-${tenants}-${Math.random().toString(36).slice(2, 8)}`;
    await engine.createTenant({ id, name: id, baseCurrency: 'EUR', timeZone });
    const scope = engine.tenant(id).system();
    await scope.currencies.setRate('USD', 0.9137);
    const team = await scope.teams.create({ name: 'East' });
    const manager = await scope.users.create({ name: 'Mia', role: 'manager', teamId: team.id });
    const rep = (name: string) =>
      scope.users.create({ name, role: 'rep', managerId: manager.id, teamId: team.id });
    const [ana, ben] = await Promise.all([rep('Ana'), rep('Ben')]);
    const product = (name: string, family: string | null) =>
      scope.products.create({ name, family, listPrice: 10_00 });
    const [basic, plus, cloud] = await Promise.all([
      product('Basic', 'Core'),
      product('Plus', 'Core'),
      product('Cloud', null),
    ]);
    return {
      scope,
      owners: [manager.id, ana.id, ben.id],
      products: [basic.id, plus.id, cloud.id],
      ids: [],
      leads: [],
      items: new Map(),
    };
  };

  const compare = async (world: World, tenantId: string) => {
    const closing = [
      'closing.winRate',
      'closing.wonRevenue',
      'closing.averageSalesCycle',
      'closing.medianSalesCycle',
    ] as const;
    const pipeline = [
      'pipeline.expectedCloseVolume',
      'pipeline.openCount',
      'pipeline.weightedValue',
    ] as const;
    const views = [
      { ids: dashboard, options: { period: '2026-Q2' } },
      { ids: dashboard, options: { period: 'thisMonth' } },
      { ids: dashboard, options: { period: 'all' } },
      // Not whole months: scanned even with rollups, the same figures either way.
      { ids: dashboard, options: { period: '2026-05-15..2026-06-14' } },
      { ids: dashboard, options: { period: 'thisMonth', by: 'owner' } },
      { ids: dashboard, options: { period: '2026-Q2', by: 'team' } },
      { ids: pipeline, options: { period: '2026-Q2', by: 'stage' } },
      {
        ids: closing,
        options: { period: '2026-Q2', by: 'leadSource', filters: { owner: world.owners[1] } },
      },
      { ids: closing, options: { period: '2026-Q2', filters: { leadSource: ['Web', null] } } },
      { ids: pipeline, options: { period: '2026-Q2', filters: { stage: ['Prospecting'] } } },
      { ids: ['closing.lossReasons'] as const, options: { period: 'all', by: 'lostReason' } },
      // New leads by createdAt: local months of the tenant's zone, from rollups or scanned.
      { ids: leadKpiIds, options: { period: '2026-Q2' } },
      { ids: leadKpiIds, options: { period: '2026-04', by: 'owner' } },
      { ids: leadKpiIds, options: { period: '2026-05', by: 'leadSource' } },
      { ids: leadKpiIds, options: { period: '2026', by: 'team' } },
      { ids: leadKpiIds, options: { period: 'all', filters: { leadSource: ['Web', null] } } },
      { ids: leadKpiIds, options: { period: '2026-04-01..2026-05-31', by: 'owner' } },
      // Not whole months: scanned even with rollups.
      { ids: leadKpiIds, options: { period: '2026-03-31..2026-05-31' } },
      // The main product, kept on line item writes; its family looked up at read time.
      { ids: [...closing, ...pipeline], options: { period: '2026-Q2', by: 'product' } },
      {
        ids: pipeline,
        options: { period: 'thisMonth', by: 'product', filters: { owner: world.owners[2] } },
      },
      { ids: closing, options: { period: 'all', by: 'productFamily' } },
      {
        ids: pipeline,
        options: { period: '2026-Q2', filters: { product: [world.products[0], null] } },
      },
      {
        ids: closing,
        options: { period: '2026-Q2', by: 'product', filters: { productFamily: ['Core', null] } },
      },
    ] as const;
    const actors = [
      system,
      { id: world.owners[0], role: 'manager' as const },
      { id: world.owners[1], role: 'rep' as const },
    ];
    for (const actor of actors) {
      for (const { ids, options } of views) {
        const fromRollups = await evaluate(engines().kept, tenantId, actor, ids, options);
        const fromScan = await evaluate(engines().scanned, tenantId, actor, ids, options);
        expect(strip(fromRollups), `${actor.role} ${JSON.stringify(options)}`).toEqual(
          strip(fromScan),
        );
      }
    }
  };

  /** Expects that recomputing the tenant's main products from their line items changes none. */
  const expectMainProductsKept = async (tenantId: string) => {
    const db = unscopedDatabase(engines().kept);
    const scope = engines().kept.tenant(tenantId).system();
    // Read through the scope (its tenant, its visibility), not a predicate of our own.
    const mainProducts = async () =>
      (await scope.from('opportunity'))
        .select(['t.id', 't.mainProductId'])
        .orderBy('t.id')
        .execute();
    const kept = await mainProducts();
    await db.transaction().execute((tx) => refreshKeptValues(tx, { tenantId }));
    expect(await mainProducts()).toEqual(kept);
    return kept;
  };
  return {
    clock,
    engines,
    storageOf,
    newWorld,
    compare,
    expectMainProductsKept,
    /** Random write sequences per property. */
    runs: options.runs ?? 12,
  };
}

/** @internal What the cases of the suite share. */
export type RollupSuite = ReturnType<typeof useRollupSuite>;
