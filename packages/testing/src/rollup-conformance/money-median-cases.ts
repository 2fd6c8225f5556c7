import { expect, test } from 'vitest';
import { at, days } from './deal-writes.js';
import { evaluate, strip, system } from './rollup-engines.js';
import type { RollupSuite } from './rollup-suite.js';

/** @internal Money medians from per-currency histograms, exact across currencies and rate changes. */
export function moneyMedianCases(suite: RollupSuite): void {
  const { engines, newWorld } = suite;
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
}
