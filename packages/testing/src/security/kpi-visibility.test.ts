import { createCrm } from '@rapport/core';
import { aftersalesPlugin } from '@rapport/kpi-aftersales';
import { sqliteStorage } from '@rapport/sqlite';
import { expect, it } from 'vitest';

/**
 * Issue 12.2 (waits on core-kpi's fix): what a scope cannot list, it cannot count, sum or group.
 * The model: a rep's aftersales KPIs add up the contracts the rep can list, and nothing else.
 */
it("a rep's aftersales KPIs count only the contracts the rep can list, not another owner's contract on the rep's account", async () => {
  const crm = createCrm({
    storage: sqliteStorage({ filename: ':memory:' }),
    plugins: [aftersalesPlugin],
  });
  await crm.migrate();
  await crm.createTenant({ id: 'acme', name: 'Acme', baseCurrency: 'EUR' });
  const system = crm.tenant('acme').system();
  const rita = await system.users.create({ name: 'Rita', role: 'rep' });
  const otto = await system.users.create({ name: 'Otto', role: 'rep' });
  const account = await system.accounts.create({ name: 'Shared customer', ownerId: rita.id });
  const contract = (ownerId: string, monthlyAmount: number) =>
    system.contracts.create({
      accountId: account.id,
      ownerId,
      startDate: '2026-01-01',
      monthlyAmount,
    });
  await contract(rita.id, 100_00);
  await contract(otto.id, 900_00);
  const rep = crm.tenant('acme').as({ id: rita.id, role: 'rep' });

  // The model: Rita lists one contract of 100.00 a month on one account.
  const listed = await rep.contracts.list();
  expect(listed.items.map((c) => c.monthlyAmount)).toEqual([100_00]);
  const modelMrr = listed.items.reduce((sum, c) => sum + c.monthlyAmount, 0);
  const modelCustomers = new Set(listed.items.map((c) => c.accountId)).size;

  const evaluate = (scope: typeof rep) =>
    scope.kpis.evaluate(['aftersales.arpa'], { period: '2026', compare: false });
  // The admin sees both contracts: the data is what the test says.
  expect((await evaluate(system))['aftersales.arpa'].value).toBe(1000_00);
  const arpa = (await evaluate(rep))['aftersales.arpa'];
  expect(arpa.sampleSize).toBe(modelCustomers);
  expect(arpa.value).toBe(modelMrr / modelCustomers);
  await crm.destroy();
});
