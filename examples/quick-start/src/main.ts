import { createCrm } from '@rapport/core';
import { sqliteStorage } from '@rapport/sqlite';

export async function main(filename = ':memory:') {
  const crm = createCrm({ storage: sqliteStorage({ filename }) });
  await crm.migrate();
  await crm.ensureTenant({
    id: 'acme',
    name: 'Acme GmbH',
    baseCurrency: 'EUR',
    timeZone: 'Europe/Berlin',
  });
  const admin = crm.tenant('acme').system();

  const rita = await admin.users.create({ name: 'Rita Rep', role: 'rep' });
  const scope = crm.tenant('acme').as({ id: rita.id, role: 'rep' });
  const lead = await scope.leads.create({ lastName: 'Doe', company: 'Globex', leadSource: 'Web' });
  const { opportunity } = await scope.leads.convert(lead.id, {
    opportunity: { name: 'Globex – 50 seats', amount: 12_000_00, closeDate: '2026-12-15' },
  });
  if (!opportunity) throw new Error('conversion made no opportunity');
  const won = await scope.opportunities.closeWon(opportunity.id, { version: opportunity.version });
  const history = await scope.stageHistory.list({ where: { opportunityId: won.id } });

  await crm.destroy();
  return { stage: won.stage, amount: won.amount, historyRows: history.items.length };
}

if (process.argv[1]?.endsWith('main.ts')) console.log(await main());
