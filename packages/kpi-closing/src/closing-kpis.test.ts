import { createCrm } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { describe, expect, test } from 'vitest';
import { closingPlugin } from './closing-plugin.js';

async function setup() {
  const crm = createCrm({ storage: sqliteStorage(), plugins: [closingPlugin] });
  await crm.migrate();
  await crm.createTenant({ id: 'acme', name: 'Acme', baseCurrency: 'EUR' });
  const admin = crm.tenant('acme').system();
  const ana = await admin.users.create({ name: 'Ana', role: 'rep' });
  const ben = await admin.users.create({ name: 'Ben', role: 'rep' });
  const deal = async (
    ownerId: string,
    outcome: 'won' | 'lost' | 'open',
    closeDate: string,
    amount = 1000_00,
  ) => {
    const opp = await admin.opportunities.create({
      name: `${outcome} ${closeDate}`,
      ownerId,
      amount,
      openDate: '2026-01-01',
      closeDate,
    });
    if (outcome === 'won')
      return admin.opportunities.closeWon(opp.id, { version: opp.version, closeDate });
    if (outcome === 'lost')
      return admin.opportunities.closeLost(opp.id, {
        version: opp.version,
        closeDate,
        lostReason: 'Price',
      });
    return opp;
  };
  return { crm, admin, ana, ben, deal };
}

describe('closing.winRate', () => {
  test('won / (won + lost) of deals closed in the period, by owner, with the previous period', async () => {
    const { admin, ana, ben, deal } = await setup();
    // March: Ana 2 won 1 lost, Ben 0 won 1 lost; an open deal and a February win must not count.
    await deal(ana.id, 'won', '2026-03-02');
    await deal(ana.id, 'won', '2026-03-31');
    await deal(ana.id, 'lost', '2026-03-15');
    await deal(ben.id, 'lost', '2026-03-20');
    await deal(ben.id, 'open', '2026-03-20');
    await deal(ben.id, 'won', '2026-02-10');
    const { 'closing.winRate': winRate } = await admin.kpis.evaluate(['closing.winRate'], {
      period: '2026-03',
      by: 'owner',
    });
    expect(winRate.value).toBe(2 / 4);
    expect(winRate.sampleSize).toBe(4);
    expect(winRate.unit).toBe('ratio');
    expect(winRate.period.label).toBe('2026-03');
    // Wilson 95% for 2/4: center (0.5 + z²/8)/(1 + z²/4), half z·sqrt(0.25/4 + z²/64)/(1 + z²/4).
    expect(winRate.interval?.lower).toBeCloseTo(0.15, 2);
    expect(winRate.interval?.upper).toBeCloseTo(0.85, 2);
    // February: Ben's single win is 1/1.
    expect(winRate.previous?.value).toBe(1);
    expect(winRate.previous?.change).toBe(-0.5);
    const byOwner = Object.fromEntries(winRate.breakdown!.map((g) => [g.label, g.value]));
    expect(byOwner).toEqual({ Ana: 2 / 3, Ben: 0 });
  });

  test('a period without closed deals has no value and says why', async () => {
    const { admin, ana, deal } = await setup();
    await deal(ana.id, 'open', '2026-05-05');
    const { 'closing.winRate': winRate } = await admin.kpis.evaluate(['closing.winRate'], {
      period: '2026-05',
    });
    expect(winRate.value).toBeNull();
    expect(winRate.reason).toBe('no closed opportunities');
    expect(winRate.sampleSize).toBe(0);
    expect(winRate.interval).toBeNull();
  });
});
