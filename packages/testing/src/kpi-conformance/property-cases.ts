import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createDeal, type KpiConformanceSetup, useKpiWorld } from './kpi-conformance-context.js';

const dealArbitrary = fc.record({
  owner: fc.integer({ min: 0, max: 2 }),
  outcome: fc.constantFrom('won' as const, 'lost' as const, 'open' as const),
  amount: fc.integer({ min: 0, max: 50_000_00 }),
  usd: fc.boolean(),
  day: fc.integer({ min: 1, max: 30 }),
  probability: fc.integer({ min: 0, max: 100 }),
  reason: fc.constantFrom('Price', 'Timing', 'Competitor'),
});

/** @internal Properties that hold for any data. */
export function propertyCases(setup: KpiConformanceSetup): void {
  describe('KPI properties (fast-check)', () => {
    const world = useKpiWorld(setup);

    test('win rate is in [0, 1] and equals won / (won + lost); weighted <= open pipeline; breakdowns add up to the total', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(dealArbitrary, { maxLength: 10 }), async (deals) => {
          const scope = await world.tenant();
          await scope.currencies.setRate('USD', 0.9);
          const owners = await Promise.all(
            ['Ana', 'Ben', 'Cy'].map((name) => scope.users.create({ name, role: 'rep' })),
          );
          for (const deal of deals) {
            const opportunity = await createDeal(scope, {
              owner: owners[deal.owner]!.id,
              outcome: deal.outcome,
              amount: deal.amount,
              currency: deal.usd ? 'USD' : 'EUR',
              openDate: '2026-06-01',
              closeDate: `2026-06-${String(deal.day).padStart(2, '0')}`,
              lostReason: deal.reason,
            });
            if (deal.outcome === 'open')
              await scope.opportunities.update(opportunity.id, {
                version: opportunity.version,
                probability: deal.probability,
              });
          }
          const ids = [
            'closing.winRate',
            'closing.wonRevenue',
            'closing.lossReasons',
            'pipeline.openValue',
            'pipeline.weightedValue',
          ] as const;
          const total = await scope.kpis.evaluate(ids, { period: '2026-06' });
          const split = await scope.kpis.evaluate(ids, { period: '2026-06', by: 'owner' });

          const won = deals.filter((d) => d.outcome === 'won').length;
          const lost = deals.filter((d) => d.outcome === 'lost').length;
          const winRate = total['closing.winRate'];
          if (won + lost === 0) expect(winRate.value).toBeNull();
          else {
            expect(winRate.value).toBeGreaterThanOrEqual(0);
            expect(winRate.value).toBeLessThanOrEqual(1);
            expect(winRate.value).toBeCloseTo(won / (won + lost), 12);
            expect(winRate.interval!.lower).toBeLessThanOrEqual(winRate.value!);
            expect(winRate.interval!.upper).toBeGreaterThanOrEqual(winRate.value!);
          }
          for (const group of split['closing.winRate'].breakdown ?? []) {
            expect(group.value).toBeGreaterThanOrEqual(0);
            expect(group.value).toBeLessThanOrEqual(1);
          }

          const open = total['pipeline.openValue'].value ?? 0;
          expect(total['pipeline.weightedValue'].value ?? 0).toBeLessThanOrEqual(open + 1e-6);

          const sum = (id: (typeof ids)[number]) =>
            (split[id].breakdown ?? []).reduce((acc, group) => acc + (group.value ?? 0), 0);
          expect(sum('closing.wonRevenue')).toBeCloseTo(total['closing.wonRevenue'].value ?? 0, 6);
          expect(sum('closing.lossReasons')).toBe(total['closing.lossReasons'].value);
          expect(total['closing.lossReasons'].value).toBe(lost);
          expect(sum('pipeline.openValue')).toBeCloseTo(open, 6);
          const samples = (split['closing.winRate'].breakdown ?? []).reduce(
            (acc, group) => acc + group.sampleSize,
            0,
          );
          expect(samples).toBe(won + lost);
        }),
        { numRuns: 12 },
      );
    });
  });
}
