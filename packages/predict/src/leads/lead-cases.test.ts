import { createCrm } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { describe, expect, it } from 'vitest';
import { loadLeadCases } from './lead-cases.js';

const day = (n: number) => new Date(Date.parse('2026-01-01T09:00:00Z') + n * 86_400_000);

/** Three leads of day 0 (one converted and one disqualified on day 10, one left alone) and one of day 20. */
async function seed() {
  let clock = day(0);
  const crm = createCrm({ storage: sqliteStorage({ filename: ':memory:' }), now: () => clock });
  await crm.migrate();
  await crm.createTenant({ id: 'acme', name: 'Acme', baseCurrency: 'EUR', timeZone: 'UTC' });
  const system = crm.tenant('acme').system();
  const owner = await system.users.create({ name: 'Olga Owner' });
  const admin = crm.tenant('acme').as({ id: owner.id, role: 'admin' });
  const [converted, disqualified, untouched] = await admin.leads.createMany([
    { lastName: 'Converted', company: 'A' },
    { lastName: 'Disqualified', company: 'B' },
    { lastName: 'Untouched', company: 'C' },
  ]);
  clock = day(10);
  await admin.leads.convert(converted!.id, { opportunity: false });
  await admin.leads.update(disqualified!.id, {
    version: disqualified!.version,
    status: 'Closed - Not Converted',
  });
  clock = day(20);
  const later = await admin.leads.create({ lastName: 'Later', company: 'D' });
  return { admin, ids: { converted, disqualified, untouched, later } };
}

describe('lead cases as of a day', () => {
  it('an outcome recorded after the day neither labels the lead nor closes it; later leads are absent', async () => {
    const { admin, ids } = await seed();
    const asOf = async (n: number) =>
      new Map((await loadLeadCases(admin, { now: day(n).toISOString() })).map((c) => [c.id, c]));

    const before = await asOf(5);
    expect(before.get(ids.converted!.id)).toMatchObject({ label: null, open: true });
    expect(before.get(ids.disqualified!.id)).toMatchObject({ label: null, open: true });
    expect(before.has(ids.later.id)).toBe(false);

    const after = await asOf(15);
    expect(after.get(ids.converted!.id)).toMatchObject({ label: 1, open: false });
    expect(after.get(ids.disqualified!.id)).toMatchObject({ label: 0, open: false });
    expect(after.get(ids.untouched!.id)).toMatchObject({ label: null, open: true });
    expect(after.has(ids.later.id)).toBe(false);

    // A day, or a time with an offset, is the same instant as its ISO form; no time is refused.
    const asOfDay = await loadLeadCases(admin, { now: day(15).toISOString().slice(0, 10) });
    expect(asOfDay.find((c) => c.id === ids.converted!.id)).toMatchObject({ label: 1 });
    const offset = await loadLeadCases(admin, { now: '2026-01-06T11:00:00+02:00' });
    expect(offset.find((c) => c.id === ids.converted!.id)).toMatchObject({ label: null });
    await expect(loadLeadCases(admin, { now: 'soon' })).rejects.toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: ['now'] }],
    });

    // 90 days without an outcome: went nowhere (label 0), yet still open to be scored.
    const stale = await asOf(95);
    expect(stale.get(ids.untouched!.id)).toMatchObject({ label: 0, open: true });
    expect(stale.get(ids.later.id)).toMatchObject({ label: null, open: true });
  });
});
