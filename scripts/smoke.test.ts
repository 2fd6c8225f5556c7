import { createCrm, isRapportError } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';
import { expect, test } from 'vitest';

test('smoke', async () => {
  const crm = createCrm({ storage: sqliteStorage({ filename: ':memory:' }) });
  console.log(await crm.migrate());
  await crm.createTenant({ id: 'acme', name: 'Acme' });
  const admin = crm.tenant('acme').system();
  const rep = await admin.users.create({
    name: 'Rita Rep',
    role: 'rep',
    email: 'rita@example.com',
  });
  const acc = await admin.accounts.create({ name: 'Globex', ownerId: rep.id });
  const opp = await admin.opportunities.create({
    name: 'Deal',
    accountId: acc.id,
    ownerId: rep.id,
    closeDate: '2026-12-31',
    amount: 100000,
  });
  console.log(opp);
  const prod = await admin.products.create({ name: 'Widget', listPrice: 5000 });
  const won = await admin.opportunities.closeWon(opp.id, {
    version: opp.version,
    lineItems: [{ productId: prod.id, quantity: 3 }],
  });
  console.log(won);
  console.log(
    (await admin.stageHistory.list({ where: { opportunityId: opp.id } })).items.map((h) => [
      h.stage,
      h.amount,
      h.previousAmount,
    ]),
  );
  const lead = await admin.leads.create({
    lastName: 'Doe',
    company: 'Initech',
    ownerId: rep.id,
    leadSource: 'Web',
  });
  const conv = await admin.leads.convert(lead.id);
  console.log(conv.lead.status, conv.opportunity?.name);
  const repScope = crm.tenant('acme').as({ id: rep.id, role: 'rep' });
  console.log(await repScope.opportunities.count());
  const err = await admin.opportunities
    .create({ name: 'x', closeDate: 'nope', bogus: 1 } as never)
    .catch((e) => e);
  console.log(isRapportError(err), err.code, err.issues);
  const page = await admin.opportunities.list({
    orderBy: { field: 'amount', direction: 'desc' },
    limit: 1,
  });
  const page2 = await admin.opportunities.list({
    orderBy: { field: 'amount', direction: 'desc' },
    limit: 1,
    cursor: page.nextCursor!,
  });
  console.log(
    page.items.map((o) => o.amount),
    page2.items.map((o) => o.amount),
    page2.nextCursor,
  );
  expect(won.status).toBe('won');
});
