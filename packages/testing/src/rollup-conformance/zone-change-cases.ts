import { expect, test } from 'vitest';
import { applyDealOp, at } from './deal-writes.js';
import { leadInstants, leadKpiIds } from './lead-writes.js';
import { evaluate, system } from './rollup-engines.js';
import type { RollupSuite } from './rollup-suite.js';

/** @internal A tenant's time zone change recomputes the rollups keyed by local months. */
export function zoneChangeCases(suite: RollupSuite): void {
  const { engines, newWorld, compare } = suite;
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
    await applyDealOp(world, { kind: 'leadConvert', pick: 3 });
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
}
