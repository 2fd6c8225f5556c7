import { type Crm, createCrm, type RapportStorage } from '@rapport/core';
import { closingPlugin } from '@rapport/kpi-closing';
import { pipelinePlugin } from '@rapport/kpi-pipeline';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { countQueries, type QueryLog } from '../kpi-conformance/query-counter.js';

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

const plugins = [closingPlugin, pipelinePlugin] as const;
type Engine = Crm<typeof plugins>;
type Scope = ReturnType<ReturnType<Engine['tenant']>['system']>;

const dashboard = [
  'closing.winRate',
  'closing.wonRevenue',
  'closing.averageDealSize',
  'closing.averageSalesCycle',
  'closing.quotaAttainment',
  'pipeline.expectedCloseVolume',
  'pipeline.openCount',
] as const;

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
  }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('close' as const), pick: fc.nat(), won: fc.boolean() }),
  fc.record({ kind: fc.constant('rollback' as const), pick: fc.nat(), owner: fc.nat(2) }),
  fc.record({
    kind: fc.constant('import' as const),
    count: fc.integer({ min: 1, max: 12 }),
    seed: fc.nat(),
  }),
  fc.record({ kind: fc.constant('quota' as const), owner: fc.nat(2), day: fc.nat(2) }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

interface World {
  readonly scope: Scope;
  readonly owners: readonly string[];
  readonly ids: string[];
}

async function apply(world: World, step: Op): Promise<void> {
  const { scope, owners, ids } = world;
  const pick = (n: number) => ids[n % ids.length];
  switch (step.kind) {
    case 'create': {
      const deal = await scope.opportunities.create({
        name: 'deal',
        ownerId: owners[step.owner],
        amount: step.amount,
        currency: step.usd ? 'USD' : 'EUR',
        openDate: '2026-03-01',
        closeDate: days[step.day],
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
      await scope.opportunities.update(id, {
        version: deal.version,
        ...(step.owner === undefined ? {} : { ownerId: owners[step.owner] }),
        ...(step.day === undefined ? {} : { closeDate: days[step.day] }),
        ...(step.stage === undefined ? {} : { stage: step.stage }),
        ...(step.usd === undefined ? {} : { currency: step.usd ? 'USD' : 'EUR' }),
        ...(step.amount === undefined ? {} : { amount: step.amount }),
      });
      return;
    }
    case 'delete': {
      const id = pick(step.pick);
      if (!id) return;
      await scope.opportunities.delete(id);
      ids.splice(ids.indexOf(id), 1);
      return;
    }
    case 'close': {
      const id = pick(step.pick);
      if (!id) return;
      const deal = await scope.opportunities.get(id);
      if (deal.status !== 'open') return;
      if (step.won) await scope.opportunities.closeWon(id, { version: deal.version });
      else
        await scope.opportunities.closeLost(id, { version: deal.version, lostReason: 'Price' });
      return;
    }
    case 'rollback': {
      const id = pick(step.pick);
      const failure = new Error('rolled back on purpose');
      await expect(
        scope.transaction(async (tx) => {
          await tx.opportunities.create({
            name: 'gone',
            ownerId: owners[step.owner],
            amount: 5_00,
            closeDate: days[0],
            stage: 'Closed Won',
          });
          if (id) {
            const deal = await tx.opportunities.get(id);
            await tx.opportunities.update(id, { version: deal.version, ownerId: owners[step.owner] });
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
          ownerId: owners[(step.seed + i) % owners.length],
          amount: ((step.seed * 7 + i * 13) % 100) * 1_00,
          currency: (step.seed + i) % 3 === 0 ? 'USD' : 'EUR',
          openDate: '2026-02-01',
          closeDate: days[(step.seed + i) % days.length],
          stage: stages[(step.seed + i) % stages.length],
        })),
      );
      ids.push(...created.map((deal) => deal.id));
      return;
    }
    case 'quota':
      await scope.quotas.create({
        ownerId: owners[step.owner],
        periodStart: ['2026-04-01', '2026-05-01', '2026-06-01'][step.day]!,
        periodEnd: ['2026-04-30', '2026-05-31', '2026-06-30'][step.day]!,
        amount: 10_000_00,
      });
      return;
  }
}

/** Results without what may legitimately differ between two engines (nothing, today). */
function strip(results: unknown): unknown {
  return JSON.parse(JSON.stringify(results));
}

/**
 * Runs the rollup conformance suite against storages made by `makeStorage`: random write
 * sequences (creates, updates that move a deal between days, owners, stages and currencies,
 * deletes, closes, rolled-back transactions, bulk imports, quotas) after which every rollup equals
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
    let kept: Engine | undefined;
    let scanned: Engine | undefined;
    let log: QueryLog | undefined;
    let tenants = 0;
    beforeAll(async () => {
      storage = await makeStorage();
      const counted = countQueries(storage);
      log = counted.log;
      const now = () => clock.now;
      kept = createCrm({ storage: counted.storage, plugins, now, rollups: true });
      // The same database without rollups: what every figure must equal.
      scanned = createCrm({ storage: counted.storage, plugins, now });
      await kept.migrate();
    });
    afterAll(async () => {
      await kept?.destroy();
      if (storage) await options.cleanup?.(storage);
    });

    const newWorld = async (engine: Engine): Promise<World> => {
      tenants += 1;
      const id = `rollups-${tenants}-${Math.random().toString(36).slice(2, 8)}`;
      await engine.createTenant({ id, name: id, baseCurrency: 'EUR' });
      const scope = engine.tenant(id).system();
      await scope.currencies.setRate('USD', 0.9137);
      const team = await scope.teams.create({ name: 'East' });
      const manager = await scope.users.create({ name: 'Mia', role: 'manager', teamId: team.id });
      const reps = await Promise.all(
        ['Ana', 'Ben'].map((rep) =>
          scope.users.create({ name: rep, role: 'rep', managerId: manager.id, teamId: team.id }),
        ),
      );
      return { scope, owners: [manager.id, ...reps.map((rep) => rep.id)], ids: [] };
    };

    const compare = async (world: World, tenantId: string) => {
      const closing = ['closing.winRate', 'closing.wonRevenue', 'closing.averageSalesCycle'] as const;
      const pipeline = ['pipeline.expectedCloseVolume', 'pipeline.openCount'] as const;
      const views = [
        { ids: dashboard, options: { period: '2026-Q2' } },
        { ids: dashboard, options: { period: 'thisMonth' } },
        { ids: dashboard, options: { period: 'all' } },
        { ids: dashboard, options: { period: 'thisMonth', by: 'owner' } },
        { ids: dashboard, options: { period: '2026-Q2', by: 'team' } },
        { ids: pipeline, options: { period: '2026-Q2', by: 'stage' } },
        { ids: closing, options: { period: '2026-Q2', by: 'leadSource', filters: { owner: world.owners[1] } } },
        { ids: closing, options: { period: '2026-Q2', filters: { leadSource: ['Web', null] } } },
        { ids: pipeline, options: { period: '2026-Q2', filters: { stage: ['Prospecting'] } } },
        { ids: ['closing.lossReasons'] as const, options: { period: 'all', by: 'lostReason' } },
      ] as const;
      const actors = [
        { id: 'system', role: 'admin' as const },
        { id: world.owners[0]!, role: 'manager' as const },
        { id: world.owners[1]!, role: 'rep' as const },
      ];
      for (const actor of actors) {
        for (const { ids, options } of views) {
          const fromRollups = await kept!.tenant(tenantId).as(actor).kpis.evaluate(ids, options);
          const fromScan = await scanned!.tenant(tenantId).as(actor).kpis.evaluate(ids, options);
          expect(strip(fromRollups), `${actor.role} ${JSON.stringify(options)}`).toEqual(
            strip(fromScan),
          );
        }
      }
    };

    test('after any write sequence every rollup equals its recompute, and every figure equals the scan', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 14 }), async (steps) => {
          const world = await newWorld(kept!);
          const tenantId = world.scope.tenantId;
          for (const step of steps) await apply(world, step);
          const [report] = await kept!.checkRollups({ tenantId });
          expect(report?.differences).toEqual([]);
          await compare(world, tenantId);
        }),
        { numRuns: options.runs ?? 12 },
      );
    });

    test('the dashboard reads rollups, not opportunities, for a tenant whose rollups are built', async () => {
      const world = await newWorld(kept!);
      for (const stage of stages)
        await apply(world, { kind: 'create', owner: 1, amount: 1_00, usd: true, day: 4, stage, source: 'Web' });
      log!.reset();
      await kept!.tenant(world.scope.tenantId).system().kpis.evaluate(['closing.winRate', 'closing.wonRevenue'], { period: 'thisMonth' });
      const statements = log!.statements.join('\n');
      expect(statements).toMatch(/rollup_cells/);
      expect(statements).not.toMatch(/from "opportunities"/);
    });

    test('a tenant written without rollups is scanned until rebuildRollups, then read from exact rollups', async () => {
      const world = await newWorld(scanned!);
      const tenantId = world.scope.tenantId;
      const steps: Op[] = [
        { kind: 'create', owner: 1, amount: 12_00, usd: false, day: 4, stage: 'Closed Won', source: 'Web' },
        { kind: 'create', owner: 2, amount: 30_00, usd: true, day: 3, stage: 'Closed Lost', source: null },
        { kind: 'import', count: 9, seed: 4 },
      ];
      for (const step of steps) await apply(world, step);
      log!.reset();
      await compare(world, tenantId);
      expect(log!.statements.join('\n')).not.toMatch(/from "rollup_cells"/);
      const [check] = await kept!.checkRollups({ tenantId });
      expect(check?.differences.length).toBeGreaterThan(0);
      const [rebuilt] = await kept!.rebuildRollups({ tenantId });
      expect(rebuilt?.cells).toBeGreaterThan(0);
      const [after] = await kept!.checkRollups({ tenantId });
      expect(after?.differences).toEqual([]);
      log!.reset();
      await compare(world, tenantId);
      expect(log!.statements.join('\n')).toMatch(/rollup_cells/);
    });
  });
}
