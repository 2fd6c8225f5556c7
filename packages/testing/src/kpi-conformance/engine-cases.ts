import {
  createCrm,
  defineKpi,
  definePlugin,
  isRapportError,
  kpiDivide,
  kpiSource,
  measure,
  type RapportStorage,
} from '@rapport/core';
import { closingPlugin } from '@rapport/kpi-closing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import type { KpiConformanceSetup } from './kpi-conformance-context.js';
import { countQueries, type QueryLog } from './query-counter.js';

/** A third-party plugin: a custom field on activities and a KPI over two sources. */
const wonDeals = kpiSource({ object: 'opportunity', where: { status: 'won' }, date: 'closeDate' });
const doneActivities = kpiSource({
  object: 'activity',
  where: { completedAt: { isNull: false } },
  date: 'completedAt',
});
const revenuePerActivity = defineKpi({
  id: 'acme.revenuePerActivity',
  group: 'acme',
  title: { en: 'Revenue per activity', de: 'Umsatz je Aktivität' },
  description: 'won revenue / completed activities in the period',
  unit: 'money',
  direction: 'higher',
  dimensions: ['owner', 'custom'],
  measures: {
    revenue: measure.sum(wonDeals, { money: 'amount' }),
    activities: measure.count(doneActivities),
    visits: measure.count(doneActivities, { custom: { channel: 'visit' } }),
  },
  value: (m) => kpiDivide(m.revenue, m.activities, 'no completed activities'),
  sampleSize: (m) => m.activities,
});
const acmePlugin = definePlugin({
  id: 'acme',
  kpis: [revenuePerActivity],
  fields: { activity: { channel: z.enum(['phone', 'visit']).optional() } },
});

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(isRapportError(error) ? error.code : error).toBe(code);
}

/** @internal The engine around KPIs: plugins from third parties, errors. */
export function engineCases(setup: KpiConformanceSetup): void {
  describe('KPI engine', () => {
    let storage: RapportStorage | undefined;
    let log: QueryLog;
    let crm: ReturnType<typeof createCrm<readonly [typeof closingPlugin, typeof acmePlugin]>>;
    beforeAll(async () => {
      storage = await setup.makeStorage();
      const counted = countQueries(storage);
      log = counted.log;
      crm = createCrm({
        storage: counted.storage,
        plugins: [closingPlugin, acmePlugin] as const,
        now: () => new Date('2026-06-15T09:00:00.000Z'),
        rollups: setup.options.rollups === true,
      });
      await crm.migrate();
      await crm.createTenant({ id: 'engine', name: 'Engine', baseCurrency: 'EUR' });
    });
    afterAll(async () => {
      await crm?.destroy();
      if (storage) await setup.options.cleanup?.(storage);
    });

    test("a third party's KPI over its custom field and two sources", async () => {
      const scope = crm.tenant('engine').system();
      const ana = await scope.users.create({ name: 'Ana', role: 'rep' });
      const ben = await scope.users.create({ name: 'Ben', role: 'rep' });
      const won = async (ownerId: string, amount: number) => {
        const deal = await scope.opportunities.create({
          name: 'd',
          ownerId,
          amount,
          closeDate: '2026-06-10',
        });
        await scope.opportunities.closeWon(deal.id, {
          version: deal.version,
          closeDate: '2026-06-10',
        });
      };
      await won(ana.id, 600_00);
      await won(ben.id, 300_00);
      const activity = (ownerId: string, completedAt: string | null, channel: 'phone' | 'visit') =>
        scope.activities.create({
          type: 'call',
          subject: 's',
          ownerId,
          completedAt,
          custom: { channel },
        });
      await activity(ana.id, '2026-06-02T10:00:00.000Z', 'visit');
      await activity(ana.id, '2026-06-03T10:00:00.000Z', 'phone');
      await activity(ana.id, null, 'phone');
      await activity(ben.id, '2026-06-04T10:00:00.000Z', 'phone');
      await activity(ben.id, '2026-05-04T10:00:00.000Z', 'phone');
      log.reset();
      const results = await scope.kpis.evaluate(['acme.revenuePerActivity', 'closing.winRate'], {
        period: '2026-06',
        by: 'owner',
      });
      const kpi = results['acme.revenuePerActivity'];
      // 900 EUR of won deals over 3 activities completed in June.
      expect(kpi.value).toBe(300_00);
      expect(kpi.sampleSize).toBe(3);
      const byOwner = Object.fromEntries(kpi.breakdown!.map((g) => [g.label, g.value]));
      expect(byOwner).toEqual({ Ana: 300_00, Ben: 300_00 });
      // May: one activity, no won revenue.
      expect(kpi.previous?.value).toBe(0);
      // Its won-deal source differs from closing's closed deals, so deals are read twice, and
      // activities once: three GROUP BYs for two KPIs from two plugins (plus tenant and rates).
      expect(log.statements.filter((s) => /group by/i.test(s))).toHaveLength(3);
      const byChannel = await scope.kpis.evaluate(['acme.revenuePerActivity'], {
        period: '2026-06',
        by: 'custom.channel',
      });
      const channels = byChannel['acme.revenuePerActivity'].breakdown!;
      // Opportunities have no channel field: their revenue lands in the group "none".
      expect(Object.fromEntries(channels.map((g) => [g.key ?? '(none)', g.sampleSize]))).toEqual({
        visit: 1,
        phone: 2,
        '(none)': 0,
      });
    });

    test('query KPIs share what they compute with ctx.shared, per range and breakdown', async () => {
      const computed: string[] = [];
      const closedCount = (id: 'acme.closedA' | 'acme.closedB') =>
        defineKpi({
          id,
          group: 'acme',
          title: { en: id, de: id },
          description: 'closed deals in the period, counted once for both KPIs',
          unit: 'count',
          direction: 'higher',
          dimensions: ['owner'],
          async query(ctx) {
            const rows = await ctx.shared('acme.closed', async () => {
              computed.push(`${ctx.range?.label ?? 'all'} ${ctx.by ?? 'total'}`);
              const group = ctx.group('opportunity', 't');
              const source = await ctx.source(
                kpiSource({
                  object: 'opportunity',
                  where: { status: { in: ['won', 'lost'] } },
                  date: 'closeDate',
                }),
              );
              return source
                .select([
                  sql<number>`count(*)`.as('n'),
                  (group ? sql`${group.key}` : sql`null`).as('key'),
                ])
                .$if(group !== undefined, (q) => q.groupBy(sql`${group?.key}`))
                .execute();
            });
            return rows.map((row) => ({
              key: row.key === null ? null : String(row.key),
              value: Number(row.n),
              sampleSize: Number(row.n),
            }));
          },
        });
      const shared = createCrm({
        storage: await setup.makeStorage(),
        plugins: [
          definePlugin({
            id: 'acme',
            kpis: [closedCount('acme.closedA'), closedCount('acme.closedB')],
          }),
        ] as const,
        now: () => new Date('2026-06-15T09:00:00.000Z'),
      });
      try {
        await shared.migrate();
        await shared.createTenant({ id: 'shared', name: 'Shared', baseCurrency: 'EUR' });
        const scope = shared.tenant('shared').system();
        const ana = await scope.users.create({ name: 'Ana', role: 'rep' });
        const deal = await scope.opportunities.create({
          name: 'd',
          ownerId: ana.id,
          amount: 1,
          closeDate: '2026-06-10',
        });
        await scope.opportunities.closeLost(deal.id, {
          version: deal.version,
          closeDate: '2026-06-10',
          lostReason: 'price',
        });
        const results = await scope.kpis.evaluate(['acme.closedA', 'acme.closedB'], {
          period: '2026-06',
          by: 'owner',
        });
        expect(results['acme.closedA'].value).toBe(1);
        expect(results['acme.closedB'].value).toBe(1);
        expect(results['acme.closedB'].breakdown?.map((g) => [g.key, g.value])).toEqual([
          [ana.id, 1],
        ]);
        expect(results['acme.closedA'].previous?.value).toBe(0);
        // Two KPIs, four slots (June and May, total and by owner): each computed once.
        expect(computed.sort()).toEqual([
          '2026-05 owner',
          '2026-05 total',
          '2026-06 owner',
          '2026-06 total',
        ]);
        await scope.kpis.evaluate(['acme.closedA'], { period: '2026-06' });
        // A new evaluation computes afresh: nothing is cached across calls.
        expect(computed).toHaveLength(6);
      } finally {
        await shared.destroy();
      }
    });

    test('inside a transaction, KPIs see its uncommitted writes', async () => {
      await crm.createTenant({ id: 'engine-tx', name: 'Tx', baseCurrency: 'EUR' });
      const scope = crm.tenant('engine-tx').system();
      const rep = await scope.users.create({ name: 'Ana', role: 'rep' });
      const seen = await scope
        .transaction(async (tx) => {
          const deal = await tx.opportunities.create({
            name: 'd',
            ownerId: rep.id,
            amount: 100_00,
            closeDate: '2026-06-10',
          });
          await tx.opportunities.closeWon(deal.id, {
            version: deal.version,
            closeDate: '2026-06-10',
          });
          const inside = await tx.kpis.evaluate(['closing.winRate', 'closing.medianDealSize'], {
            period: '2026-06',
          });
          throw Object.assign(new Error('roll back'), { inside });
        })
        .catch((error: { inside?: unknown }) => error.inside);
      expect(seen).toMatchObject({
        'closing.winRate': { value: 1 },
        'closing.medianDealSize': { value: 100_00 },
      });
      const after = await scope.kpis.evaluate(['closing.winRate'], { period: '2026-06' });
      expect(after['closing.winRate'].value).toBeNull();
    });

    test('errors have stable codes', async () => {
      const scope = crm.tenant('engine').system();
      // @ts-expect-error: an id no plugin defines is also refused at run time
      await expectCode(scope.kpis.evaluate(['closing.nope']), 'NOT_FOUND');
      // @ts-expect-error: not a dimension of win rate
      const badDimension = scope.kpis.evaluate(['closing.winRate'], { by: 'lostReason' });
      await expectCode(badDimension, 'VALIDATION');
      // @ts-expect-error: not a period
      const badPeriod = scope.kpis.evaluate(['closing.winRate'], { period: 'someday' });
      await expectCode(badPeriod, 'VALIDATION');
      await expectCode(
        crm.tenant('nobody').system().kpis.evaluate(['closing.winRate']),
        'NOT_FOUND',
      );
      // A KPI id defined twice is refused when the engine is made, before any request.
      const twice = () =>
        createCrm({
          storage: crm.storage,
          plugins: [
            closingPlugin,
            definePlugin({ id: 'copy', kpis: [revenuePerActivity] }),
            acmePlugin,
          ],
        });
      await expectCode(Promise.resolve().then(twice), 'UNSUPPORTED');
    });

    test('an unknown KPI id says which registered id was meant', async () => {
      const scope = crm.tenant('engine').system();
      const error = await scope.kpis
        // @ts-expect-error: a typo of closing.winRate, as it comes from JSON or the CLI
        .evaluate(['closing.winrate', 'closing.wonRevenue'])
        .catch((caught: unknown) => caught);
      expect(isRapportError(error) && error.code).toBe('NOT_FOUND');
      expect(error instanceof Error ? error.message : String(error)).toBe(
        "KPI 'closing.winrate' is not registered; did you mean 'closing.winRate'?",
      );
    });

    test('createCrm refuses a KPI id that two plugins define, naming both', () => {
      const other = definePlugin({ id: 'other', kpis: [revenuePerActivity] });
      expect(() => createCrm({ storage: crm.storage, plugins: [acmePlugin, other] })).toThrow(
        'plugin other, KPI acme.revenuePerActivity: the id is already defined by plugin acme',
      );
    });

    test('createCrm refuses a plugin KPI over a dimension its source does not have', () => {
      const leads = kpiSource({ object: 'lead', date: 'createdAt' });
      const byStage = defineKpi({
        id: 'broken.leadsByStage',
        group: 'broken',
        title: { en: 'Leads', de: 'Leads' },
        description: 'leads created in the period',
        unit: 'count',
        direction: 'higher',
        // Leads have no stage and no product: neither can group them.
        dimensions: ['owner', 'stage'],
        measures: { leads: measure.count(leads) },
        value: ({ leads }) => leads,
      });
      const make = () =>
        createCrm({
          storage: crm.storage,
          plugins: [definePlugin({ id: 'broken', kpis: [byStage] })],
        });
      expect(make).toThrow(/^plugin broken, KPI broken\.leadsByStage: dimension stage: /);
      try {
        make();
      } catch (error) {
        expect(isRapportError(error) && error.code).toBe('UNSUPPORTED');
      }
    });

    test('createCrm refuses a measure over a field its source does not have', () => {
      const wonRevenue = defineKpi({
        id: 'broken.revenue',
        group: 'broken',
        title: { en: 'Revenue', de: 'Umsatz' },
        description: 'won revenue',
        unit: 'money',
        direction: 'higher',
        dimensions: ['owner'],
        // A field of another object, as erased definitions from JSON could carry.
        measures: { revenue: measure.sum(wonDeals, 'monthlyAmount' as 'amount') },
        value: ({ revenue }) => revenue,
      });
      expect(() =>
        createCrm({
          storage: crm.storage,
          plugins: [definePlugin({ id: 'broken', kpis: [wonRevenue] })],
        }),
      ).toThrow(
        'plugin broken, KPI broken.revenue: measure revenue reads monthlyAmount, which is not a field of opportunity',
      );
    });

    test('the catalogue lists every KPI of the plugins', () => {
      const ids = crm
        .tenant('engine')
        .system()
        .kpis.definitions()
        .map((kpi) => kpi.id);
      expect(ids).toContain('closing.winRate');
      expect(ids.at(-1)).toBe('acme.revenuePerActivity');
    });
  });
}
