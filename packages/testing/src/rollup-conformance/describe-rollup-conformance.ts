import {
  type Actor,
  type Crm,
  createCrm,
  isRapportError,
  type KpiEvaluateOptions,
  type RapportStorage,
} from '@rapport/core';
import { refreshKeptValues, unscopedDatabase } from '@rapport/core/storage';
import { closingPlugin } from '@rapport/kpi-closing';
import { leadsPlugin } from '@rapport/kpi-leads';
import { pipelinePlugin } from '@rapport/kpi-pipeline';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { countQueries, type QueryLog } from '../kpi-conformance/query-counter.js';
import { leadOutcomeCases } from './lead-outcome-cases.js';
import {
  applyLeadOp,
  isLeadOp,
  leadInstants,
  leadKpiIds,
  leadNamesPlugin,
  leadOp,
  leadZones,
} from './lead-writes.js';

/**
 * Options of {@link describeRollupConformance}.
 *
 * @example
 * const options: RollupConformanceOptions = { runs: 10 };
 */
export interface RollupConformanceOptions {
  /** Called after the suite has closed a storage it made, to remove what the factory created. */
  readonly cleanup?: (storage: RapportStorage) => void | Promise<void>;
  /** Random write sequences per property (default 12). */
  readonly runs?: number;
}

const plugins = [closingPlugin, pipelinePlugin, leadsPlugin, leadNamesPlugin] as const;
type Engine = Crm<typeof plugins>;
type Scope = ReturnType<ReturnType<Engine['tenant']>['system']>;

const dashboard = [
  'closing.winRate',
  'closing.wonRevenue',
  'closing.averageDealSize',
  'closing.averageSalesCycle',
  'closing.medianSalesCycle',
  'closing.medianDealSize',
  'closing.quotaAttainment',
  'pipeline.expectedCloseVolume',
  'pipeline.openCount',
  'pipeline.weightedValue',
] as const;

/** The item at `index`, which the arbitraries keep in range. */
function at<T>(list: readonly T[], index: number): T {
  const item = list[index % list.length];
  if (item === undefined) throw new Error(`no item ${index} in a list of ${list.length}`);
  return item;
}

const days = ['2026-04-10', '2026-05-03', '2026-05-31', '2026-06-01', '2026-06-14', '2026-06-30'];
const stages = ['Prospecting', 'Negotiation/Review', 'Closed Won', 'Closed Lost'] as const;

const op = fc.oneof(
  fc.record({
    kind: fc.constant('create' as const),
    owner: fc.nat(2),
    amount: fc.option(fc.integer({ min: 0, max: 90_000_00 }), { nil: null }),
    usd: fc.boolean(),
    day: fc.nat(days.length - 1),
    stage: fc.constantFrom(...stages),
    source: fc.constantFrom('Web', 'Partner', null),
  }),
  fc.record({
    kind: fc.constant('update' as const),
    pick: fc.nat(),
    owner: fc.option(fc.nat(2), { nil: undefined }),
    day: fc.option(fc.nat(days.length - 1), { nil: undefined }),
    stage: fc.option(fc.constantFrom(...stages), { nil: undefined }),
    usd: fc.option(fc.boolean(), { nil: undefined }),
    amount: fc.option(fc.integer({ min: 0, max: 90_000_00 }), { nil: undefined }),
    // Whole percent is kept exactly; a fractional one makes the weighted pipeline scan.
    probability: fc.option(fc.constantFrom(15, 35, 33.5, 62.25), { nil: undefined }),
  }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('close' as const), pick: fc.nat(), won: fc.boolean() }),
  fc.record({ kind: fc.constant('rollback' as const), pick: fc.nat(), owner: fc.nat(2) }),
  fc.record({
    kind: fc.constant('import' as const),
    count: fc.integer({ min: 1, max: 12 }),
    seed: fc.nat(),
  }),
  // Line item writes that move a deal's main product (the `product` breakdown) and its amount.
  fc.record({
    kind: fc.constant('addItem' as const),
    pick: fc.nat(),
    product: fc.nat(2),
    quantity: fc.integer({ min: 1, max: 3 }),
    price: fc.integer({ min: 1_00, max: 40_000_00 }),
  }),
  fc.record({
    kind: fc.constant('updateItem' as const),
    pick: fc.nat(),
    price: fc.integer({ min: 1_00, max: 40_000_00 }),
  }),
  fc.record({ kind: fc.constant('deleteItem' as const), pick: fc.nat(), largest: fc.boolean() }),
  fc.record({
    kind: fc.constant('replaceItems' as const),
    pick: fc.nat(),
    products: fc.array(fc.nat(2), { maxLength: 3 }),
    price: fc.integer({ min: 1_00, max: 40_000_00 }),
  }),
  fc.record({
    kind: fc.constant('quota' as const),
    owner: fc.nat(2),
    period: fc.constantFrom(
      ['2026-04-01', '2026-04-30'] as const,
      ['2026-05-01', '2026-05-31'] as const,
      ['2026-06-01', '2026-06-30'] as const,
    ),
  }),
  // Lead writes and zone changes: as likely as all the deal writes together.
  { arbitrary: leadOp, weight: 7 },
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

interface World {
  readonly scope: Scope;
  /** The manager, then her two reps. */
  readonly owners: readonly [string, string, string];
  /** Two products of one family, one without a family. */
  readonly products: readonly [string, string, string];
  readonly ids: string[];
  /** The leads' ids. */
  readonly leads: string[];
  /** The line items of each deal that has some. */
  readonly items: Map<string, string[]>;
}

/** The deals that have line items. */
function withItems(world: World): string[] {
  return world.ids.filter((id) => (world.items.get(id)?.length ?? 0) > 0);
}

async function apply(world: World, step: Op): Promise<void> {
  if (isLeadOp(step)) return applyLeadOp(world, step);
  const { scope, owners, products, ids, items } = world;
  const pick = (n: number) => ids[n % ids.length];
  switch (step.kind) {
    case 'create': {
      const deal = await scope.opportunities.create({
        name: 'deal',
        ownerId: at(owners, step.owner),
        amount: step.amount,
        currency: step.usd ? 'USD' : 'EUR',
        openDate: '2026-03-01',
        closeDate: at(days, step.day),
        stage: step.stage,
        leadSource: step.source,
      });
      ids.push(deal.id);
      return;
    }
    case 'update': {
      const id = pick(step.pick);
      if (!id) return;
      const deal = await scope.opportunities.get(id);
      // A deal's line items make its amount and fix its currency.
      const free = (items.get(id)?.length ?? 0) === 0;
      await scope.opportunities.update(id, {
        version: deal.version,
        ...(step.owner === undefined ? {} : { ownerId: at(owners, step.owner) }),
        ...(step.day === undefined ? {} : { closeDate: at(days, step.day) }),
        ...(step.stage === undefined ? {} : { stage: step.stage }),
        ...(step.usd === undefined || !free ? {} : { currency: step.usd ? 'USD' : 'EUR' }),
        ...(step.amount === undefined || !free ? {} : { amount: step.amount }),
        ...(step.probability === undefined || deal.status !== 'open'
          ? {}
          : { probability: step.probability }),
      });
      return;
    }
    case 'delete': {
      const id = pick(step.pick);
      if (!id) return;
      await scope.opportunities.delete(id);
      ids.splice(ids.indexOf(id), 1);
      items.delete(id);
      return;
    }
    case 'close': {
      const id = pick(step.pick);
      if (!id) return;
      const deal = await scope.opportunities.get(id);
      if (deal.status !== 'open') return;
      if (step.won) await scope.opportunities.closeWon(id, { version: deal.version });
      else await scope.opportunities.closeLost(id, { version: deal.version, lostReason: 'Price' });
      return;
    }
    case 'rollback': {
      const id = pick(step.pick);
      const failure = new Error('rolled back on purpose');
      await expect(
        scope.transaction(async (tx) => {
          await tx.opportunities.create({
            name: 'gone',
            ownerId: at(owners, step.owner),
            amount: 5_00,
            closeDate: at(days, 0),
            stage: 'Closed Won',
          });
          if (id) {
            const deal = await tx.opportunities.get(id);
            await tx.opportunities.update(id, {
              version: deal.version,
              ownerId: at(owners, step.owner),
            });
            // The largest item of the deal: its main product moves, then rolls back.
            await tx.lineItems.create({
              opportunityId: id,
              productId: at(products, step.owner),
              quantity: 1,
              unitPrice: 90_000_00,
            });
          }
          throw failure;
        }),
      ).rejects.toBe(failure);
      return;
    }
    case 'import': {
      const created = await scope.opportunities.createMany(
        Array.from({ length: step.count }, (_, i) => ({
          name: `import ${i}`,
          ownerId: at(owners, step.seed + i),
          amount: ((step.seed * 7 + i * 13) % 100) * 1_00,
          currency: (step.seed + i) % 3 === 0 ? 'USD' : 'EUR',
          openDate: '2026-02-01',
          closeDate: at(days, step.seed + i),
          stage: at(stages, step.seed + i),
        })),
      );
      ids.push(...created.map((deal) => deal.id));
      return;
    }
    case 'addItem': {
      const id = pick(step.pick);
      if (!id) return;
      const item = await scope.lineItems.create({
        opportunityId: id,
        productId: at(products, step.product),
        quantity: step.quantity,
        unitPrice: step.price,
      });
      items.set(id, [...(items.get(id) ?? []), item.id]);
      return;
    }
    case 'updateItem': {
      const deals = withItems(world);
      if (deals.length === 0) return;
      const itemId = at(items.get(at(deals, step.pick)) ?? [], step.pick);
      const item = await scope.lineItems.get(itemId);
      await scope.lineItems.update(itemId, { version: item.version, unitPrice: step.price });
      return;
    }
    case 'deleteItem': {
      const deals = withItems(world);
      if (deals.length === 0) return;
      const id = at(deals, step.pick);
      const own = items.get(id) ?? [];
      let itemId = at(own, step.pick);
      if (step.largest) {
        // The main product's item: the next largest takes its place (or none).
        const stored = await Promise.all(own.map((each) => scope.lineItems.get(each)));
        stored.sort((a, b) => Number(b.totalPrice) - Number(a.totalPrice));
        itemId = stored[0]?.id ?? itemId;
      }
      await scope.lineItems.delete(itemId);
      items.set(
        id,
        own.filter((each) => each !== itemId),
      );
      return;
    }
    case 'replaceItems': {
      const id = pick(step.pick);
      if (!id) return;
      // Every item out and new ones in (a bulk create), in one transaction.
      const created = await scope.transaction(async (tx) => {
        for (const itemId of items.get(id) ?? []) await tx.lineItems.delete(itemId);
        return tx.lineItems.createMany(
          step.products.map((product, i) => ({
            opportunityId: id,
            productId: at(products, product),
            quantity: i + 1,
            unitPrice: step.price,
          })),
        );
      });
      items.set(
        id,
        created.map((item) => item.id),
      );
      return;
    }
    case 'quota':
      await scope.quotas.create({
        ownerId: at(owners, step.owner),
        periodStart: step.period[0],
        periodEnd: step.period[1],
        amount: 10_000_00,
      });
      return;
  }
}

/** Evaluates KPIs of a list of views whose ids and breakdowns vary (the typed API checks each). */
function evaluate(
  engine: Engine,
  tenantId: string,
  actor: Actor,
  ids: readonly string[],
  options: KpiEvaluateOptions<string>,
) {
  const { kpis } = engine.tenant(tenantId).as(actor);
  // Erased on purpose: each view pairs ids with a breakdown they all support (the engine checks).
  return kpis.evaluate(ids as never, options as never);
}

const system = { id: 'system', role: 'admin' } as const;

/** Results without what may legitimately differ between two engines (nothing, today). */
function strip(results: unknown): unknown {
  return JSON.parse(JSON.stringify(results));
}

/**
 * Runs the rollup conformance suite against storages made by `makeStorage`: random write
 * sequences (creates, updates that move a deal between days, owners, stages and currencies,
 * deletes, closes, rolled-back transactions, bulk imports, quotas, line item writes that move a
 * deal's main product) after which every rollup equals
 * its recompute, and every dashboard figure read from rollups equals the same figure scanned by
 * an engine without rollups over the same database.
 *
 * @example
 * describeRollupConformance('sqlite', () => sqliteStorage({ filename: ':memory:' }));
 */
export function describeRollupConformance(
  name: string,
  makeStorage: () => RapportStorage | Promise<RapportStorage>,
  options: RollupConformanceOptions = {},
): void {
  describe(`rollup conformance: ${name}`, () => {
    const clock = { now: new Date('2026-06-15T09:00:00.000Z') };
    let storage: RapportStorage | undefined;
    let made: { kept: Engine; scanned: Engine; log: QueryLog } | undefined;
    const engines = () => {
      if (!made) throw new Error('the engines are made in beforeAll');
      return made;
    };
    let tenants = 0;
    const storageOf = async () => {
      if (!storage) throw new Error('the storage is made in beforeAll');
      return storage;
    };
    beforeAll(async () => {
      storage = await makeStorage();
      const counted = countQueries(storage);
      const now = () => clock.now;
      made = {
        kept: createCrm({ storage: counted.storage, plugins, now, rollups: true }),
        // The same database without rollups: what every figure must equal.
        scanned: createCrm({ storage: counted.storage, plugins, now }),
        log: counted.log,
      };
      await made.kept.migrate();
    });
    afterAll(async () => {
      await made?.kept.destroy();
      if (storage) await options.cleanup?.(storage);
    });
    leadOutcomeCases(engines, clock, options.runs ?? 12);

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

    test('after any write sequence every rollup equals its recompute, and every figure equals the scan', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...leadZones),
          fc.array(op, { minLength: 1, maxLength: 14 }),
          async (timeZone, steps) => {
            const world = await newWorld(engines().kept, timeZone);
            const tenantId = world.scope.tenantId;
            for (const step of steps) await apply(world, step);
            const [report] = await engines().kept.checkRollups({ tenantId });
            expect(report?.differences).toEqual([]);
            await expectMainProductsKept(tenantId);
            await compare(world, tenantId);
          },
        ),
        { numRuns: options.runs ?? 12 },
      );
      // Each run writes a tenant and compares 16 views for 3 actors: minutes on a loaded machine.
    }, 600_000);

    test('concurrent writers (a pool on Postgres) leave the rollups equal to a recompute', async () => {
      const world = await newWorld(engines().kept);
      const tenantId = world.scope.tenantId;
      const shared: Op[] = [
        { kind: 'import', count: 6, seed: 2 },
        {
          kind: 'create',
          owner: 1,
          amount: 40_00,
          usd: true,
          day: 4,
          stage: 'Prospecting',
          source: 'Web',
        },
      ];
      for (const step of shared) await apply(world, step);
      const writer = async (seed: number) => {
        // Two items added per writer, one deleted: deals end with items, whatever the order.
        for (let i = 0; i < 11; i++) {
          const steps: Op[] = [
            {
              kind: 'create',
              owner: (seed + i) % 3,
              amount: (seed * 10 + i) * 1_00,
              usd: i % 2 === 0,
              day: (seed + i) % 6,
              stage: at(stages, seed + i),
              source: 'Partner',
            },
            {
              kind: 'update',
              pick: seed + i,
              owner: (seed + i + 1) % 3,
              day: (seed * 3 + i) % 6,
              stage: undefined,
              usd: undefined,
              amount: i * 1_00,
              probability: i % 2 === 0 ? 35 : 33.5,
            },
            { kind: 'close', pick: seed * 7 + i, won: (seed + i) % 2 === 0 },
            // One line item per write (no replace of many): each takes its item, then the deal.
            {
              kind: 'addItem',
              pick: seed * 5 + i,
              product: (seed + i) % 3,
              quantity: 1 + (i % 3),
              price: (seed * 10 + i) * 1_00 + 1_00,
            },
            { kind: 'updateItem', pick: seed * 3 + i, price: (seed * 3 + i) * 1_00 + 1_00 },
            { kind: 'deleteItem', pick: seed + i, largest: i % 4 === 1 },
          ];
          try {
            await apply(world, at(steps, i));
          } catch (error) {
            // Two writers on one deal: the later one loses with CONFLICT (or the deal is gone),
            // or its amount check sees the other's line item (`has_line_items`: the amount
            // written is the sum read before the other committed).
            const lost =
              isRapportError(error) &&
              (['CONFLICT', 'NOT_FOUND'].includes(error.code) ||
                error.issues.some((issue) => issue.code === 'has_line_items'));
            if (!lost) throw error;
          }
        }
      };
      await Promise.all([1, 2, 3, 4].map(writer));
      const [report] = await engines().kept.checkRollups({ tenantId });
      expect(report?.cells).toBeGreaterThan(0);
      expect(report?.differences).toEqual([]);
      // The main products the writers kept are those of the items that committed.
      const kept = await expectMainProductsKept(tenantId);
      expect(kept.some((deal) => deal.mainProductId !== null)).toBe(true);
    }, 300_000);

    test('lead writers beside time zone changes (a pool on Postgres) leave the lead rollups equal to a recompute', async () => {
      const world = await newWorld(engines().kept, 'Europe/Berlin');
      const tenantId = world.scope.tenantId;
      const writer = async (seed: number) => {
        for (let i = 0; i < 6; i++)
          await apply(world, {
            kind: 'leadImport',
            count: 1 + ((seed + i) % 3),
            seed: seed * 11 + i,
          });
      };
      const changer = async () => {
        for (const zone of [...leadZones, ...leadZones]) await apply(world, { kind: 'zone', zone });
      };
      await Promise.all([writer(1), writer(2), writer(3), changer()]);
      const [report] = await engines().kept.checkRollups({ tenantId });
      expect(report?.cells).toBeGreaterThan(0);
      expect(report?.differences).toEqual([]);
      await compare(world, tenantId);
    }, 300_000);

    test('the dashboard reads rollups, not opportunities, for a tenant whose rollups are built', async () => {
      const world = await newWorld(engines().kept);
      for (const stage of stages)
        await apply(world, {
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
        await apply(world, {
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

    test('money medians equal the scan across currencies whose converted amounts tie and interleave, for odd and even counts, before and after a rate changes (no rebuild)', async () => {
      const world = await newWorld(engines().kept);
      const { scope, owners } = world;
      const tenantId = scope.tenantId;
      // Rates exact in binary first, so amounts of three currencies convert to the same value:
      // USD 80.00 x 1.25 = JPY 1,600 x 6.25 (0.0625 per yen, no minor unit) = EUR 100.00.
      await scope.currencies.setRate('USD', 1.25);
      await scope.currencies.setRate('JPY', 0.0625);
      const deals: readonly (readonly [number, 'EUR' | 'USD' | 'JPY', number])[] = [
        [100_00, 'EUR', 1],
        [80_00, 'USD', 2],
        [1_600, 'JPY', 0],
        [50_00, 'EUR', 2],
        [60_00, 'USD', 1],
        [2_000, 'JPY', 1],
        [90_00, 'EUR', 0],
        [120_00, 'USD', 2],
        [1_600, 'JPY', 2],
        [100_00, 'EUR', 0],
      ];
      const views = [
        { period: 'thisMonth' },
        { period: 'thisMonth', by: 'owner' },
        { period: '2026-Q2', by: 'team' },
        { period: 'all' },
        { period: '2026-Q2', filters: { owner: owners[1] } },
      ] as const;
      const actors = [
        system,
        { id: owners[0], role: 'manager' as const },
        { id: owners[1], role: 'rep' as const },
      ];
      const compareMedians = async (label: string) => {
        for (const actor of actors) {
          for (const options of views) {
            engines().log.reset();
            const kept = await evaluate(
              engines().kept,
              tenantId,
              actor,
              ['closing.medianDealSize'],
              options,
            );
            const statements = engines().log.statements.join('\n');
            expect(statements, label).not.toMatch(/from "opportunities"/);
            const scanned = await evaluate(
              engines().scanned,
              tenantId,
              actor,
              ['closing.medianDealSize'],
              options,
            );
            expect(strip(kept), `${label} ${actor.role} ${JSON.stringify(options)}`).toEqual(
              strip(scanned),
            );
          }
        }
        const { 'closing.medianDealSize': total } = await scope.kpis.evaluate(
          ['closing.medianDealSize'],
          { period: 'thisMonth' },
        );
        return total.value;
      };
      const ids: string[] = [];
      // One deal at a time: the count alternates between odd and even.
      for (const [i, [amount, currency, owner]] of deals.entries()) {
        const deal = await scope.opportunities.create({
          name: `median ${i}`,
          ownerId: at(owners, owner),
          amount,
          currency,
          openDate: '2026-03-01',
          closeDate: at(days, 3 + (i % 3)),
          stage: 'Closed Won',
        });
        ids.push(deal.id);
        await compareMedians(`after deal ${i}`);
      }
      const before = await compareMedians('exact rates');
      // Rates that are not exact in binary, and reorder the currencies (a yen now worth more
      // than a dollar's share): the same histogram rows, converted at the new rates.
      await scope.currencies.setRate('USD', 0.9137);
      await scope.currencies.setRate('JPY', 0.061);
      const after = await compareMedians('changed rates');
      expect(after).not.toEqual(before);
      // Writes that move amount, currency, owner and month, a close date out of the period, a deal
      // without an amount, a lost deal and a delete.
      const move = async (id: string | undefined, change: Record<string, unknown>) => {
        if (!id) return;
        const deal = await scope.opportunities.get(id);
        await scope.opportunities.update(id, { version: deal.version, ...change });
      };
      await move(ids[0], { currency: 'JPY', amount: 1_500 });
      await move(ids[1], { amount: 95_00 });
      await move(ids[2], { ownerId: owners[1], currency: 'USD' });
      await move(ids[3], { closeDate: '2026-04-10' });
      await move(ids[4], { amount: null });
      await move(ids[5], { stage: 'Closed Lost', lostReason: 'Price' });
      const gone = ids[6];
      if (gone) await scope.opportunities.delete(gone);
      await compareMedians('after moves');
      const [check] = await engines().kept.checkRollups({ tenantId });
      expect(check?.differences).toEqual([]);
    }, 300_000);

    test('the new lead KPIs read rollups, not leads, for a built tenant in a zone with DST', async () => {
      const world = await newWorld(engines().kept, 'Europe/Berlin');
      const tenantId = world.scope.tenantId;
      await apply(world, { kind: 'leadImport', count: 8, seed: 1 });
      await apply(world, { kind: 'lead', owner: 1, source: 'Web' });
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

    test('a time zone change recomputes the rows of timestamp-dated rollups in its transaction: every figure equals the scan in each zone', async () => {
      const world = await newWorld(engines().kept, 'Europe/Berlin');
      const { scope } = world;
      const tenantId = scope.tenantId;
      const created = await scope.leads.createMany(
        leadInstants.map((createdAt, i) => ({
          lastName: `Boundary ${i}`,
          company: 'Boundary Ltd',
          ownerId: at(world.owners, i),
          leadSource: i % 2 === 0 ? 'Web' : null,
          createdAt,
        })),
        { history: true },
      );
      world.leads.push(...created.map((lead) => lead.id));
      await apply(world, { kind: 'leadConvert', pick: 3 });
      const figures = async () => {
        const [report] = await engines().kept.checkRollups({ tenantId });
        expect(report?.differences).toEqual([]);
        await compare(world, tenantId);
        engines().log.reset();
        const kept = await evaluate(engines().kept, tenantId, system, leadKpiIds, {
          period: '2026-Q2',
          by: 'owner',
        });
        expect(engines().log.statements.join('\n')).not.toMatch(/from "leads"/);
        return kept;
      };
      const inBerlin = await figures();
      await scope.updateSettings({ timeZone: 'Asia/Kolkata' });
      const inKolkata = await figures();
      // The leads a millisecond before a Berlin month start are in another month in Kolkata.
      expect(inKolkata).not.toEqual(inBerlin);
      // A change and writes after it in one transaction: they key by the new zone.
      await scope.transaction(async (tx) => {
        await tx.updateSettings({ timeZone: 'UTC' });
        const more = await tx.leads.createMany(
          leadInstants.slice(0, 6).map((createdAt) => ({
            lastName: 'After',
            company: 'After Ltd',
            ownerId: world.owners[2],
            createdAt,
          })),
          { history: true },
        );
        world.leads.push(...more.map((lead) => lead.id));
      });
      await figures();
      // A rolled-back change leaves the rows keyed by the zone that stays.
      const failure = new Error('rolled back on purpose');
      await expect(
        scope.transaction(async (tx) => {
          await tx.updateSettings({ timeZone: 'Europe/Berlin' });
          throw failure;
        }),
      ).rejects.toBe(failure);
      await figures();
      await scope.updateSettings({ timeZone: 'Europe/Berlin' });
      expect(await figures()).not.toEqual(inBerlin);
    }, 300_000);

    test('the product breakdowns read rollups, not opportunities, and follow the main product as line items change', async () => {
      const world = await newWorld(engines().kept);
      const tenantId = world.scope.tenantId;
      for (const stage of stages)
        await apply(world, {
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
      await apply(world, { ...item, product: 0 });
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
      await apply(world, { ...item, product: 2, quantity: 3 });
      expect(await read('product')).not.toEqual(before);
      expect(await read('productFamily')).not.toEqual(familyBefore);
      const [check] = await engines().kept.checkRollups({ tenantId });
      expect(check?.differences).toEqual([]);
      // Its largest item gone, the deal is back where it was.
      await apply(world, { kind: 'deleteItem', pick: 0, largest: true });
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

    test('a tenant written without rollups is scanned until rebuildRollups, then read from exact rollups', async () => {
      const world = await newWorld(engines().scanned);
      const tenantId = world.scope.tenantId;
      const steps: Op[] = [
        {
          kind: 'create',
          owner: 1,
          amount: 12_00,
          usd: false,
          day: 4,
          stage: 'Closed Won',
          source: 'Web',
        },
        {
          kind: 'create',
          owner: 2,
          amount: 30_00,
          usd: true,
          day: 3,
          stage: 'Closed Lost',
          source: null,
        },
        { kind: 'import', count: 9, seed: 4 },
      ];
      for (const step of steps) await apply(world, step);
      engines().log.reset();
      await compare(world, tenantId);
      expect(engines().log.statements.join('\n')).not.toMatch(/from "rollup_cells"/);
      const [check] = await engines().kept.checkRollups({ tenantId });
      expect(check?.differences.length).toBeGreaterThan(0);
      const [rebuilt] = await engines().kept.rebuildRollups({ tenantId });
      expect(rebuilt?.cells).toBeGreaterThan(0);
      const [after] = await engines().kept.checkRollups({ tenantId });
      expect(after?.differences).toEqual([]);
      engines().log.reset();
      await compare(world, tenantId);
      expect(engines().log.statements.join('\n')).toMatch(/rollup_cells/);
    }, 300_000);

    test('a write by an engine that does not keep the rollups (rollups off, or other plugins) makes them scan until a rebuild, never read stale', async () => {
      const world = await newWorld(engines().kept);
      const tenantId = world.scope.tenantId;
      await apply(world, { kind: 'import', count: 6, seed: 2 });
      const readsRollups = async () => {
        engines().log.reset();
        await compare(world, tenantId);
        return /from "rollup_cells"/.test(engines().log.statements.join('\n'));
      };
      expect(await readsRollups()).toBe(true);
      // Rollups off: the deal is in no cell, so without the guard the kept engine would miss it.
      const off = engines().scanned.tenant(tenantId).system();
      await off.opportunities.create({
        name: 'written without rollups',
        ownerId: world.owners[1],
        amount: 40_00,
        openDate: '2026-03-01',
        closeDate: at(days, 4),
        stage: 'Closed Won',
      });
      expect(await readsRollups()).toBe(false);
      const [stale] = await engines().kept.checkRollups({ tenantId });
      expect(stale?.differences.length).toBeGreaterThan(0);
      await engines().kept.rebuildRollups({ tenantId });
      expect(await readsRollups()).toBe(true);
      // Rollups on with another plugin set: it keeps its own rollups, not these.
      // Not destroyed: like the scanning engine, it shares the suite's storage (and connection).
      const closingOnly = createCrm({
        storage: await storageOf(),
        plugins: [closingPlugin],
        now: () => clock.now,
        rollups: true,
      });
      await closingOnly
        .tenant(tenantId)
        .system()
        .opportunities.create({
          name: 'open, written by the closing plugin alone',
          ownerId: world.owners[2],
          amount: 55_00,
          openDate: '2026-03-01',
          closeDate: at(days, 4),
          stage: 'Prospecting',
        });
      // The open-deal cells of the pipeline plugin miss the deal; the closing ones stay exact
      // (the same rollups in both engines) and are still read. Every figure equals the scan.
      const [missed] = await engines().kept.checkRollups({ tenantId });
      expect(missed?.differences.length).toBeGreaterThan(0);
      expect(await readsRollups()).toBe(true);
      await engines().kept.rebuildRollups({ tenantId });
      const [after] = await engines().kept.checkRollups({ tenantId });
      expect(after?.differences).toEqual([]);
      expect(await readsRollups()).toBe(true);
      // A time zone change by an engine without rollups moves leads between months in cells it
      // cannot recompute: the keeping engine must not read them in the new zone's periods.
      await apply(world, { kind: 'leadImport', count: 8, seed: 1 });
      await off.updateSettings({ timeZone: 'Asia/Kolkata' });
      const [rezoned] = await engines().kept.checkRollups({ tenantId });
      expect(rezoned?.differences.length).toBeGreaterThan(0);
      expect(await readsRollups()).toBe(false);
    }, 300_000);

    // Last: it replaces the rollup table every tenant of this storage shares.
    test('a database whose rollups have the 0006 shape (a row per measure) scans until a rebuild fills the row-per-key shape of 0008', async () => {
      const world = await newWorld(engines().kept);
      const tenantId = world.scope.tenantId;
      for (const step of [
        { kind: 'import', count: 9, seed: 3 },
        { kind: 'quota', owner: 1, period: ['2026-06-01', '2026-06-30'] },
      ] as const satisfies readonly Op[])
        await apply(world, step);
      const db = unscopedDatabase(engines().kept);
      const { types } = await storageOf();
      // The database as 0006 left it: cells keyed by measure, with their build rows.
      await db.deleteFrom('kysely_migration').where('name', '=', 'core:0008-rollup-rows').execute();
      await db.schema.dropTable('rollupCells').execute();
      await db.schema
        .createTable('rollupCells')
        .addColumn('tenantId', types.text, (c) => c.notNull().references('tenants.id'))
        .addColumn('rollup', types.text, (c) => c.notNull())
        .addColumn('bucket', types.text, (c) => c.notNull())
        .addColumn('ownerId', types.text, (c) => c.notNull())
        .addColumn('currency', types.text, (c) => c.notNull())
        .addColumn('groupKey', types.text, (c) => c.notNull())
        .addColumn('measure', types.integer, (c) => c.notNull())
        .addColumn('n', types.bigint, (c) => c.notNull())
        .addColumn('s', types.bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('rollup_cells_pk', [
          'tenantId',
          'rollup',
          'bucket',
          'ownerId',
          'currency',
          'groupKey',
          'measure',
        ])
        .execute();
      await db
        .insertInto('rollupCells')
        .values({
          tenantId,
          rollup: 'opportunity:total:old',
          bucket: '2026-06',
          ownerId: world.owners[1],
          currency: 'EUR',
          groupKey: '',
          measure: 1,
          n: 3,
          s: 0,
        })
        .execute();
      const built = await db.selectFrom('rollupBuilds').select('rollup').execute();
      expect(built.length).toBeGreaterThan(0);
      expect(await engines().kept.migrate()).toEqual({ applied: ['core:0008-rollup-rows'] });
      expect(await db.selectFrom('rollupBuilds').select('rollup').execute()).toEqual([]);
      expect(await db.selectFrom('rollupCells').selectAll().execute()).toEqual([]);
      engines().log.reset();
      await compare(world, tenantId);
      expect(engines().log.statements.join('\n')).not.toMatch(/from "rollup_cells"/);
      const [rebuilt] = await engines().kept.rebuildRollups({ tenantId });
      expect(rebuilt?.cells).toBeGreaterThan(0);
      const [check] = await engines().kept.checkRollups({ tenantId });
      expect(check?.differences).toEqual([]);
      engines().log.reset();
      await compare(world, tenantId);
      expect(engines().log.statements.join('\n')).toMatch(/rollup_cells/);
    }, 300_000);
  });
}
